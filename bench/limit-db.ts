// @ts-expect-error better-sqlite3 ships no types (TypeORM drives it in src/)
import BetterSqlite3 from "better-sqlite3";
import { createPool, type Pool, type PoolConnection } from "mysql2/promise";

// The reference server's database access (bench/limit-server.ts): plain mysql2 or better-sqlite3,
// no ORM. Every statement goes through `run`, which counts it in the request's tally, so the
// reference reports its own statements per request the way Candor's x-candor-sql-count does.

export interface Tally {
  count: number;
}

export type Row = Record<string, unknown>;

export type Run = (tally: Tally, sql: string, params?: unknown[]) => Promise<Row[]>;

export interface LimitDb {
  dialect: "sqlite" | "mariadb";
  run: Run;
  /** `work` inside one transaction (BEGIN/COMMIT are bookkeeping: not counted, as in Candor). */
  transaction<T>(work: (run: Run) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A time as both databases store it (TypeORM's datetime(6) text form, UTC). */
export const sqlTime = (d: Date) => d.toISOString().replace("T", " ").replace("Z", "");

/** `(?, ?, ?), (?, ?, ?)` for a multi-row insert of `rows` rows of `columns` values. */
export const valuesList = (rows: number, columns: number) =>
  Array.from({ length: rows }, () => `(${Array.from({ length: columns }, () => "?").join(", ")})`).join(", ");

export const placeholders = (n: number) => Array.from({ length: n }, () => "?").join(", ");

/** The little of better-sqlite3 used here. */
interface SqliteStatement {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): unknown;
}

export async function openLimitDb(url: string): Promise<LimitDb> {
  if (url.startsWith("sqlite:")) {
    const sqlite = new BetterSqlite3(url.slice("sqlite:".length)) as {
      prepare(sql: string): SqliteStatement;
      pragma(source: string): unknown;
      exec(sql: string): void;
      close(): void;
    };
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("busy_timeout = 5000");
    const run: Run = async (tally, sql, params = []) => {
      tally.count += 1;
      const statement = sqlite.prepare(sql);
      const values = params.map((p) => (typeof p === "boolean" ? Number(p) : p));
      if (statement.reader) return statement.all(...values) as Row[];
      statement.run(...values);
      return [];
    };
    // better-sqlite3 is synchronous and the work awaits nothing but it: no other request
    // interleaves inside a transaction.
    return {
      dialect: "sqlite",
      run,
      async transaction(work) {
        sqlite.exec("BEGIN IMMEDIATE");
        try {
          const result = await work(run);
          sqlite.exec("COMMIT");
          return result;
        } catch (err) {
          sqlite.exec("ROLLBACK");
          throw err;
        }
      },
      async close() {
        sqlite.close();
      },
    };
  }
  const pool: Pool = createPool({ uri: url.replace(/^mariadb:/, "mysql:"), connectionLimit: 10, timezone: "Z" });
  const on =
    (target: Pool | PoolConnection): Run =>
    async (tally, sql, params = []) => {
      tally.count += 1;
      const [rows] = await target.query(sql, params);
      return Array.isArray(rows) ? (rows as Row[]) : [];
    };
  return {
    dialect: "mariadb",
    run: on(pool),
    async transaction(work) {
      const connection = await pool.getConnection();
      try {
        await connection.query("START TRANSACTION");
        const result = await work(on(connection));
        await connection.query("COMMIT");
        return result;
      } catch (err) {
        await connection.query("ROLLBACK");
        throw err;
      } finally {
        connection.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
