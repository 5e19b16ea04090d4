import type { Logger } from "pino";
import type { Config } from "../config";
import type { Database } from "./db/database";
import type { Principal } from "./principal";
import type { ReceiptSigner } from "./signer";

// The request context, as every resolver sees it. The kernel names no domain: each module adds
// its per-request loaders, its services and what it knows of the caller by declaration merging,
//
//   declare module "../../kernel/context" {
//     interface Loaders { decisions: DecisionLoaders }
//     interface Services { decisions: DecisionService }
//   }
//
// and src/app/ builds objects that must satisfy the merged interfaces (the compiler checks it).

/** Per-request DataLoaders, one group per module; never shared between requests. */
export interface Loaders {}

/** Long-lived services, built once at start-up by src/app/services.ts. */
export interface Services {
  config: Config;
  db: Database;
  logger: Logger;
  receipts: ReceiptSigner;
}

/** The calling person, as the people module defines them (it merges its `Subject` in). */
export interface CallingPerson {
  id: string;
}

/** What reads need to know of the caller: who they are and, for a subject, their person. */
export interface Caller {
  principal: Principal;
  /** The calling person (created when first seen); null unless the caller is a subject. */
  me(): Promise<CallingPerson | null>;
}

export interface Context extends Caller {
  requestId: string;
  log: Logger;
  loaders: Loaders;
  services: Services;
  /** Replaces the cached calling person after a change to them. */
  remember(person: CallingPerson): void;
}
