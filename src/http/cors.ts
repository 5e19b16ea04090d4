import type { IncomingMessage, ServerResponse } from "node:http";
import type { Config } from "../config";

// CORS, deliberately: only the origins configured (CANDOR_CORS_ORIGINS; any local origin outside
// production by default) are told they may read an answer, each by name, never `*`. Credentials
// travel in the Authorization header, not cookies, so Access-Control-Allow-Credentials is not sent.

/** A page served from this machine, any port: a development server on :5173 calling Candor on :4000. */
const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/** What a browser page may send: credentials, JSON, Apollo's CSRF and client headers, GPC, a request id. */
export const CORS_ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "apollo-require-preflight",
  "x-apollo-operation-name",
  "apollographql-client-name",
  "apollographql-client-version",
  "sec-gpc",
  "x-request-id",
].join(", ");

/** What page scripts may read beyond the CORS-safelisted headers: the id to quote to support, when to retry. */
export const CORS_EXPOSED_HEADERS = "x-request-id, retry-after";

/** How long a browser may keep a preflight's answer: two hours, Chromium's ceiling (Firefox keeps it a day at most). */
export const CORS_MAX_AGE_SECONDS = 7200;

export type OriginCheck = (origin: string) => boolean;

export function originCheck(config: Pick<Config, "corsOrigins" | "corsLocalhost">): OriginCheck {
  const listed = new Set(config.corsOrigins);
  return (origin) => listed.has(origin) || (config.corsLocalhost && LOCAL_ORIGIN.test(origin));
}

/** Adds "Origin" (and more) to a Vary header, keeping what is there. */
export function vary(current: string | undefined, ...names: string[]): string {
  const have = (current ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  for (const name of names) if (!have.some((h) => h.toLowerCase() === name.toLowerCase())) have.push(name);
  return have.join(", ");
}

/**
 * Sets the CORS headers of the answer to `req` on `res` (every answer varies by Origin, so a shared
 * cache keeps one per origin). An OPTIONS request is a preflight: it is answered here (204) and
 * true is returned; a refused origin's preflight gets no Access-Control-Allow-* header, which the
 * browser reports as a CORS error.
 */
export function applyCors(allowed: OriginCheck, req: IncomingMessage, res: ServerResponse): boolean {
  res.setHeader("vary", "Origin");
  const origin = req.headers.origin;
  const ok = typeof origin === "string" && allowed(origin);
  if (req.method === "OPTIONS") {
    if (ok && req.headers["access-control-request-method"] !== undefined) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
      res.setHeader("access-control-allow-headers", CORS_ALLOWED_HEADERS);
      res.setHeader("access-control-max-age", String(CORS_MAX_AGE_SECONDS));
    }
    res.writeHead(204, { allow: "GET, HEAD, POST, OPTIONS" }).end();
    return true;
  }
  if (ok) {
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("access-control-expose-headers", CORS_EXPOSED_HEADERS);
  }
  return false;
}
