// The one place that reads process.env. Everything is validated once, at start-up, so a typo in a
// variable fails loudly before the server takes traffic.

import proxyaddr from "proxy-addr";

export type NodeEnv = "development" | "production" | "test";
export type GpcScope = "everywhere" | "required";

export interface Config {
  nodeEnv: NodeEnv;
  port: number;
  host: string;
  databaseUrl: string;
  jwtSecret: string | null;
  jwksUrl: string | null;
  jwtIssuer: string | null;
  jwtAudience: string | null;
  defaultJurisdiction: string | null;
  gpcScope: GpcScope;
  introspection: boolean;
  bodyLimitBytes: number;
  logLevel: string;
  /** Test aid: answer each GraphQL response with the number of SQL statements it ran. */
  exposeSqlCount: boolean;
  loadDemoCatalog: boolean;
  /** Ed25519 private JWK (JSON) that signs consent receipts; else one is generated and kept. */
  receiptSigningKey: string | null;
  /** GPP usnat MspaCoveredTransaction: whether the business signed the IAB MSPA. */
  mspaCoveredTransaction: boolean;
  /** The partner feed serves only signals at least this old, so that it never skips one. */
  signalLagMs: number;
  /**
   * How many hash chains (lanes) the audit log spreads appends over. Safe to change on a live
   * database: rows record their lane, head rows are only added, and verification reads them all.
   */
  auditLanes: number;
  /** How far a decision's occurredAt may be from the moment it is recorded, either way. */
  decisionMaxSkewMs: number;
  /** Webhooks: how often the dispatcher looks for due deliveries when nothing wakes it. */
  webhookPollMs: number;
  /** Webhooks: the first retry delay (doubling, with jitter) and the number of attempts. */
  webhookBackoffMs: number;
  webhookMaxAttempts: number;
  /** Webhooks: allow URLs that reach loopback addresses, over http too (development and tests; refused in production). */
  webhookAllowLoopback: boolean;
  /** The bearer token that reads /metrics; without one /metrics is not served. */
  metricsToken: string | null;
  /** Largest GraphQL answer, in bytes; a larger one is refused whole (RESPONSE_TOO_LARGE), never cut. */
  responseLimitBytes: number;
  /** Requests per client in each rate-limit window: anonymous callers by IP, signed-in ones by principal. */
  rateLimitAnonymous: number;
  rateLimitSignedIn: number;
  rateLimitWindowSeconds: number;
  /** Where rate-limit state lives when several processes serve: a Redis URL (else memory per process). */
  redisUrl: string | null;
  /**
   * Proxies in front of Candor whose X-Forwarded-For is believed (addresses, CIDR ranges or
   * proxy-addr's names: loopback, linklocal, uniquelocal). Empty: the peer's address is the client's.
   */
  trustedProxies: string[];
  /** Entries kept by the anonymous response cache (0 turns it off). */
  responseCacheEntries: number;
  /** How often the catalog version is read (outside requests), which the response cache is keyed by. */
  catalogVersionPollMs: number;
  /** Explanations kept rendered per (decision, locale, catalog version) (0 renders every time). */
  explanationCacheEntries: number;
  /** Browser origins whose pages may call Candor (CORS), normalized (scheme://host[:port]). */
  corsOrigins: string[];
  /** Whether any http(s) origin on localhost, 127.0.0.1 or [::1] may too (the default outside production). */
  corsLocalhost: boolean;
  /** Production lock: only the operations of the persisted query manifest run. */
  persistedOnly: boolean;
  /** The manifest's path (relative to the working directory); null: clients/js/persisted-operations.json in the project. */
  persistedManifest: string | null;
  /** Where the web components are (dist/candor.js, privacy.html); null: clients/web in the project. */
  webDir: string | null;
  /** Whether /privacy, the demo privacy center, is served (the default outside production). */
  privacyPage: boolean;
}

export class ConfigError extends Error {}

/** Where Candor keeps its data when DATABASE_URL is not set (relative to the working directory). */
/** What a jurisdiction code looks like (DESIGN §9): US-CA, a country (DE), CA-QC, UNKNOWN. The law tables decide which name a place. */
export const JURISDICTION_SHAPE = /^(US-[A-Z]{2}|[A-Z]{2}|CA-QC|UNKNOWN)$/;
export const JURISDICTION_EXAMPLES = "US-CA, DE or CA-QC";

export const DEFAULT_DATABASE_URL = "sqlite:./data/candor.sqlite";

