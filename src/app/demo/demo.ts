import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { signToken, hs256Key } from "../../auth/jwt";
import { SERVICE_SCOPES } from "../../kernel/principal";
import { DEMO_PERSON } from "./demo-decisions";
import type { Services } from "../context";
import { CatalogApplyService } from "../../modules/catalog/catalog-apply.service";
import { Partner } from "../../modules/catalog/partner.entity";
import { Purpose } from "../../modules/catalog/purpose.entity";
import { demoCatalogPath, projectRoot } from "../../kernel/paths";

const WEEK = 7 * 24 * 3600;

/** The partner whose key the demo prints: the data broker of the README's sharing and signal examples. */
export const DEMO_PARTNER = "open-range-data";

/**
 * Loads the demo catalog into a database that has none yet: its history first (catalog/history,
 * oldest first: earlier policy versions and the catalog they described), then catalog/demo.yaml.
 */
export async function loadDemoCatalogIfEmpty(services: Services): Promise<boolean> {
  if ((await services.db.manager.count(Purpose)) > 0) return false;
  const history = join(projectRoot(), "catalog", "history");
  const files = [
    ...readdirSync(history)
      .filter((f) => f.endsWith(".yaml"))
      .sort()
      .map((f) => join(history, f)),
    demoCatalogPath(),
  ];
  const apply = new CatalogApplyService(services.db);
  for (const path of files)
    await apply.applyFile(relative(projectRoot(), path), readFileSync(path, "utf8"), "system:demo");
  return true;
}

export interface DemoCredentials {
  subjectToken: string;
  adminToken: string;
  serviceKey: string;
  partnerKey: string | null;
  partner: string | null;
}

const DEMO_SUBJECT = { sub: DEMO_PERSON, role: "subject", jurisdiction: "US-CA" } as const;

/**
 * A subject token for the demo person, lasting ttlSeconds: what the development privacy center
 * page is served with. Null when Candor does not sign its own tokens (CANDOR_JWKS_URL).
 */
export async function demoSubjectToken(services: Services, ttlSeconds: number): Promise<string | null> {
  const key = await hs256Key(services.config, services.db);
  return key ? signToken(services.config, key, DEMO_SUBJECT, ttlSeconds) : null;
}

/** Fresh credentials for trying Candor out: a person in California, an admin, the engine, a partner. */
export async function createDemoCredentials(services: Services): Promise<DemoCredentials | null> {
  const key = await hs256Key(services.config, services.db);
  if (!key) return null;
  const partner =
    (await services.db.manager.findOne(Partner, { where: { key: DEMO_PARTNER } })) ??
    (await services.db.manager.findOne(Partner, { where: {}, order: { position: "ASC" } }));
  return {
    subjectToken: await signToken(services.config, key, DEMO_SUBJECT, WEEK),
    adminToken: await signToken(services.config, key, { sub: "demo-admin", role: "admin" }, WEEK),
    serviceKey: await services.apiKeys.createServiceKey("demo-engine", [...SERVICE_SCOPES]),
    partnerKey: partner ? await services.apiKeys.createPartnerKey(partner.key) : null,
    partner: partner?.key ?? null,
  };
}
