// "The database is unavailable" — as opposed to a bug or a bad statement — recognised in one
// place for both drivers, so the HTTP layer can answer 503 + Retry-After instead of a masked 500.

/** mysql2 / MariaDB: the server is down, unreachable, shutting down, full, or the link broke. */
const MYSQL_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_CON_COUNT_ERROR",
  "ER_TOO_MANY_USER_CONNECTIONS",
  "ER_SERVER_SHUTDOWN",
  "ER_QUERY_INTERRUPTED",
  // Galera: "WSREP has not yet prepared node for application use".
  "ER_UNKNOWN_COM_ERROR",
]);

/** better-sqlite3: the file is locked past the busy timeout, unreadable or cannot be opened (extended codes too). */
const SQLITE_PREFIXES = ["SQLITE_BUSY", "SQLITE_IOERR", "SQLITE_CANTOPEN"];

/** mysql2's pool and connection errors that carry no code. */
const MESSAGES = /pool is closed|queue limit reached|timeout acquiring|connection is in closed state|connection lost/i;

interface Chained {
  code?: unknown;
  fatal?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/** True when `err` (or what it wraps: TypeORM's driverError, a cause, GraphQL's originalError) says the database is out of reach. */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (err === null || typeof err !== "object" || depth > 5) return false;
  if (err instanceof DatabaseUnavailableError) return true;
  const e = err as Chained;
  const code = typeof e.code === "string" ? e.code : "";
  if (MYSQL_CODES.has(code) || SQLITE_PREFIXES.some((p) => code.startsWith(p))) return true;
  // mysql2 marks errors that killed the connection as fatal.
  if (e.fatal === true) return true;
  if (typeof e.message === "string" && MESSAGES.test(e.message)) return true;
  return [e.driverError, e.cause, e.originalError].some(
    (inner) => inner !== err && isDatabaseUnavailable(inner, depth + 1),
  );
}

/**
 * The one error a resolver passes on when the database is out of reach, with the driver's error as
 * its cause: a plain Error of this realm, whatever the driver threw (a socket error may come from
 * another realm under a test runner, where graphql-js would not see it as an error).
 */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super("The database is unavailable", { cause });
  }
}
