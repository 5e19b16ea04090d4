import type { Logger } from "pino";
import type { Authenticator } from "../auth/authenticate";
import type { ApiKeyService } from "../auth/api-key.service";
import type { Principal } from "../auth/principal";
import type { Config } from "../config";
import type { Database } from "../db/database";
import { createCatalogLoaders } from "../modules/catalog/catalog.loaders";
import type { CatalogService } from "../modules/catalog/catalog.service";

/** Long-lived services, built once at start-up. */
export interface Services {
  config: Config;
  db: Database;
  logger: Logger;
  authenticator: Authenticator;
  apiKeys: ApiKeyService;
  catalog: CatalogService;
}

/** Fresh per request: a loader's cache must never outlive the request (or leak across callers). */
export function createLoaders(services: Services) {
  const reader = () => services.db.manager;
  return {
    catalog: createCatalogLoaders(reader),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

export interface Context {
  principal: Principal;
  requestId: string;
  log: Logger;
  loaders: Loaders;
  services: Services;
}
