import "reflect-metadata";
import { SignJWT } from "jose";
import type { Logger } from "pino";
import { createServices } from "../../src/app/services";
import { startServer, type RunningServer } from "../../src/http/start";
import { loadConfig, type Config } from "../../src/config";
import { loadDemoCatalogIfEmpty } from "../../src/app/demo/demo";
import type { Services } from "../../src/app/context";
import type { HostResolver } from "../../src/modules/sharing/webhook-target";
import { resetDatabase, testDatabaseUrl } from "./database";

// Vendure-style harness: the real server on a free port, against the test database, with a tiny
// GraphQL client and real credentials.

export const TEST_JWT_SECRET = "candor-test-secret-0123456789-abcdefghijklmnop";
/** DESIGN §9: tests give their people a jurisdiction or set the default; people the engine names without one live here. */
export const TEST_DEFAULT_JURISDICTION = "US-CA";

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }> };
  sqlCount: number;
}

export interface TestServer {
  url: string;
  services: Services;
  running: RunningServer;
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<GqlResult<T>>;
  subjectToken(externalId: string, claims?: Record<string, unknown>): Promise<string>;
  adminToken(): Promise<string>;
  serviceKey(scopes: string[], name?: string): Promise<string>;
  partnerKey(partner: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  /** Load catalog/demo.yaml (default true). */
  demoCatalog?: boolean;
  /** Where the server logs (default: silent, as NODE_ENV=test sets). */
  logger?: Logger;
  /** How webhook hosts resolve (default: DNS). */
  resolveHost?: HostResolver;
}

/** The test server's configuration, on a fresh (emptied) test database, with `env` on top. */
export async function testConfig(env: Record<string, string> = {}): Promise<Config> {
  const databaseUrl = testDatabaseUrl();
  await resetDatabase(databaseUrl);
  return loadConfig({
    NODE_ENV: "test",
    DATABASE_URL: databaseUrl,
    PORT: "0",
    HOST: "127.0.0.1",
    CANDOR_JWT_SECRET: TEST_JWT_SECRET,
    CANDOR_EXPOSE_SQL_COUNT: "true",
    // A test of UNKNOWN sets this to "".
    CANDOR_DEFAULT_JURISDICTION: TEST_DEFAULT_JURISDICTION,
    // Suites send many requests from one address and read their own writes at once: generous rate
    // limits and no response cache, unless a test of those sets them (tests/fair-service.test.ts).
    CANDOR_RATE_LIMIT_ANONYMOUS: "1000000",
    CANDOR_RATE_LIMIT_SIGNED_IN: "1000000",
    CANDOR_RESPONSE_CACHE_ENTRIES: "0",
    ...env,
  });
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const config = await testConfig(options.env);
  const services = await createServices(config, options.logger, { resolveHost: options.resolveHost });
  if (options.demoCatalog !== false) await loadDemoCatalogIfEmpty(services);
  const running = await startServer(services);
  const secret = new TextEncoder().encode(config.jwtSecret ?? TEST_JWT_SECRET);
  const sign = (claims: Record<string, unknown>, sub: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(secret);

  return {
    url: running.url,
    services,
    running,
    async gql(query, variables, opts = {}) {
      const response = await fetch(running.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...opts.headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      let body: GqlResult["body"];
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`Not JSON (HTTP ${response.status}): ${text.slice(0, 300)}`);
      }
      return {
        status: response.status,
        headers: response.headers,
        body,
        sqlCount: Number(response.headers.get("x-candor-sql-count") ?? NaN),
      } as never;
    },
    subjectToken: (externalId, claims = {}) => sign({ role: "subject", jurisdiction: "US-CA", ...claims }, externalId),
    adminToken: () => sign({ role: "admin" }, "test-admin"),
    serviceKey: (scopes, name = "test-engine") => services.apiKeys.createServiceKey(name, scopes),
    partnerKey: (partner) => services.apiKeys.createPartnerKey(partner),
    close: () => running.close(),
  };
}

/** Applies a catalog file from tests/fixtures through the real catalog service. */
export async function applyFixture(t: TestServer, name: string): Promise<void> {
  const { readFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { CatalogApplyService } = await import("../../src/modules/catalog/catalog-apply.service");
  await new CatalogApplyService(t.services.db).applyFile(
    name,
    readFileSync(join(__dirname, "..", "fixtures", name), "utf8"),
    "test",
  );
}