type Env = Record<string, string | undefined>;

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(", ")}; got "${value}"`);
  }
  return value as T;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}; got "${raw}"`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (["1", "true", "yes"].includes(raw.toLowerCase())) return true;
  if (["0", "false", "no"].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false; got "${raw}"`);
}

function text(env: Env, name: string): string | null {
  const value = env[name];
  return value === undefined || value.trim() === "" ? null : value.trim();
}

function receiptKey(env: Env): string | null {
  const raw = text(env, "CANDOR_RECEIPT_SIGNING_KEY");
  if (raw === null) return null;
  try {
    const jwk = JSON.parse(raw) as { kty?: string; crv?: string; d?: string };
    if (jwk.kty === "OKP" && jwk.crv === "Ed25519" && typeof jwk.d === "string") return raw;
  } catch {
    // fall through
  }
  throw new ConfigError(
    "CANDOR_RECEIPT_SIGNING_KEY must be an Ed25519 private JWK (JSON with kty OKP, crv Ed25519, d)",
  );
}

function redisUrl(env: Env): string | null {
  const raw = text(env, "CANDOR_REDIS_URL");
  if (raw !== null && !/^rediss?:\/\//.test(raw)) {
    throw new ConfigError(`CANDOR_REDIS_URL must be a redis:// or rediss:// URL; got "${raw}"`);
  }
  return raw;
}

function trustedProxies(env: Env): string[] {
  const raw = text(env, "CANDOR_TRUSTED_PROXIES");
  if (raw === null) return [];
  const entries = raw
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  try {
    proxyaddr.compile(entries);
  } catch (err) {
    throw new ConfigError(`CANDOR_TRUSTED_PROXIES: ${(err as Error).message}`);
  }
  return entries;
}

/**
 * CANDOR_CORS_ORIGINS: origins, comma-separated, and the word `localhost` for any local origin.
 * Unset: any local origin outside production, none in production (same-origin pages only).
 */
