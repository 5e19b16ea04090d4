import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createConnection } from "mysql2/promise";
import { DataSource, type DataSourceOptions, type EntityManager } from "typeorm";
import { migrations } from "../../../migrations";
import { SnakeNamingStrategy } from "./naming";
import { CountingLogger } from "./sql-counter";

export type Dialect = "sqlite" | "mariadb" | "mysql";

const RETRYABLE = new Set(["ER_LOCK_DEADLOCK", "SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT"]);

/**
 * A write that changes nothing: it only makes SQLite take its write lock (counted as no statement).
 * On a table of the first migration, so that it works at every schema version.
 */
export const SQLITE_WRITE_LOCK = "UPDATE app_secret SET value = value WHERE 1 = 0 /* candor:write-lock */";

export interface DatabaseTarget {
  dialect: Dialect;
  /** For SQLite: a file path or ":memory:". For MySQL/MariaDB: the connection URL. */
  location: string;
}

export class DatabaseUrlError extends Error {}

/** DATABASE_URL → dialect and location. `mysql://` is confirmed or corrected by `detectDialect`. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith("sqlite:")) {
    const location = url.slice("sqlite:".length).replace(/^\/\//, "");
    if (location === "")
      throw new DatabaseUrlError("DATABASE_URL sqlite: needs a path, e.g. sqlite:./data/candor.sqlite");
    return { dialect: "sqlite", location };
  }
  if (url.startsWith("mariadb://")) return { dialect: "mariadb", location: url };
  if (url.startsWith("mysql://")) return { dialect: "mysql", location: url };
  throw new DatabaseUrlError("DATABASE_URL must start with sqlite:, mysql:// or mariadb://");
}

function mysqlUrl(url: string): string {
  return url.replace(/^mariadb:/, "mysql:");
}

/** A mysql:// URL that reaches MariaDB is run as MariaDB (TypeORM's mysql mode drops JSON columns there). */
export async function detectDialect(target: DatabaseTarget): Promise<DatabaseTarget> {
  if (target.dialect !== "mysql") return target;
  const connection = await createConnection(mysqlUrl(target.location));
  try {
    const [rows] = await connection.query("SELECT VERSION() AS version");
    const version = String((rows as Array<{ version: string }>)[0]?.version ?? "");
    return version.toLowerCase().includes("mariadb") ? { ...target, dialect: "mariadb" } : target;
  } finally {
    await connection.end();
  }
}

export interface DatabaseOptions {
  /** Every entity class: the app's list (src/app/entities.ts), handed in so the kernel imports no domain. */
  entities: NonNullable<DataSourceOptions["entities"]>;
  onQueryError?: (message: string, query: string) => void;
}

export function dataSourceOptions(
  target: DatabaseTarget,
  opts: DatabaseOptions & { readonly?: boolean },
): DataSourceOptions {
  const common = {
    entities: opts.entities,
    migrations,
    namingStrategy: new SnakeNamingStrategy(),
    logger: new CountingLogger(opts.onQueryError),
    synchronize: false,
    migrationsRun: false,
  } as const;
  if (target.dialect === "sqlite") {
    return {
      ...common,
      type: "better-sqlite3",
      database: target.location,
      enableWAL: true,
      readonly: opts.readonly ?? false,
      timeout: 10_000,
      prepareDatabase: (db: { pragma: (s: string) => unknown }) => {
        db.pragma("foreign_keys = ON");
      },
    };
  }
  return {
    ...common,
    type: target.dialect,
    url: mysqlUrl(target.location),
    timezone: "Z",
    charset: "utf8mb4_unicode_ci",
    poolSize: 10,
    supportBigNumbers: true,
    bigNumberStrings: false,
  } as DataSourceOptions;
}

/**
 * The database, and the one way to write to it.
 *
 * On SQLite, TypeORM's better-sqlite3 driver shares ONE connection among all callers: concurrent
 * transactions would nest as savepoints and plain reads would see uncommitted rows. So Candor
 * opens two connections to the file (WAL mode): a writer, used only inside `transaction()` and
 * serialized by an in-process lock, and a read-only reader that sees committed data only.
 * On MySQL/MariaDB both are the same pooled DataSource.
 */
export class Database {
  private writeQueue: Promise<unknown> = Promise.resolve();
  /** Transactions run again after a deadlock or a busy snapshot, since start-up (tests and metrics read it). */
  retriedTransactions = 0;
  private readonly listeners = new Map<string, Array<() => Promise<unknown>>>();

  private constructor(
    readonly target: DatabaseTarget,
    readonly writer: DataSource,
    readonly reader: DataSource,
  ) {}

