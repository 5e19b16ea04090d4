import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnection } from "mysql2/promise";
import { freePort } from "../helpers/ports";

// A MariaDB server of the test's own, so that it can be killed: its own data folder under a
// temporary directory, its own loopback port, socket and pid file, and --no-defaults so that no
// my.cnf (nor the system MariaDB on 3306) is involved. Killed with SIGKILL, it restarts on the
// same data folder and InnoDB recovers what was committed.

const MARIADBD = process.env.FAULTS_MARIADBD ?? "/usr/sbin/mariadbd";
const INSTALL_DB = process.env.FAULTS_INSTALL_DB ?? "mariadb-install-db";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class PrivateMariaDb {
  private process: ChildProcess | null = null;
  /** How many times it was started (1 + restarts). */
  starts = 0;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** A fresh data folder, initialised, and the server started on it. */
  static async create(): Promise<PrivateMariaDb> {
    const dir = mkdtempSync(join(tmpdir(), "candor-faults-"));
    const db = new PrivateMariaDb(dir, await freePort());
    mkdirSync(db.tmpDir);
    const asRoot = process.getuid?.() === 0 ? ["--user=root"] : [];
    const install = spawnSync(
      INSTALL_DB,
      [
        "--no-defaults",
        `--datadir=${db.dataDir}`,
        // Its own tmpdir: a starting mariadbd deletes every #sql* file in its tmpdir, which in a
        // shared /tmp are the system server's temporary tables (it crashed so once).
        `--tmpdir=${db.tmpDir}`,
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
        "--skip-name-resolve",
        ...asRoot,
      ],
      { encoding: "utf8" },
    );
    if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr || install.stdout}`);
    await db.start();
    return db;
  }

  get tmpDir(): string {
    return join(this.dir, "tmp");
  }

  get dataDir(): string {
    return join(this.dir, "data");
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** A URL to one database on this server (created if missing). */
  async url(database: string): Promise<string> {
    const connection = await createConnection({ host: "127.0.0.1", port: this.port, user: "root" });
    try {
      await connection.query(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
    } finally {
      await connection.end();
    }
    return `mariadb://root@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts mariadbd on the data folder and waits until it answers (crash recovery included). */
  async start(): Promise<void> {
    if (this.process) throw new Error("mariadbd is already running");
    const child = spawn(
      MARIADBD,
      [
        "--no-defaults",
        ...(process.getuid?.() === 0 ? ["--user=root"] : []),
        `--datadir=${this.dataDir}`,
        `--tmpdir=${this.tmpDir}`,
        `--socket=${join(this.dir, "mariadbd.sock")}`,
        `--pid-file=${join(this.dir, "mariadbd.pid")}`,
        `--log-error=${join(this.dir, "mariadbd.err")}`,
        `--port=${this.port}`,
        "--bind-address=127.0.0.1",
        "--skip-name-resolve",
        // Small, so that several test servers fit on a small machine. Durability stays the
        // default (innodb_flush_log_at_trx_commit = 1): a commit acknowledged is on disk.
        "--innodb-buffer-pool-size=64M",
        "--max-connections=200",
      ],
      { stdio: "ignore" },
    );
    this.process = child;
    this.starts++;
    child.once("exit", () => {
      if (this.process === child) this.process = null;
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (this.process !== child) throw new Error(`mariadbd exited at start:\n${this.errorLog().slice(-2000)}`);
      try {
        const connection = await createConnection({ host: "127.0.0.1", port: this.port, user: "root" });
        await connection.end();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(100);
      }
    }
  }

  /** SIGKILL: no shutdown, no flush; whatever InnoDB had not made durable is gone. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child) throw new Error("mariadbd is not running");
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  /** SIGSTOP: the server keeps its connections and accepts new ones, but answers nothing. */
  freeze(): void {
    this.process!.kill("SIGSTOP");
  }

  thaw(): void {
    this.process!.kill("SIGCONT");
  }

  /** A clean stop (SIGTERM), then the data folder is removed. */
  async destroy(): Promise<void> {
    const child = this.process;
    if (child) {
      child.kill("SIGCONT");
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 20_000)))]);
      clearTimeout(timer);
      if (this.process === child) await this.kill();
    }
    if (!process.env.FAULTS_KEEP_DATA) rmSync(this.dir, { recursive: true, force: true });
  }

  errorLog(): string {
    try {
      return readFileSync(join(this.dir, "mariadbd.err"), "utf8");
    } catch {
      return "";
    }
  }
}
