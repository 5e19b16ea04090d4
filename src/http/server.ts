import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { HeaderMap, type ApolloServer } from "@apollo/server";
import { GraphQLError } from "graphql";
import { buildContext, type Context, type Services } from "../app/context";
import { countSqlStatements } from "../kernel/db/sql-counter";
import { Role } from "../kernel/principal";
import { ACCESS_EXPORT_SCHEMA_PATH, accessExportSchema } from "../modules/rights";
import { isUnavailable, RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE, UnavailableError } from "./unavailable";
import { metricsAccess, type Metrics } from "./metrics";
import { clientAddressResolver } from "./client-address";
import type { RateLimits } from "./rate-limit";
import { isPublicAnswer, ResponseCache } from "./response-cache";
import { applyCors, originCheck, vary } from "./cors";
import {
  NOT_ALLOWED_MESSAGE,
  PERSISTED_QUERY_NOT_ALLOWED,
  requestedOperation,
  type PersistedOperations,
} from "./persisted";
import { kitRoutes } from "./kit";

// Candor's HTTP layer: node:http directly (measured faster than an express integration), with
// GraphQL at /graphql plus health, metrics, .well-known and /schemas routes.

const ACCESS_EXPORT_SCHEMA = JSON.stringify(accessExportSchema);

class BodyTooLarge extends Error {}
class NotUtf8 extends Error {}

// Issue 12: bytes that are not UTF-8 are refused, not decoded to U+FFFD (which would make
// "x\xff" and "x\ufffd" one person, as lone surrogates did).
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Whether a query string's percent-encoded bytes are UTF-8 (URLSearchParams would put U+FFFD in their place). */
function isUtf8Search(search: string): boolean {
  if (!search.includes("%")) return true;
  const bytes = search.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  try {
    utf8.decode(Buffer.from(bytes, "latin1"));
    return true;
  } catch {
    return false;
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      try {
        resolve(utf8.decode(Buffer.concat(chunks)));
      } catch {
        reject(new NotUtf8());
      }
    });
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(body);
}

const graphqlError = (message: string, code: string, extensions: Record<string, unknown> = {}) =>
  JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] });

const tooManyRequests = (seconds: number) => `Too many requests: try again in ${seconds} s`;

/** A signed-in caller over its budget, refused from Apollo's context function: HTTP 429 with Retry-After. */
function rateLimited(seconds: number): GraphQLError {
  return new GraphQLError(tooManyRequests(seconds), {
    extensions: {
      code: "RATE_LIMITED",
      retryAfterSeconds: seconds,
      http: { status: 429, headers: new HeaderMap([["retry-after", String(seconds)]]) },
    },
  });
}

/**
 * A readiness probe must answer. A database that accepts connections but never replies (frozen,
 * or a peer gone without closing its TCP connections) has no error to throw: after this long it
 * counts as unreachable (tests/faults: mariadbd stopped with SIGSTOP made the probe hang).
 */
export const READY_TIMEOUT_MS = 3000;

class ReadyTimeout extends Error {}