function corsOrigins(env: Env, nodeEnv: NodeEnv): { corsOrigins: string[]; corsLocalhost: boolean } {
  const raw = text(env, "CANDOR_CORS_ORIGINS");
  if (raw === null) return { corsOrigins: [], corsLocalhost: nodeEnv !== "production" };
  const entries = raw
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const origins = entries
    .filter((entry) => entry !== "localhost")
    .map((entry) => {
      // A wildcard would let any site act with the credential a person's page holds: name the sites.
      if (entry === "*")
        throw new ConfigError("CANDOR_CORS_ORIGINS cannot be *: list the origins that may call Candor");
      let url: URL | null = null;
      try {
        url = new URL(entry);
      } catch {
        // said below
      }
      // Kept serialized as browsers send it (lowercase host, no default port), the form compared.
      const bare = url !== null && url.pathname === "/" && url.search === "" && url.hash === "" && url.username === "";
      if (url === null || !/^https?:$/.test(url.protocol) || !bare) {
        throw new ConfigError(
          `CANDOR_CORS_ORIGINS: "${entry}" is not an origin (scheme://host[:port], no path), e.g. https://shop.example`,
        );
      }
      return url.origin;
    });
  return { corsOrigins: [...new Set(origins)], corsLocalhost: entries.includes("localhost") };
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, "NODE_ENV", ["development", "production", "test"] as const, "development");
  const jwtSecret = text(env, "CANDOR_JWT_SECRET");
  const jwksUrl = text(env, "CANDOR_JWKS_URL");
  if (jwtSecret !== null && Buffer.byteLength(jwtSecret) < 32) {
    throw new ConfigError("CANDOR_JWT_SECRET must be at least 32 bytes long (HS256 needs a 256-bit key)");
  }
  if (jwksUrl !== null && !/^https?:\/\//.test(jwksUrl)) {
    throw new ConfigError(`CANDOR_JWKS_URL must be an http(s) URL; got "${jwksUrl}"`);
  }
  // Without either, development generates a secret and keeps it in the database; production
  // must be told who signs its tokens.
  if (nodeEnv === "production" && jwtSecret === null && jwksUrl === null) {
    throw new ConfigError("In production set CANDOR_JWT_SECRET or CANDOR_JWKS_URL");
  }
  const defaultJurisdiction = text(env, "CANDOR_DEFAULT_JURISDICTION");
  if (defaultJurisdiction !== null && !JURISDICTION_SHAPE.test(defaultJurisdiction)) {
    throw new ConfigError(
      `CANDOR_DEFAULT_JURISDICTION must look like ${JURISDICTION_EXAMPLES}; got "${defaultJurisdiction}"`,
    );
  }
  // Webhooks to loopback are a development aid: in production they are the SSRF this guards against.
  const webhookAllowLoopback = flag(env, "CANDOR_WEBHOOK_ALLOW_LOOPBACK", nodeEnv !== "production");
  if (nodeEnv === "production" && webhookAllowLoopback) {
    throw new ConfigError("CANDOR_WEBHOOK_ALLOW_LOOPBACK cannot be set in production");
  }
  const metricsToken = text(env, "CANDOR_METRICS_TOKEN");
  if (metricsToken !== null && !/^[A-Za-z0-9._~+/=-]{16,200}$/.test(metricsToken)) {
    throw new ConfigError("CANDOR_METRICS_TOKEN must be 16-200 letters, digits or . _ ~ + / = - (a token68)");
  }
  return {
    nodeEnv,
    port: integer(env, "PORT", 4000, 0, 65535),
    host: text(env, "HOST") ?? "0.0.0.0",
    databaseUrl: text(env, "DATABASE_URL") ?? DEFAULT_DATABASE_URL,
    jwtSecret,
    jwksUrl,
    jwtIssuer: text(env, "CANDOR_JWT_ISSUER"),
    jwtAudience: text(env, "CANDOR_JWT_AUDIENCE"),
    defaultJurisdiction,
    gpcScope: oneOf(env, "CANDOR_GPC_SCOPE", ["everywhere", "required"] as const, "everywhere"),
    introspection: flag(env, "CANDOR_INTROSPECTION", nodeEnv !== "production"),
    bodyLimitBytes: integer(env, "CANDOR_BODY_LIMIT_BYTES", 1_048_576, 1024, 50 * 1_048_576),
    logLevel: oneOf(
      env,
      "LOG_LEVEL",
      ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const,
      nodeEnv === "test" ? "silent" : "info",
    ),
    exposeSqlCount: flag(env, "CANDOR_EXPOSE_SQL_COUNT", false),
    // The demo catalog by default only in development; production never gets demo people or decisions.
    loadDemoCatalog: flag(env, "CANDOR_LOAD_DEMO_CATALOG", nodeEnv === "development"),
    receiptSigningKey: receiptKey(env),
    mspaCoveredTransaction: flag(env, "CANDOR_MSPA_COVERED_TRANSACTION", false),
    signalLagMs: integer(env, "CANDOR_SIGNAL_LAG_MS", 3000, 0, 600_000),
    auditLanes: integer(env, "CANDOR_AUDIT_LANES", 16, 1, 1024),
    decisionMaxSkewMs: integer(env, "CANDOR_DECISION_MAX_SKEW_MS", 300_000, 0, 10 * 366 * 86_400_000),
    webhookPollMs: integer(env, "CANDOR_WEBHOOK_POLL_MS", 30_000, 50, 3_600_000),
    webhookBackoffMs: integer(env, "CANDOR_WEBHOOK_BACKOFF_MS", 5000, 10, 3_600_000),
    webhookMaxAttempts: integer(env, "CANDOR_WEBHOOK_MAX_ATTEMPTS", 8, 1, 50),
    webhookAllowLoopback,
    metricsToken,
    responseLimitBytes: integer(env, "CANDOR_RESPONSE_LIMIT_BYTES", 4 * 1_048_576, 1024, 512 * 1_048_576),
    rateLimitAnonymous: integer(env, "CANDOR_RATE_LIMIT_ANONYMOUS", 300, 1, 1_000_000_000),
    rateLimitSignedIn: integer(env, "CANDOR_RATE_LIMIT_SIGNED_IN", 1200, 1, 1_000_000_000),
    rateLimitWindowSeconds: integer(env, "CANDOR_RATE_LIMIT_WINDOW_SECONDS", 60, 1, 86_400),
    redisUrl: redisUrl(env),
    trustedProxies: trustedProxies(env),
    responseCacheEntries: integer(env, "CANDOR_RESPONSE_CACHE_ENTRIES", 1000, 0, 1_000_000),
    catalogVersionPollMs: integer(env, "CANDOR_CATALOG_VERSION_POLL_MS", 1000, 10, 60_000),
    explanationCacheEntries: integer(env, "CANDOR_EXPLANATION_CACHE_ENTRIES", 10_000, 0, 1_000_000),
    ...corsOrigins(env, nodeEnv),
    // The manifest itself is read and checked when the server starts (src/http/persisted.ts).
    persistedOnly: flag(env, "CANDOR_PERSISTED_ONLY", false),
    persistedManifest: text(env, "CANDOR_PERSISTED_MANIFEST"),
    webDir: text(env, "CANDOR_WEB_DIR"),
    privacyPage: flag(env, "CANDOR_PRIVACY_PAGE", nodeEnv !== "production"),
  };
}
