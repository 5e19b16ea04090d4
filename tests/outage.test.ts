import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
// @ts-expect-error better-sqlite3 ships no types (TypeORM drives it in src/)
import Sqlite from "better-sqlite3";
import pino from "pino";
import { isDatabaseUnavailable } from "../src/kernel/db/unavailable";
import { onMariaDb, testDatabaseUrl } from "./helpers/database";
import { startTestServer, type TestServer } from "./helpers/server";

// Issue 12, defect 6: with the database out of reach a request answers 503 + Retry-After +
// UNAVAILABLE, is logged once with its request id, and Candor serves again when the database is
// back, without a restart. On MariaDB the server reaches the database through a TCP proxy this
// test controls: cutting the proxy is the outage (closed port, every open connection dropped).

/** A loopback TCP proxy to the database that can be cut and restored on the same port. */
class Proxy {
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  port = 0;
  constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {}

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  async cut(): Promise<void> {
    const closed = new Promise((resolve) => this.server!.close(resolve));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

/** Log lines as JSON objects, as pino writes them. */
function capture() {
  const lines: Array<Record<string, any>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: "info" }, stream) };
}

// The catalog itself is served from memory (issue 13); the policy's request metrics are counted in
// the database for every request, so an anonymous query of them needs the database.
const VIEWER_AND_CATALOG =
  "{ viewer { role } purposes { key } partners { key } privacyPolicy { requestMetrics(year: 2025) { kind received } } }";

(onMariaDb() ? describe : describe.skip)("A database outage (MariaDB, cut at a TCP proxy)", () => {
  let t: TestServer;
  let proxy: Proxy;
  let key: string;
  const log = capture();
  beforeAll(async () => {
    const real = new URL(testDatabaseUrl());
    proxy = new Proxy(real.hostname, Number(real.port || 3306));
    await proxy.open();
    const viaProxy = new URL(real);
    viaProxy.hostname = "127.0.0.1";
    viaProxy.port = String(proxy.port);
    t = await startTestServer({ env: { DATABASE_URL: viaProxy.toString() }, logger: log.logger });
    key = await t.serviceKey(["consent:read"]);
  });
  afterAll(async () => {
    await t.close();
    await proxy.cut().catch(() => undefined);
  });

  const ask = (requestId: string, headers: Record<string, string> = {}) =>
    t.gql(VIEWER_AND_CATALOG, {}, { headers: { "x-request-id": requestId, ...headers } });

  it("answers 503 + Retry-After + UNAVAILABLE, logs each request once, and serves again when the database is back", async () => {
    const before = await ask("before-outage", { authorization: `Bearer ${key}` });
    expect(before.status).toBe(200);
    expect(before.body.data!.viewer.role).toBe("SERVICE");

    await proxy.cut();
    // An API key (the request-context lookup fails) and an anonymous query (resolvers fail).
    const cases: Array<[string, Record<string, string>]> = [
      ["outage-with-key", { authorization: `Bearer ${key}` }],
      ["outage-anonymous", {}],
    ];
    for (const [requestId, headers] of cases) {
      const r = await ask(requestId, headers);
      expect({ requestId, status: r.status, retryAfter: r.headers.get("retry-after") }).toEqual({
        requestId,
        status: 503,
        retryAfter: "5",
      });
      expect(r.headers.get("x-request-id")).toBe(requestId);
      expect(r.body.errors!.length).toBeGreaterThan(0);
      for (const error of r.body.errors!) {
        expect(error.extensions!.code).toBe("UNAVAILABLE");
        expect(JSON.stringify(error)).not.toMatch(/ECONNREFUSED|SELECT|stack/i);
      }
      const lines = log.lines.filter((l) => l.requestId === requestId);
      expect(lines.map((l) => [l.level, l.msg])).toEqual([[40, "database unavailable"]]);
    }
    // What needs only the catalog is still served, from memory.
    const catalogOnly = await t.gql("{ purposes { key } }");
    expect(catalogOnly.status).toBe(200);
    expect(catalogOnly.body.data!.purposes.length).toBeGreaterThan(0);
    const ready = await fetch(t.url.replace(/\/graphql$/, "/health/ready"));
    expect(ready.status).toBe(503);
    expect(ready.headers.get("retry-after")).toBe("5");
    expect(await ready.json()).toMatchObject({ status: "unavailable", database: "unreachable" });
    expect(log.lines.filter((l) => l.level >= 50 && l.requestId)).toEqual([]);

    await proxy.open(); // same port: the database is back
    const after = await ask("after-outage", { authorization: `Bearer ${key}` });
    expect(after.status).toBe(200);
    expect(after.body.data!.viewer.role).toBe("SERVICE");
    expect(after.body.data!.purposes.length).toBeGreaterThan(0);
    expect((await fetch(t.url.replace(/\/graphql$/, "/health/ready"))).status).toBe(200);
  });
});

describe("What counts as 'database unavailable' (one place, both drivers)", () => {
  it("recognises a real SQLITE_BUSY and SQLITE_CANTOPEN from better-sqlite3, not a constraint failure", () => {
    const file = join(tmpdir(), `candor-busy-${randomBytes(6).toString("hex")}.sqlite`);
    const holder = new Sqlite(file);
    const other = new Sqlite(file, { timeout: 0 });
    try {
      holder.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)");
      holder.exec("BEGIN EXCLUSIVE");
      let busy: unknown;
      try {
        other.prepare("SELECT * FROM t").all();
      } catch (err) {
        busy = err;
      }
      expect((busy as { code: string }).code).toMatch(/^SQLITE_BUSY/);
      expect(isDatabaseUnavailable(busy)).toBe(true);
      // TypeORM wraps driver errors (QueryFailedError.driverError).
      expect(isDatabaseUnavailable({ message: "query failed", driverError: busy })).toBe(true);
      holder.exec("ROLLBACK");
      holder.exec("INSERT INTO t VALUES (1)");
      let duplicate: unknown;
      try {
        holder.exec("INSERT INTO t VALUES (1)");
      } catch (err) {
        duplicate = err;
      }
      expect((duplicate as { code: string }).code).toBe("SQLITE_CONSTRAINT_PRIMARYKEY");
      expect(isDatabaseUnavailable(duplicate)).toBe(false);
    } finally {
      holder.close();
      other.close();
    }
    let cantOpen: unknown;
    try {
      new Sqlite(tmpdir()).prepare("SELECT 1").get(); // a folder, not a database file
    } catch (err) {
      cantOpen = err;
    }
    expect(isDatabaseUnavailable(cantOpen)).toBe(true);
  });

  it("recognises mysql2's connection errors by code, and not SQL errors", () => {
    for (const code of ["ECONNREFUSED", "PROTOCOL_CONNECTION_LOST", "ER_CON_COUNT_ERROR", "ETIMEDOUT"])
      expect(isDatabaseUnavailable(Object.assign(new Error(code), { code }))).toBe(true);
    expect(isDatabaseUnavailable(new Error("Pool is closed."))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("dup"), { code: "ER_DUP_ENTRY", errno: 1062 }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined"))).toBe(false);
  });
});