  static async open(url: string, opts: DatabaseOptions): Promise<Database> {
    let target = await detectDialect(parseDatabaseUrl(url));
    let ephemeral: string | null = null;
    if (target.dialect === "sqlite") {
      // sqlite::memory: is a throwaway file: two connections to one in-memory database are not
      // possible, and the separate reader is what keeps uncommitted rows invisible.
      if (target.location === ":memory:") {
        ephemeral = join(tmpdir(), `candor-memory-${randomBytes(8).toString("hex")}.sqlite`);
        target = { ...target, location: ephemeral };
      }
      mkdirSync(dirname(target.location), { recursive: true });
    }
    const writer = await new DataSource(dataSourceOptions(target, opts)).initialize();
    const reader =
      target.dialect === "sqlite"
        ? await new DataSource(dataSourceOptions(target, { ...opts, readonly: true })).initialize()
        : writer;
    const db = new Database(target, writer, reader);
    db.ephemeralFile = ephemeral;
    return db;
  }

  private ephemeralFile: string | null = null;

  get dialect(): Dialect {
    return this.target.dialect;
  }

  /** For reads outside a transaction: sees committed data only. */
  get manager(): EntityManager {
    return this.reader.manager;
  }

  /** Row locks exist on MySQL/MariaDB; SQLite's writes are already serialized by `transaction()`. */
  get supportsRowLocks(): boolean {
    return this.dialect !== "sqlite";
  }

  /** The single write path: every state change and its audit entry commit here, together. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    // READ COMMITTED: every read after a row lock sees what was committed before the lock was
    // granted (REPEATABLE READ would keep an older snapshot), and fewer gap locks mean fewer deadlocks.
    if (this.dialect !== "sqlite") return this.withDeadlockRetry(() => this.writer.transaction("READ COMMITTED", work));
    const run = this.writeQueue.then(() =>
      this.withDeadlockRetry(() =>
        this.writer.transaction(async (m) => {
          // Take the write lock first (as BEGIN IMMEDIATE would): a deferred transaction that reads
          // before it writes fails at once if another process wrote meanwhile, instead of waiting.
          await m.query(SQLITE_WRITE_LOCK);
          return work(m);
        }),
      ),
    );
    this.writeQueue = run.catch(() => undefined);
    return run;
  }

  /**
   * In-process news of a committed change, by topic (e.g. the catalog): what this process holds
   * in memory about it is reloaded before the writer returns, so its next request sees the change.
   * Other processes notice through their own timers.
   */
  onCommitted(topic: string, listener: () => Promise<unknown>): void {
    this.listeners.set(topic, [...(this.listeners.get(topic) ?? []), listener]);
  }

  /** Called by a writer after its transaction committed a change of `topic`. */
  async committed(topic: string): Promise<void> {
    await Promise.all((this.listeners.get(topic) ?? []).map((listener) => listener()));
  }

  /**
   * InnoDB may pick a transaction as a deadlock victim (e.g. two first sights of one person, both
   * waiting to lock the row the other's INSERT IGNORE found), and SQLite refuses to upgrade a read
   * to a write when another process wrote meanwhile (SQLITE_BUSY_SNAPSHOT). Either way the
   * transaction rolled back whole: run it again.
   */
  private async withDeadlockRetry<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (err) {
        const code =
          (err as { driverError?: { code?: string }; code?: string }).driverError?.code ??
          (err as { code?: string }).code;
        if (!RETRYABLE.has(code ?? "") || attempt >= attempts) throw err;
        this.retriedTransactions += 1;
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
      }
    }
  }

  async migrate(): Promise<number> {
    const ran = await this.transactionless(() => this.writer.runMigrations({ transaction: "each" }));
    return ran.length;
  }

  async revertLastMigration(): Promise<void> {
    await this.transactionless(() => this.writer.undoLastMigration({ transaction: "each" }));
  }

  async pendingMigrations(): Promise<boolean> {
    return this.reader.showMigrations();
  }

  async close(): Promise<void> {
    await this.writeQueue;
    if (this.reader !== this.writer && this.reader.isInitialized) await this.reader.destroy();
    if (this.writer.isInitialized) await this.writer.destroy();
    if (this.ephemeralFile)
      for (const suffix of ["", "-wal", "-shm"]) rmSync(this.ephemeralFile + suffix, { force: true });
  }

  /** Schema work goes through the same queue as writes on SQLite. */
  private transactionless<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writeQueue.then(work);
    this.writeQueue = run.catch(() => undefined);
    return run;
  }
}
