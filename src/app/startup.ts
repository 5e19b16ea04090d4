import type { Server } from "node:http";
import { ConfigError } from "../config";
import { DatabaseUrlError } from "../kernel/db/database";

// Problems met when starting Candor (or the candor command), each with one line that says what to
// do about it: main.ts and the CLI print that line and exit 1, never a stack.

/** The port is taken by another process (or another Candor). */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`Port ${port} is already in use: stop what uses it, or start Candor with PORT=<another port>`);
  }
}

/** Any other reason the server cannot listen (a privileged port, a HOST this machine does not have). */
export class ListenError extends Error {}

/** `server.listen` that rejects with a clear error, instead of an unhandled 'error' event, when it cannot listen. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") return reject(new PortInUseError(port));
      if (err.code === "EACCES") return reject(new ListenError(`Port ${port} needs privileges: use a PORT above 1023`));
      if (err.code === "EADDRNOTAVAIL") {
        return reject(new ListenError(`HOST=${host} is not an address of this machine: use 0.0.0.0 or 127.0.0.1`));
      }
      reject(err);
    };
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      resolve();
    });
  });
}

interface DriverError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
}

/** MySQL/MariaDB's "Unknown database" (ER_BAD_DB_ERROR, errno 1049) said as what to do; null for anything else. */
export function missingDatabase(err: unknown): DatabaseUrlError | null {
  const driver = (err as { driverError?: DriverError } | null)?.driverError ?? (err as DriverError | null);
  if (driver?.code !== "ER_BAD_DB_ERROR" && driver?.errno !== 1049) return null;
  const name = /'([^']*)'/.exec(driver.sqlMessage ?? "")?.[1] ?? "";
  const which = name === "" ? "The database in DATABASE_URL" : `The database ${name} in DATABASE_URL`;
  const create = `CREATE DATABASE ${name === "" ? "…" : /^\w+$/.test(name) ? name : `\`${name}\``}`;
  return new DatabaseUrlError(`${which} does not exist: create it first (${create}); Candor creates its tables`);
}

/** The one line to print for a start-up problem with a known remedy; null for anything else. */
export function startupProblem(err: unknown): string | null {
  const known =
    err instanceof PortInUseError ||
    err instanceof ListenError ||
    err instanceof DatabaseUrlError ||
    err instanceof ConfigError;
  return known ? err.message : (missingDatabase(err)?.message ?? null);
}
