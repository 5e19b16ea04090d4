import "reflect-metadata";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startTestServer } from "../../tests/helpers/server";
import { StatementRecorder, type Statement } from "./capture";
import { runMix, scopeOf, type Scope } from "./mix";
import { normalize, Router, SINGLE, type Routed, type VSchema } from "./routing";

// `npm run scaling:simulate [people]`: records the statements Candor issues for a scripted mix
// through the real server (SQLite, or TEST_DATABASE_URL), routes each by docs/vitess/vschema.json
// and prints the share of person-facing statements that land on a single shard, with every
// statement that does not. docs/scaling.md explains the figures.

const DOCS = join(__dirname, "..", "..", "docs", "vitess");

export const loadVSchema = (): VSchema => JSON.parse(readFileSync(join(DOCS, "vschema.json"), "utf8"));
export interface PlannedChanges {
  /** Columns the plan adds: table → column → why. Statements lacking them are what the plan changes. */
  columns: Record<string, Record<string, string>>;
  /** Statements that will also name the person: "table.column" → the table whose row the column names. */
  statements: Record<string, string>;
  /** Tables the plan replaces: table → by what. Their statements leave person-facing transactions. */
  retired: Record<string, string>;
}
export const loadPlannedChanges = (): PlannedChanges =>
  JSON.parse(readFileSync(join(DOCS, "planned-changes.json"), "utf8"));

export interface Share {
  statements: number;
  single: number;
  /** single / statements, in percent, one decimal. */
  percent: number;
}

export interface Offender {
  scope: Scope | "background";
  operation: string;
  route: Routed["route"];
  statement: string;
  reason: string;
  count: number;
  /** True when the plan (docs/vitess/planned-changes.json) routes it to one shard. */
  planned: boolean;
}

export interface SimulationReport {
  people: number;
  person: Share;
  /** The person-facing share once docs/vitess/planned-changes.json is done: its columns written, its statements naming the person. */
  personPlanned: Share;
  /** The same without statements that read only reference tables (the catalog, which is leaving the request path). */
  personBeyondCatalog: Share;
  crossPerson: Share;
  /** Person-facing operations whose writes reach more than one shard or keyspace: distributed commits. */
  distributedWrites: Array<{ operation: string; targets: string[] }>;
  /** The same once the plan is done (retired tables gone, planned columns written). */
  distributedWritesAfterPlan: Array<{ operation: string; targets: string[] }>;
  offenders: Offender[];
}

const share = (routed: Routed[], counts = (r: Routed) => SINGLE.has(r.route)): Share => {
  const single = routed.filter(counts).length;
  return { statements: routed.length, single, percent: Math.round((1000 * single) / Math.max(1, routed.length)) / 10 };
};

export function analyse(statements: Statement[], people: number, vschema = loadVSchema()): SimulationReport {
  const planned = loadPlannedChanges();
  const router = new Router(vschema);
  const projected = new Router(vschema, planned.statements);
  const lacksPlanned = (r: Routed) =>
    r.route === "unroutable" &&
    r.tables.some((t) => Object.keys(planned.columns[t] ?? {}).some((c) => r.reason.includes(c)));
  const routed = statements.map((s) => ({
    ...s,
    scope: scopeOf(s.operation),
    routed: router.route(s.sql, s.parameters),
    projected: projected.route(s.sql, s.parameters),
  }));
  const person = routed.filter((s) => s.scope === "person");

  const offenders = new Map<string, Offender>();
  for (const s of routed) {
    if (SINGLE.has(s.routed.route)) continue;
    const statement = normalize(s.sql);
    const key = `${s.operation}\n${statement}`;
    const seen = offenders.get(key);
    if (seen) seen.count += 1;
    else
      offenders.set(key, {
        scope: s.scope,
        operation: s.operation ?? "(background)",
        route: s.routed.route,
        statement,
        reason: s.routed.reason,
        count: 1,
        planned: lacksPlanned(s.projected) || SINGLE.has(s.projected.route),
      });
  }

  const asIs = distributedWrites(routed, (s) => s.routed);
  const afterPlan = distributedWrites(routed, (s) => {
    if (s.routed.tables.some((t) => t in planned.retired)) return null;
    return lacksPlanned(s.projected) ? { ...s.projected, route: "single-shard", target: "<the person>" } : s.projected;
  });
  return {
    people,
    person: share(person.map((s) => s.routed)),
    personPlanned: share(
      person.map((s) => s.projected),
      (r) => SINGLE.has(r.route) || lacksPlanned(r),
    ),
    personBeyondCatalog: share(person.map((s) => s.routed).filter((r) => r.route !== "reference")),
    crossPerson: share(routed.filter((s) => s.scope === "cross-person").map((s) => s.routed)),
    distributedWrites: asIs,
    distributedWritesAfterPlan: afterPlan,
    offenders: [...offenders.values()].sort((a, b) => a.scope.localeCompare(b.scope) || b.count - a.count),
  };
}

