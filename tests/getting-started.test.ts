import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import semver from "semver";
import { loadConfig } from "../src/config";
import { openDatabase } from "../src/app/entities";
import { cleanEnv, startMain, type Outcome } from "./helpers/process";
import { TEST_JWT_SECRET } from "./helpers/server";

// Getting started: what a newcomer sees when starting Candor and using the candor command, each
// through the real process (src/main.ts, src/cli/candor.ts under ts-node) on a throwaway database.

const root = join(__dirname, "..");
const tsNode = require.resolve("ts-node/register/transpile-only");
const NO_STACK = /^\s+at /m;

/** Throwaway directories, removed after the suite. */
const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const freshDir = () => made[made.push(mkdtempSync(join(tmpdir(), "candor-start-"))) - 1];
const freshSqlite = () => `sqlite:${join(freshDir(), "candor.sqlite")}`;

/** Runs the candor command to its end. */
function candor(args: string[], env: Record<string, string>, cwd = root): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn("node", ["-r", tsNode, join(root, "src", "cli", "candor.ts"), ...args], {
      cwd,
      env: cleanEnv({ LOG_LEVEL: "silent", TS_NODE_PROJECT: join(root, "tsconfig.json"), ...env }),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

async function rowCounts(databaseUrl: string, tables: string[]): Promise<Record<string, number>> {
  const db = await openDatabase(databaseUrl);
  try {
    const counts: Record<string, number> = {};
    for (const t of tables) counts[t] = Number((await db.manager.query(`SELECT COUNT(*) AS n FROM ${t}`))[0].n);
    return counts;
  } finally {
    await db.close();
  }
}

async function anonymous(url: string, query: string): Promise<any> {
  const headers = { "content-type": "application/json" };
  return (await fetch(url, { method: "POST", headers, body: JSON.stringify({ query }) })).json();
}

// A MariaDB at 127.0.0.1:3306 (root, no password), asked for a database that does not exist (none is
// created). Where none answers, the tests that need it are skipped and say so in their name.
const MARIADB = "mariadb://root@127.0.0.1:3306";
const mariaDbReachable = (() => {
  const probe =
    "require('net').connect(3306, '127.0.0.1')" +
    ".on('connect', () => process.exit(0)).on('error', () => process.exit(1))";
  try {
    execFileSync("node", ["-e", probe], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
})();
const onMariaDb = (name: string, test: () => Promise<void>) =>
  mariaDbReachable ? it(name, test) : it.skip(`${name} (skipped: MariaDB is not reachable at 127.0.0.1:3306)`, test);
const missingDatabase = () => `candor_missing_${randomBytes(6).toString("hex")}`;

describe("Getting started: what a newcomer sees", () => {
  describe("starting Candor", () => {
    let occupied: Server;
    let port: number;
    beforeAll(async () => {
      occupied = createServer();
      await new Promise<void>((resolve) => occupied.listen(0, "127.0.0.1", resolve));
      port = (occupied.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => occupied.close(() => resolve())));

    it("on a port already in use: one line naming the port and how to pick another, exit code 1", async () => {
      const env = { NODE_ENV: "test", CANDOR_JWT_SECRET: TEST_JWT_SECRET, CANDOR_LOAD_DEMO_CATALOG: "false" };
      const r = await startMain({ ...env, PORT: String(port), DATABASE_URL: freshSqlite() });
      expect(r.url).toBeNull();
      expect(r.code).toBe(1);
      const said = `${r.stdout}\n${r.stderr}`;
      const oneLine = `Port ${port} is already in use: stop what uses it, or start Candor with PORT=<another port>`;
      expect(said).toContain(oneLine);
      expect(said).not.toMatch(NO_STACK);
      expect(said).not.toContain("Unhandled 'error' event");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    });

    it("in production on an empty database: no demo catalog, no demo people, no demo decisions", async () => {
      const databaseUrl = freshSqlite();
      const env = { NODE_ENV: "production", CANDOR_JWT_SECRET: TEST_JWT_SECRET };
      const r = await startMain({ ...env, DATABASE_URL: databaseUrl });
      expect(r.url).not.toBeNull();
      const answer = await anonymous(r.url!, "{ purposes { key } partners { key } }");
      const stopped = await r.stop();
      expect(answer.data).toEqual({ purposes: [], partners: [] });
      expect(stopped.stdout).not.toContain("demo");
      const counts = await rowCounts(databaseUrl, ["purpose", "partner", "subject", "decision", "api_key"]);
      expect(counts).toEqual({ purpose: 0, partner: 0, subject: 0, decision: 0, api_key: 0 });
    });

    it("in production asked for the demo catalog: the catalog, but no demo people or decisions", async () => {
      const databaseUrl = freshSqlite();
      const env = { NODE_ENV: "production", CANDOR_JWT_SECRET: TEST_JWT_SECRET, CANDOR_LOAD_DEMO_CATALOG: "true" };
      const r = await startMain({ ...env, DATABASE_URL: databaseUrl });
      expect(r.url).not.toBeNull();
      const answer = await anonymous(r.url!, "{ purposes { key } }");
      await r.stop();
      expect(answer.data.purposes.length).toBeGreaterThan(0);
      const counts = await rowCounts(databaseUrl, ["subject", "decision", "api_key"]);
      expect(counts).toEqual({ subject: 0, decision: 0, api_key: 0 });
    });

    it("in development on an empty database: demo catalog, decisions, and a key for the README's broker", async () => {
      const databaseUrl = freshSqlite();
      const r = await startMain({ NODE_ENV: "development", DATABASE_URL: databaseUrl });
      expect(r.url).not.toBeNull();
      const stopped = await r.stop();
      expect(stopped.stdout).toContain("Demo credentials");
      expect(stopped.stdout).toMatch(/partner {2}\(open-range-data\) +cnd_/);
      const counts = await rowCounts(databaseUrl, ["purpose", "subject", "decision"]);
      expect(counts.purpose).toBeGreaterThan(0);
      expect(counts.subject).toBe(1);
      expect(counts.decision).toBe(5);
    });

    onMariaDb("on a MariaDB database that does not exist: one line saying to CREATE DATABASE it, exit 1", async () => {
      const name = missingDatabase();
      const env = { NODE_ENV: "test", CANDOR_JWT_SECRET: TEST_JWT_SECRET };
      const r = await startMain({ ...env, DATABASE_URL: `${MARIADB}/${name}` });
      expect(r.url).toBeNull();
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(
        `Candor cannot start: The database ${name} in DATABASE_URL does not exist: ` +
          `create it first (CREATE DATABASE ${name}); Candor creates its tables`,
      );
      expect(`${r.stdout}${r.stderr}`).not.toMatch(NO_STACK);
    });
  });

  describe("configuration", () => {
    it("loads the demo catalog by default in development only; CANDOR_LOAD_DEMO_CATALOG decides otherwise", () => {
      const load = (env: Record<string, string>) =>
        loadConfig({ CANDOR_JWT_SECRET: TEST_JWT_SECRET, ...env }).loadDemoCatalog;
      expect(load({})).toBe(true);
      expect(load({ NODE_ENV: "development" })).toBe(true);
      expect(load({ NODE_ENV: "production" })).toBe(false);
      expect(load({ NODE_ENV: "test" })).toBe(false);
      expect(load({ NODE_ENV: "production", CANDOR_LOAD_DEMO_CATALOG: "true" })).toBe(true);
      expect(load({ NODE_ENV: "development", CANDOR_LOAD_DEMO_CATALOG: "false" })).toBe(false);
    });
  });

  describe("the candor command", () => {
    it.each([["--help"], ["-h"], ["help"]])("candor %s prints the usage on stdout and exits 0", async (flag) => {
      const r = await candor([flag], {});
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^usage: candor <command>/);
      expect(r.stdout).toContain("token subject <externalId>");
      expect(r.stderr).toBe("");
    });

    it("candor token: stdout is only the token; stderr names the database, so the development secret", async () => {
      const databaseUrl = freshSqlite();
      const r = await candor(["token", "subject", "x"], { NODE_ENV: "test", DATABASE_URL: databaseUrl });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
      expect(r.stderr).toContain(`DATABASE_URL=${databaseUrl}`);
      expect(r.stderr).toContain("development secret kept in the database");
    });

    it("candor token with CANDOR_JWT_SECRET: stderr says that secret signed it, and on which database", async () => {
      const databaseUrl = freshSqlite();
      const env = { NODE_ENV: "test", CANDOR_JWT_SECRET: TEST_JWT_SECRET };
      const r = await candor(["token", "admin"], { ...env, DATABASE_URL: databaseUrl });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
      expect(r.stderr).toContain("signed with CANDOR_JWT_SECRET");
      expect(r.stderr).toContain(`DATABASE_URL=${databaseUrl}`);
      expect(r.stderr).not.toContain(TEST_JWT_SECRET);
    });

    it("candor token without DATABASE_URL: stderr names the default database and the file it is", async () => {
      const cwd = freshDir();
      const r = await candor(["token", "subject", "x"], { NODE_ENV: "test" }, cwd);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
      expect(r.stderr).toContain(`sqlite:./data/candor.sqlite (the file ${join(cwd, "data", "candor.sqlite")})`);
      expect(r.stderr).toContain("DATABASE_URL is not set");
    });

    it("candor apikey: stdout is only the key; stderr names the database that keeps it", async () => {
      const databaseUrl = freshSqlite();
      const r = await candor(["apikey", "service", "engine", "--scopes", "consent:read"], {
        NODE_ENV: "test",
        DATABASE_URL: databaseUrl,
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^cnd_\S+\n$/);
      expect(r.stderr).toContain(`DATABASE_URL=${databaseUrl}`);
    });

    onMariaDb("candor on a MariaDB database that does not exist: one line saying to CREATE DATABASE it", async () => {
      const name = missingDatabase();
      const env = { NODE_ENV: "test", CANDOR_JWT_SECRET: TEST_JWT_SECRET };
      const r = await candor(["token", "admin"], { ...env, DATABASE_URL: `${MARIADB}/${name}` });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(`CREATE DATABASE ${name}`);
    });
  });
});

describe("Installing: the Node versions the project declares", () => {
  it("are supported by every installed package (npm install prints no EBADENGINE warning)", () => {
    const root = join(__dirname, "..");
    const declared = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { engines: { node: string } })
      .engines.node;
    const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
      packages: Record<string, { engines?: { node?: string } | string[] }>;
    };
    const narrower = Object.entries(lock.packages)
      .filter(([path]) => path !== "")
      .map(([path, info]) => ({ path, wants: Array.isArray(info.engines) ? undefined : info.engines?.node }))
      .filter(({ wants }) => wants !== undefined && !semver.subset(declared, wants))
      .map(({ path, wants }) => `${path.replace(/^.*node_modules\//, "")} wants node ${wants}`);
    expect(narrower).toEqual([]);
  });
});
