import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger, QueryRunner } from "typeorm";

/** Counts the SQL statements one request runs, so tests can assert them (never times). */
interface Tally {
  count: number;
}

const storage = new AsyncLocalStorage<Tally>();

export function countSqlStatements<T>(fn: () => T): { result: T; tally: Tally } {
  const tally: Tally = { count: 0 };
  const result = storage.run(tally, fn);
  return { result, tally };
}

/** A TypeORM logger: counts statements for the current request and reports failures to pino. */
export class CountingLogger implements Logger {
  constructor(private readonly onError: (message: string, query: string) => void = () => undefined) {}

  logQuery(query: string, _parameters?: unknown[], _queryRunner?: QueryRunner): void {
    // Transaction control (BEGIN/COMMIT, savepoints) is bookkeeping, not a data statement.
    if (
      /^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|SET TRANSACTION)/i.test(query) ||
      query.endsWith("/* candor:write-lock */")
    )
      return;
    const tally = storage.getStore();
    if (tally) tally.count += 1;
  }
  logQueryError(error: string | Error, query: string): void {
    this.onError(typeof error === "string" ? error : error.message, query);
  }
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