type RoutedStatement = Statement & { scope: Scope | "background"; routed: Routed; projected: Routed };

/** Person-facing requests whose writes land in more than one place (shard or keyspace), by operation. */
function distributedWrites(routed: RoutedStatement[], routeOf: (s: RoutedStatement) => Routed | null) {
  const places = new Map<number, { operation: string; targets: Set<string> }>();
  let request = 0;
  let previous: string | null = null;
  for (const s of routed) {
    if (s.operation !== previous) request += 1;
    previous = s.operation;
    const r = routeOf(s);
    if (s.scope !== "person" || r === null || !/^\s*(INSERT|UPDATE|DELETE|REPLACE)/i.test(s.sql)) continue;
    const where = (r.target ? `${r.route}:${r.target}` : r.route).replace(/:[0-9a-f-]{36}$/, ":<the person>");
    const entry = places.get(request) ?? { operation: s.operation!, targets: new Set<string>() };
    places.set(request, entry.targets.add(where) && entry);
  }
  const out = new Map<string, string[]>();
  for (const { operation, targets } of places.values()) if (targets.size > 1) out.set(operation, [...targets].sort());
  return [...out].map(([operation, targets]) => ({ operation, targets }));
}

/** Runs the mix through a real server and routes what it recorded. */
export async function simulate(people: number): Promise<SimulationReport> {
  const t = await startTestServer({ env: { CANDOR_SIGNAL_LAG_MS: "0" } });
  try {
    const recorder = new StatementRecorder(t);
    await runMix(t, recorder, people);
    return analyse(recorder.statements, people);
  } finally {
    await t.close();
  }
}

export function format(report: SimulationReport): string {
  const pct = (s: Share) => `${s.percent}% (${s.single} of ${s.statements} statements)`;
  const lines = [
    `Routing simulation: ${report.people} people, VSchema docs/vitess/vschema.json`,
    `person-facing statements on one shard:           ${pct(report.person)}`,
    `  after docs/vitess/planned-changes.json:        ${pct(report.personPlanned)}`,
    `  without catalog-only reads, as it stands:     ${pct(report.personBeyondCatalog)}`,
    `cross-person statements on one shard (for scale): ${pct(report.crossPerson)}`,
    "",
    "Statements not on one shard (normalized; count; why):",
  ];
  for (const o of report.offenders)
    lines.push(
      `  [${o.scope}] ${o.operation} — ${o.route}${o.planned ? " (the plan fixes it)" : ""} ×${o.count}: ${o.reason}`,
      `      ${o.statement}`,
    );
  lines.push("", "Person-facing writes reaching more than one place (a distributed commit):");
  for (const d of report.distributedWrites) lines.push(`  ${d.operation}: ${d.targets.join(" + ")}`);
  lines.push(`  after the plan: ${report.distributedWritesAfterPlan.length === 0 ? "none" : ""}`);
  for (const d of report.distributedWritesAfterPlan) lines.push(`    ${d.operation}: ${d.targets.join(" + ")}`);
  return lines.join("\n");
}

if (require.main === module) {
  const people = Number(process.argv[2] ?? 20);
  simulate(people)
    .then((report) => {
      console.log(format(report));
      if (process.argv.includes("--json")) console.log(JSON.stringify(report, null, 2));
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
