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

type StatementListener = (query: string, parameters: unknown[]) => void;
const listeners = new Set<StatementListener>();

/**
 * Calls `listener` with every statement the process runs until the returned function is called
 * (tests that EXPLAIN what a request ran through the real HTTP server).
 */
export function onSqlStatement(listener: StatementListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A TypeORM logger: counts statements for the current request and reports failures to pino. */
export class CountingLogger implements Logger {
  constructor(private readonly onError: (message: string, query: string) => void = () => undefined) {}

  logQuery(query: string, parameters?: unknown[], _queryRunner?: QueryRunner): void {
    // Transaction control (BEGIN/COMMIT, savepoints) is bookkeeping, not a data statement.
    if (
      /^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|SET TRANSACTION)/i.test(query) ||
      query.endsWith("/* candor:write-lock */")
    )
      return;
    for (const listener of listeners) listener(query, parameters ?? []);
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
