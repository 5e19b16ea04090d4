import { AsyncLocalStorage } from "node:async_hooks";
import type { RequestListener } from "node:http";
import type { DataSource } from "typeorm";
import type { TestServer } from "../../tests/helpers/server";

/** One SQL statement the server ran, with its parameters and the operation that caused it. */
export interface Statement {
  sql: string;
  parameters: unknown[];
  /** The scripted operation whose request ran it; null for work outside any request (timers). */
  operation: string | null;
}

const TRANSACTION_CONTROL =
  /^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|SET TRANSACTION|PRAGMA)/i;

/**
 * Records every statement the real server runs, tagged with the operation being sent. The tag
 * travels with the request's async context (the HTTP `request` listener runs inside it), so a
 * timer's statements (the catalog-version poll) are told apart from the request's own.
 */
export class StatementRecorder {
  readonly statements: Statement[] = [];
  private readonly current = new AsyncLocalStorage<string>();
  private pending: string | null = null;

  constructor(t: TestServer) {
    const server = t.running.server;
    const listeners = server.listeners("request") as RequestListener[];
    server.removeAllListeners("request");
    for (const listener of listeners)
      server.on("request", (req, res) => {
        const operation = this.pending;
        return operation === null ? listener(req, res) : this.current.run(operation, () => listener(req, res));
      });
    const db = t.services.db;
    for (const source of new Set<DataSource>([db.writer, db.reader])) this.tap(source);
  }

  /** Sends one operation's requests with the tag set, one operation at a time. */
  async as<T>(operation: string, send: () => Promise<T>): Promise<T> {
    this.pending = operation;
    try {
      return await send();
    } finally {
      this.pending = null;
    }
  }

  private tap(source: DataSource): void {
    const logger = source.logger;
    const original = logger.logQuery.bind(logger);
    logger.logQuery = (query, parameters, runner) => {
      if (!TRANSACTION_CONTROL.test(query.trim()) && !query.endsWith("/* candor:write-lock */"))
        this.statements.push({
          sql: query,
          parameters: Array.isArray(parameters) ? parameters : [],
          operation: this.current.getStore() ?? null,
        });
      return original(query, parameters, runner);
    };
  }
}
