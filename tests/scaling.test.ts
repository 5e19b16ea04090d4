import { readFileSync } from "node:fs";
import { join } from "node:path";
import { StatementRecorder } from "../bench/scaling/capture";
import { runMix } from "../bench/scaling/mix";
import { Router, type VSchema } from "../bench/scaling/routing";
import { analyse, format, loadPlannedChanges, loadVSchema } from "../bench/scaling/simulate";
import { onMariaDb } from "./helpers/database";
import { startTestServer, type TestServer } from "./helpers/server";

// docs/scaling.md's plan, checked where it can be: the VSchema against the migrated database, and
// the routing simulation against the statements the real server issues.

const doc = readFileSync(join(__dirname, "..", "docs", "scaling.md"), "utf8");
/** A figure the document states, e.g. `<!-- threshold:person-as-is -->` followed by **90%**. */
function documented(name: string): number {
  const match = new RegExp(`<!-- threshold:${name} -->\\s*\\*\\*([0-9.]+)\\s*%\\*\\*`).exec(doc);
  if (!match) throw new Error(`docs/scaling.md states no threshold:${name}`);
  return Number(match[1]);
}

async function tableColumns(t: TestServer): Promise<Map<string, Set<string>>> {
  const m = t.services.db.manager;
  const rows: Array<{ t: string; c: string }> = onMariaDb()
    ? await m.query(
        "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE()",
      )
    : await m.query(
        "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
      );
  const out = new Map<string, Set<string>>();
  for (const { t: table, c } of rows) out.set(table, (out.get(table) ?? new Set()).add(c));
  return out;
}

