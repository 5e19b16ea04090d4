import type { EntityManager } from "typeorm";
import { byIdLoader } from "../../kernel/db/loaders";
import { PartnerSignal } from "./partner-signal.entity";
import { SharingEvent } from "./sharing-event.entity";

/** Per-request loaders of the sharing domain. */
export function createSharingLoaders(manager: () => EntityManager) {
  return {
    event: byIdLoader(manager, SharingEvent),
    signal: byIdLoader(manager, PartnerSignal),
  };
}

export type SharingLoaders = ReturnType<typeof createSharingLoaders>;
