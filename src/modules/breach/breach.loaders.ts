import type { EntityManager } from "typeorm";
import { byForeignKeyLoader, byIdLoader } from "../../kernel/db/loaders";
import { BreachIncident, BreachNotice } from "./breach.entity";

/** Per-request loaders of the breach domain. */
export function createBreachLoaders(manager: () => EntityManager) {
  return {
    incident: byIdLoader(manager, BreachIncident),
    notice: byIdLoader(manager, BreachNotice),
    noticesBySubject: byForeignKeyLoader(manager, BreachNotice, "subjectId", "notifiedAt"),
  };
}

export type BreachLoaders = ReturnType<typeof createBreachLoaders>;