describe("sharding plan (docs/scaling.md)", () => {
  let t: TestServer;
  let recorder: StatementRecorder;
  const vschema: VSchema = loadVSchema();
  const planned = loadPlannedChanges();

  beforeAll(async () => {
    t = await startTestServer({ env: { CANDOR_SIGNAL_LAG_MS: "0" } });
    recorder = new StatementRecorder(t);
  });
  afterAll(() => t.close());

  it("the VSchema gives every table of the migrated schema exactly one home, sharded ones by a column that exists", async () => {
    const schema = await tableColumns(t);
    const lookupTables = new Set(
      Object.values(vschema.keyspaces).flatMap((ks) =>
        Object.values(ks.vindexes ?? {}).flatMap((v) => (v.params?.table ? [v.params.table.split(".")[1]] : [])),
      ),
    );
    const homes = new Map<string, string[]>();
    for (const [keyspace, ks] of Object.entries(vschema.keyspaces))
      for (const [name, table] of Object.entries(ks.tables)) {
        if (table.type === "reference") {
          // A mirror: read on every shard, written at its source, which must be a home of the same table.
          expect(table.source).toBe(`${table.source!.split(".")[0]}.${name}`);
          expect(vschema.keyspaces[table.source!.split(".")[0]]?.tables[name]).toBeDefined();
          continue;
        }
        // Sequences and lookup tables are tables the plan adds (Vitess needs them), not Candor's.
        if (table.type === "sequence" || lookupTables.has(name)) {
          expect(schema.has(name)).toBe(false);
          continue;
        }
        homes.set(name, [...(homes.get(name) ?? []), keyspace]);
        // A vindex column is in the table, or is one the plan adds (docs/vitess/planned-changes.json).
        for (const { column } of table.column_vindexes ?? []) {
          const present = schema.get(name)?.has(column) || Boolean(planned.columns[name]?.[column]);
          expect({ column: `${name}.${column}`, present }).toEqual({ column: `${name}.${column}`, present: true });
        }
      }
    const tables = [...schema.keys()].sort();
    expect([...homes.keys()].sort()).toEqual(tables);
    for (const [name, keyspaces] of homes)
      expect({ name, keyspaces: keyspaces.length }).toEqual({ name, keyspaces: 1 });
    // The plan's lists name only what is still to do: a planned column already there, or a retired
    // table already gone, means the plan (and this VSchema) must be brought up to date.
    for (const [table, columns] of Object.entries(planned.columns))
      for (const column of Object.keys(columns))
        expect({ column: `${table}.${column}`, present: schema.get(table)?.has(column) }).toEqual({
          column: `${table}.${column}`,
          present: false,
        });
    for (const table of Object.keys(planned.retired)) expect(schema.has(table)).toBe(true);
  });

  it("every table that holds a person's id is sharded by it, with one vindex, and the person table by its id", async () => {
    const schema = await tableColumns(t);
    const candor = vschema.keyspaces.candor;
    const primary = (table: string) => candor.tables[table]?.column_vindexes?.[0];
    const personTables = [...schema].filter(([, columns]) => columns.has("subject_id")).map(([name]) => name);
    expect(personTables.length).toBeGreaterThan(10);
    for (const table of personTables)
      expect({ table, vindex: primary(table) }).toEqual({
        table,
        vindex: { column: "subject_id", name: "subject_hash" },
      });
    expect(primary("subject")).toEqual({ column: "id", name: "subject_hash" });
    // Each lookup vindex is owned by a sharded table that has its `from` column.
    for (const vindex of Object.values(candor.vindexes ?? {}).filter((v) => v.type.includes("lookup"))) {
      expect(schema.get(vindex.owner!)?.has(vindex.params!.from!)).toBe(true);
      expect(candor.tables[vindex.owner!].column_vindexes!.some((c) => c.column === vindex.params!.from)).toBe(true);
    }
  });

  it("routes a statement to one shard only when it binds the vindex to one value", () => {
    const router = new Router(vschema);
    const route = (sql: string) => router.route(sql).route;
    expect(route("SELECT * FROM consent_state WHERE subject_id = 'p1' AND purpose_id = 'x'")).toBe("single-shard");
    expect(route("SELECT * FROM consent_state WHERE subject_id IN ('p1', 'p2')")).toBe("multi-shard");
    expect(route("SELECT * FROM consent_state WHERE subject_id = 'p1' OR purpose_id = 'x'")).toBe("scatter");
    expect(route("SELECT * FROM decision WHERE id = 'd1'")).toBe("scatter");
    expect(route("SELECT * FROM purpose WHERE `key` = 'ads'")).toBe("reference");
    expect(route("INSERT INTO audit_log (seq, entity_id) VALUES (1, 'e')")).toBe("unroutable");
    // Joins on the vindex column stay on the shard; a lookup vindex finds the shard of its value.
    expect(
      route("SELECT * FROM decision d JOIN decision_factor f ON f.subject_id = d.subject_id WHERE d.subject_id = 'p1'"),
    ).toBe("single-shard");
    expect(
      route("SELECT * FROM decision d JOIN decision_factor f ON f.decision_id = d.id WHERE d.subject_id = 'p1'"),
    ).toBe("scatter");
    router.route("INSERT INTO subject (id, external_id) VALUES ('p1', 'alex')");
    expect(router.route("SELECT * FROM subject WHERE external_id = 'alex'")).toMatchObject({
      route: "single-shard",
      target: "p1",
    });
  });

  it("replays the person-facing mix through the real server: the documented single-shard shares hold", async () => {
    await runMix(t, recorder, 3);
    const report = analyse(recorder.statements, 3, vschema);
    console.log(format(report));
    expect(report.person.statements).toBeGreaterThan(100);
    expect(report.person.percent).toBeGreaterThanOrEqual(documented("person-as-is"));
    expect(report.personBeyondCatalog.percent).toBeGreaterThanOrEqual(documented("person-as-is"));
    expect(report.personPlanned.percent).toBeGreaterThanOrEqual(documented("person-after-plan"));
    expect(documented("person-after-plan")).toBeGreaterThanOrEqual(99);
    // Every person-facing statement off one shard is one the plan names, and after it no
    // person-facing write commits on more than one shard.
    expect(report.offenders.filter((o) => o.scope === "person" && !o.planned)).toEqual([]);
    expect(report.distributedWritesAfterPlan).toEqual([]);
  });
});
