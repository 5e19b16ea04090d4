import type { EntityManager } from "typeorm";
import { byForeignKeyLoader, byIdLoader } from "../../kernel/db/loaders";
import { DataRequest } from "./data-request.entity";

export function createRightsLoaders(manager: () => EntityManager) {
  return {
    request: byIdLoader(manager, DataRequest),
    bySubject: byForeignKeyLoader(manager, DataRequest, "subjectId", "receivedAt"),
  };
}

export type RightsLoaders = ReturnType<typeof createRightsLoaders>;