/** `work`, or a ReadyTimeout once `ms` have passed (the work itself goes on and is ignored). */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReadyTimeout(`no answer from the database in ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export interface HttpDeps {
  services: Services;
  apollo: ApolloServer<Context>;
  metrics: Metrics;
  limits: RateLimits;
  /** The production lock's operations (CANDOR_PERSISTED_ONLY); null: any operation runs. */
  persisted: PersistedOperations | null;
}

export function createHttpServer({ services, apollo, metrics, limits, persisted }: HttpDeps): Server {
  const { config, db, logger } = services;
  const clientAddress = clientAddressResolver(config);
  const cache = new ResponseCache(config.responseCacheEntries);
  const corsAllowed = originCheck(config);
  const kit = kitRoutes(services);

  async function ready(): Promise<{ status: number; body: Record<string, unknown> }> {
    try {
      const pending = await within(
        db.manager.query("SELECT 1").then(() => db.pendingMigrations()),
        READY_TIMEOUT_MS,
      );
      return pending
        ? { status: 503, body: { status: "unavailable", database: "ok", migrations: "pending" } }
        : { status: 200, body: { status: "ok", database: "ok", migrations: "current" } };
    } catch (err) {
      logger.warn({ err }, "readiness check failed");
      return { status: 503, body: { status: "unavailable", database: "unreachable" } };
    }
  }

  async function graphql(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    const address = clientAddress(req);
    const anonymous = req.headers.authorization === undefined;
    // Anonymous callers are counted by address before anything else is done for them.
    const wait = anonymous ? await limits.byAddress(address) : null;
    if (wait !== null)
      return send(res, 429, graphqlError(tooManyRequests(wait), "RATE_LIMITED", { retryAfterSeconds: wait }), {
        "retry-after": String(wait),
        "x-request-id": requestId,
      });
    let body: unknown = undefined;
    if (req.method === "POST") {
      let text: string;
      try {
        text = await readBody(req, config.bodyLimitBytes);
      } catch (err) {
        if (err instanceof BodyTooLarge)
          return send(
            res,
            413,
            graphqlError(`The request body is larger than ${config.bodyLimitBytes} bytes`, "PAYLOAD_TOO_LARGE"),
          );
        if (err instanceof NotUtf8) return send(res, 400, graphqlError("The request body is not UTF-8", "BAD_REQUEST"));
        throw err;
      }
      const contentType = String(req.headers["content-type"] ?? "");
      if (contentType.includes("json")) {
        try {
          body = text === "" ? undefined : JSON.parse(text);
        } catch {
          return send(res, 400, graphqlError("The request body is not valid JSON", "BAD_REQUEST"));
        }
      } else {
        body = text;
      }
    }
    if (!isUtf8Search(url.search))
      return send(res, 400, graphqlError("The query string is not percent-encoded UTF-8", "BAD_REQUEST"));
    let search = url.search;
    if (persisted !== null) {
      // The lock is judged before the cache and before Apollo: a refused operation runs nothing.
      const { query, hash } = requestedOperation(req.method ?? "GET", url, body);
      const verdict = persisted.judge(query, hash);
      if (verdict === "refused")
        return answer(res, requestId, 400, {}, graphqlError(NOT_ALLOWED_MESSAGE, PERSISTED_QUERY_NOT_ALLOWED), 0);
      if (verdict.addQuery !== null) {
        if (req.method === "GET") {
          const params = new URLSearchParams(url.search);
          params.set("query", verdict.addQuery);
          search = `?${params}`;
        } else body = { ...(body as object), query: verdict.addQuery };
      }
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    const gpcSignal = req.headers["sec-gpc"] === "1";
    // Anonymous catalog answers come from the cache while the catalog version stands (read by a
    // timer, never here): a hit runs no SQL at all.
    const version = services.catalogVersion.current;
    const cacheKey =
      anonymous && cache.enabled && version !== null
        ? ResponseCache.key(version, [req.method, url.search, body, gpcSignal])
        : null;
    const hit = cacheKey === null ? undefined : cache.get(cacheKey);
    // Said on every answer the cache could hold: the catalog costs no SQL either way (it is held
    // in memory), so this is how a client or a test tells a kept answer from a computed one.
    if (hit) return answer(res, requestId, hit.status, { ...hit.headers, "x-candor-cache": "hit" }, hit.body, 0);
    const log = logger.child({ requestId });
    const { result, tally } = countSqlStatements(() =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? "GET", headers, search, body },
        context: async (): Promise<Context> => {
          try {
            const principal = await services.authenticator
              .principalFor(req.headers.authorization)
              .catch(async (err) => {
                // Bad credentials count against the address, as anonymous requests do.
                const seconds = await limits.byAddress(address);
                throw seconds === null ? err : rateLimited(seconds);
              });
            // An Authorization header that names no one (empty) counts against the address too.
            const seconds =
              principal.role !== Role.ANONYMOUS
                ? await limits.byPrincipal(principal)
                : anonymous
                  ? null
                  : await limits.byAddress(address);
            if (seconds !== null) throw rateLimited(seconds);
            return await buildContext(services, { principal, requestId, log, gpcSignal });
          } catch (err) {
            // No plugin sees a failed context: this is the one log line of such a request.
            if (!isUnavailable(err)) throw err;
            log.warn({ err }, "database unavailable");
            throw new UnavailableError();
          }
        },
      }),
    );
    const response = await result;
    const headersOut: Record<string, string> = {};
    for (const [key, value] of response.headers) headersOut[key] = value;
    if (response.body.kind !== "complete") {
      const out = { ...headersOut, vary: vary(headersOut.vary, "Origin", "Authorization"), "x-request-id": requestId };
      res.writeHead(response.status ?? 200, out);
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
      return;
    }
    const text = response.body.string;
    if (Buffer.byteLength(text) > config.responseLimitBytes) {
      // Refused whole, never cut: a truncated body would be a different (wrong) answer.
      const message = `The answer is larger than ${config.responseLimitBytes} bytes: ask for fewer fields or smaller pages`;
      return answer(res, requestId, 400, {}, graphqlError(message, "RESPONSE_TOO_LARGE"), tally.count);
    }
    const status = response.status ?? 200;
    if (cacheKey !== null && status === 200 && isPublicAnswer(headersOut))
      cache.set(cacheKey, { status, headers: headersOut, body: text });
    if (cacheKey !== null) headersOut["x-candor-cache"] = "miss";
    answer(res, requestId, status, headersOut, text, tally.count);
  }

  function answer(
    res: ServerResponse,
    requestId: string,
    status: number,
    headers: Record<string, string>,
    text: string,
    sqlCount: number,
  ): void {
    const out: Record<string, string> = {
      "content-type": "application/json; charset=utf-8",
      ...headers,
      "x-request-id": requestId,
    };
    // Answers differ by credential (and, in their CORS headers, by origin): a shared cache must key on both.
    out.vary = vary(out.vary, "Origin", "Authorization");
    if (config.exposeSqlCount) out["x-candor-sql-count"] = String(sqlCount);
    res.writeHead(status, out);
    res.end(text);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<string> {
    if (applyCors(corsAllowed, req, res)) return "preflight";
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://candor.local");
    } catch {
      send(res, 400, JSON.stringify({ error: "Malformed request URL" }));
      return "bad-url";
    }
    const requestId = /^[A-Za-z0-9-]{1,64}$/.test(String(req.headers["x-request-id"] ?? ""))
      ? String(req.headers["x-request-id"])
      : randomUUID();
    switch (url.pathname) {
      case "/graphql":
        await graphql(req, res, url, requestId);
        return "graphql";
      case "/health/live":
        send(res, 200, JSON.stringify({ status: "ok" }));
        return "health";
      case "/health/ready": {
        const { status, body } = await ready();
        send(res, status, JSON.stringify(body), status === 503 ? { "retry-after": String(RETRY_AFTER_SECONDS) } : {});
        return "health";
      }
      case "/metrics":
        switch (metricsAccess(config.metricsToken, req.headers.authorization)) {
          case "off":
            send(res, 404, JSON.stringify({ error: "Not found" }));
            return "not-found";
          case "unauthorized":
            send(res, 401, JSON.stringify({ error: "Unauthorized" }), { "www-authenticate": 'Bearer realm="metrics"' });
            return "metrics";
          default:
            send(res, 200, await metrics.registry.metrics(), { "content-type": metrics.registry.contentType });
            return "metrics";
        }
      case "/.well-known/jwks.json":
        // Public keys that verify consent receipts (and signed audit heads), retired ones included.
        send(res, 200, JSON.stringify(services.receipts.jwks()), { "cache-control": "public, max-age=300" });
        return "well-known";
      case "/.well-known/gpc.json":
        // The GPC spec's support resource: this site honors Global Privacy Control.
        send(res, 200, JSON.stringify({ gpc: true, lastUpdate: "2026-11-29" }));
        return "well-known";
      case "/widget/candor.js":
        return kit.widget(req, res);
      case "/privacy":
        return kit.privacy(res);
      case ACCESS_EXPORT_SCHEMA_PATH:
        // What an access export (DataRequest.export) looks like, for the person's tools or a regulator's.
        send(res, 200, ACCESS_EXPORT_SCHEMA, {
          "content-type": "application/schema+json; charset=utf-8",
          "cache-control": "public, max-age=3600",
        });
        return "schema";
      default:
        send(res, 404, JSON.stringify({ error: "Not found" }));
        return "not-found";
    }
  }

  return createServer((req, res) => {
    route(req, res)
      .then((name) => metrics.http.inc({ route: name, status: String(res.statusCode) }))
      .catch((err) => {
        if (isUnavailable(err) && !res.headersSent) {
          logger.warn({ err }, "database unavailable");
          send(res, 503, graphqlError(UNAVAILABLE_MESSAGE, "UNAVAILABLE"), {
            "retry-after": String(RETRY_AFTER_SECONDS),
          });
          metrics.http.inc({ route: "error", status: "503" });
          return;
        }
        logger.error({ err }, "request failed");
        if (!res.headersSent) send(res, 500, graphqlError("Internal server error", "INTERNAL_SERVER_ERROR"));
        else res.end();
        metrics.http.inc({ route: "error", status: "500" });
      });
  });
}
