import { Parser } from "node-sql-parser";

// Routes one SQL statement the way Vitess's vtgate would under docs/vitess/vschema.json: to one
// shard when its WHERE clause (or its INSERT values) binds the table's primary vindex column, or a
// lookup vindex column, to one value; to several shards when it binds several values; to every
// shard (scatter) otherwise. Reference and unsharded tables need no shard at all. The routing is
// a model of vtgate's planner, not vtgate itself: it follows equalities joined by AND (as vtgate
// does), through joins on the vindex column, and counts an OR or a range as unbound.

export interface VSchema {
  keyspaces: Record<string, { sharded?: boolean; vindexes?: Record<string, Vindex>; tables: Record<string, VTable> }>;
}
interface Vindex {
  type: string;
  params?: { table?: string; from?: string };
  owner?: string;
}
interface VTable {
  type?: string;
  source?: string;
  column_vindexes?: Array<{ column: string; name: string }>;
}

export type Route = "single-shard" | "reference" | "unsharded" | "multi-shard" | "scatter" | "unroutable" | "unparsed";

/** Routes that touch at most one shard (reference and unsharded statements need none). */
export const SINGLE: ReadonlySet<Route> = new Set(["single-shard", "reference", "unsharded"]);

export interface Routed {
  route: Route;
  /** The tables the statement names. */
  tables: string[];
  /** For one shard: the person (primary vindex value) it lands on; for unsharded: the keyspace. */
  target: string | null;
  reason: string;
}

interface ShardedTable {
  primary: string;
  /** Lookup vindex column → vindex name. */
  lookups: Map<string, string>;
}

interface Instance {
  table: string;
  alias: string;
}

type Ast = Record<string, any>;

export class Router {
  private readonly sharded = new Map<string, ShardedTable>();
  private readonly reference = new Set<string>();
  private readonly unsharded = new Map<string, string>();
  /** What the lookup tables would hold: vindex → (looked-up value → primary vindex value). */
  private readonly lookupRows = new Map<string, Map<string, string>>();
  /** Whose row each id is (table → id → primary vindex value), learned from inserts like the lookups. */
  private readonly owners = new Map<string, Map<string, string>>();
  private readonly parser = new Parser();

  /**
   * `planned` (the projection): "table.column" → the table whose row that column names. A statement
   * bound by such a column is routed as it will be once it also names the row's person (which the
   * caller knows), e.g. `decision_factor.decision_id` → `decision`.
   */
  constructor(
    private readonly vschema: VSchema,
    private readonly planned: Record<string, string> = {},
  ) {
    for (const [keyspace, ks] of Object.entries(vschema.keyspaces))
      for (const [name, table] of Object.entries(ks.tables)) {
        if (table.type === "reference") this.reference.add(name);
        else if (ks.sharded && table.column_vindexes?.length) {
          const [primary, ...rest] = table.column_vindexes;
          const lookups = new Map(rest.filter((v) => this.isLookup(keyspace, v.name)).map((v) => [v.column, v.name]));
          this.sharded.set(name, { primary: primary.column, lookups });
        } else if (!ks.sharded) this.unsharded.set(name, keyspace);
      }
  }

  private isLookup(keyspace: string, vindex: string): boolean {
    return this.vschema.keyspaces[keyspace].vindexes?.[vindex]?.type.includes("lookup") ?? false;
  }

  route(sql: string, parameters: unknown[] = []): Routed {
    let ast: Ast;
    try {
      const parsed = this.parser.astify(toMysql(inline(sql, parameters)), { database: "mariadb" });
      ast = (Array.isArray(parsed) ? parsed[0] : parsed) as Ast;
    } catch {
      // node-sql-parser reads most, not all, of SQL (SQLite's julianday() in a CTE, say): name the
      // tables at least, and count the statement as not single-shard unless it needs no shard.
      const tables = [...new Set([...sql.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE)\s+[`"]?([a-z_]+)/gi)].map((m) => m[1]))];
      if (!tables.some((t) => this.sharded.has(t)))
        return this.routeUnsharded(tables, /^\s*(INSERT|UPDATE|DELETE)/i.test(sql));
      return { route: "unparsed", tables, target: null, reason: `not parsed; names ${tables.join(", ")}` };
    }
    const instances = collectInstances(ast);
    const tables = [...new Set(instances.map((i) => i.table))];
    const writes = ast.type === "insert" || ast.type === "replace" || ast.type === "update" || ast.type === "delete";
    const shardedOnes = instances.filter((i) => this.sharded.has(i.table));
    if (shardedOnes.length === 0) return this.routeUnsharded(tables, writes);
    if (ast.type === "insert" || ast.type === "replace") return this.routeInsert(ast, tables);
    return this.routeByWhere(ast, instances, shardedOnes, tables);
  }

  private routeUnsharded(tables: string[], writes: boolean): Routed {
    const keyspaces = new Set(
      tables
        .filter((t) => writes || !this.reference.has(t))
        .map((t) => this.unsharded.get(t) ?? this.sourceKeyspace(t) ?? `unknown:${t}`),
    );
    if (keyspaces.size === 0) return { route: "reference", tables, target: null, reason: "reference tables only" };
    if (keyspaces.size === 1) {
      const [keyspace] = keyspaces;
      if (!keyspace.startsWith("unknown:"))
        return { route: "unsharded", tables, target: keyspace, reason: "unsharded" };
    }
    return {
      route: "unroutable",
      tables,
      target: null,
      reason: `not in the VSchema or across keyspaces: ${[...keyspaces]}`,
    };
  }

  private sourceKeyspace(table: string): string | undefined {
    for (const ks of Object.values(this.vschema.keyspaces)) {
      const source = ks.tables[table]?.source;
      if (source) return source.split(".")[0];
    }
    return undefined;
  }

  private routeInsert(ast: Ast, tables: string[]): Routed {
    const table = ast.table[0].table as string;
    const vt = this.sharded.get(table)!;
    const columns = (ast.columns ?? []) as string[];
    const rows = ((ast.values?.values ?? []) as Ast[]).map((row) => (row.value as Ast[]).map(literal));
    const at = columns.indexOf(vt.primary);
    if (at < 0 || rows.length === 0)
      return {
        route: "unroutable",
        tables,
        target: null,
        reason: `${table}: no ${vt.primary} among the inserted columns`,
      };
    const values = new Set(rows.map((row) => row[at]));
    for (const [column, vindex] of vt.lookups) {
      const i = columns.indexOf(column);
      if (i < 0) continue;
      const rowsOf = this.lookupRows.get(vindex) ?? new Map<string, string>();
      for (const row of rows) if (row[i] !== undefined && row[at] !== undefined) rowsOf.set(row[i]!, row[at]!);
      this.lookupRows.set(vindex, rowsOf);
    }
    const id = columns.indexOf("id");
    if (id >= 0) {
      const rowsOf = this.owners.get(table) ?? new Map<string, string>();
      for (const row of rows) if (row[id] !== undefined && row[at] !== undefined) rowsOf.set(row[id]!, row[at]!);
      this.owners.set(table, rowsOf);
    }
    if (values.has(undefined))
      return { route: "unroutable", tables, target: null, reason: `${table}.${vt.primary} not a literal` };
    return values.size === 1
      ? { route: "single-shard", tables, target: [...values][0]!, reason: `${table}.${vt.primary} in the values` }
      : { route: "multi-shard", tables, target: null, reason: `${values.size} people in one insert` };
  }

  private routeByWhere(ast: Ast, instances: Instance[], shardedOnes: Instance[], tables: string[]): Routed {
    const { bindings, edges } = collectEqualities(ast);
    const byAlias = new Map(instances.map((i) => [i.alias, i]));
    const owners = (ref: ColumnRef): Instance[] =>
      ref.table !== null
        ? [byAlias.get(ref.table)].filter((i): i is Instance => i !== undefined)
        : shardedOnes.filter(
            (i) => this.vindexColumn(i.table, ref.column) || `${i.table}.${ref.column}` in this.planned,
          );
    const targets = new Map<string, Set<string>>();
    const add = (instance: Instance, value: string) =>
      targets.set(instance.alias, (targets.get(instance.alias) ?? new Set()).add(value));
    for (const { ref, values } of bindings)
      for (const instance of owners(ref)) {
        const vt = this.sharded.get(instance.table);
        if (!vt) continue;
        if (ref.column === vt.primary) values.forEach((v) => add(instance, v));
        const owner = this.planned[`${instance.table}.${ref.column}`];
        if (owner) values.forEach((v) => add(instance, this.owners.get(owner)?.get(v) ?? `row:${owner}:${v}`));
        const vindex = vt.lookups.get(ref.column);
        if (vindex)
          values.forEach((v) => add(instance, this.lookupRows.get(vindex)?.get(v) ?? `lookup:${vindex}:${v}`));
      }
    // A join on the primary vindex columns carries one side's shard to the other (same vindex).
    for (let changed = true; changed; ) {
      changed = false;
      for (const [a, b] of edges)
        for (const x of owners(a))
          for (const y of owners(b)) {
            const primaries =
              this.sharded.get(x.table)?.primary === a.column && this.sharded.get(y.table)?.primary === b.column;
            const ownerA = this.planned[`${x.table}.${a.column}`];
            const sameRow = ownerA !== undefined && ownerA === this.planned[`${y.table}.${b.column}`];
            if (!primaries && !sameRow) continue;
            for (const [from, to] of [
              [x, y],
              [y, x],
            ])
              for (const v of targets.get(from.alias) ?? [])
                if (!targets.get(to.alias)?.has(v)) {
                  add(to, v);
                  changed = true;
                }
          }
    }
    const unbound = shardedOnes.filter((i) => !targets.has(i.alias));
    if (unbound.length > 0) {
      const names = unbound.map((i) => `${i.table}.${this.sharded.get(i.table)!.primary}`);
      return { route: "scatter", tables, target: null, reason: `no value for ${[...new Set(names)].join(", ")}` };
    }
    const all = new Set(shardedOnes.flatMap((i) => [...targets.get(i.alias)!]));
    return all.size === 1
      ? { route: "single-shard", tables, target: [...all][0], reason: "vindex bound to one value" }
      : { route: "multi-shard", tables, target: null, reason: `${all.size} vindex values` };
  }

  private vindexColumn(table: string, column: string): boolean {
    const vt = this.sharded.get(table);
    return vt !== undefined && (vt.primary === column || vt.lookups.has(column));
  }
}

interface ColumnRef {
  table: string | null;
  column: string;
}

/** Every table a statement names, with its alias, in any FROM, JOIN, subquery or DML target. */
function collectInstances(ast: unknown, out: Instance[] = []): Instance[] {
  if (Array.isArray(ast)) ast.forEach((x) => collectInstances(x, out));
  else if (ast && typeof ast === "object") {
    const node = ast as Ast;
    if (typeof node.table === "string" && "as" in node && node.type !== "column_ref" && !node.addition)
      out.push({ table: node.table, alias: node.as ?? node.table });
    Object.values(node).forEach((x) => collectInstances(x, out));
  }
  return out;
}

/** Column = value and column IN (values) bindings, and column = column edges, under AND only. */
function collectEqualities(ast: unknown) {
  const bindings: Array<{ ref: ColumnRef; values: string[] }> = [];
  const edges: Array<[ColumnRef, ColumnRef]> = [];
  const conjuncts = (expr: Ast | null | undefined): void => {
    if (!expr || typeof expr !== "object") return;
    if (expr.type === "binary_expr" && expr.operator === "AND") return (conjuncts(expr.left), conjuncts(expr.right));
    if (expr.type !== "binary_expr") return;
    const left = columnRef(expr.left);
    const right = columnRef(expr.right);
    if (expr.operator === "=") {
      if (left && right) edges.push([left, right]);
      else if (left && literal(expr.right) !== undefined) bindings.push({ ref: left, values: [literal(expr.right)!] });
      else if (right && literal(expr.left) !== undefined) bindings.push({ ref: right, values: [literal(expr.left)!] });
    } else if (expr.operator === "IN" && left && expr.right?.type === "expr_list") {
      const values = (expr.right.value as Ast[]).map(literal);
      if (values.every((v) => v !== undefined)) bindings.push({ ref: left, values: [...new Set(values as string[])] });
    }
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== "object") return;
    const n = node as Ast;
    conjuncts(n.where);
    conjuncts(n.on);
    Object.values(n).forEach(walk);
  };
  walk(ast);
  return { bindings, edges };
}

function columnRef(expr: Ast | undefined): ColumnRef | null {
  if (expr?.type !== "column_ref") return null;
  const column = typeof expr.column === "string" ? expr.column : expr.column?.expr?.value;
  // A backquoted qualifier comes as { type: "backticks_quote_string", value }.
  const table = typeof expr.table === "string" ? expr.table : (expr.table?.value ?? null);
  return typeof column === "string" ? { table, column } : null;
}

function literal(expr: Ast | undefined): string | undefined {
  if (!expr) return undefined;
  if (["number", "single_quote_string", "string", "bool", "boolean", "hex_string"].includes(expr.type))
    return String(expr.value);
  return undefined;
}

/** The statement with its parameters written in, so the router sees the values vtgate would. */
export function inline(sql: string, parameters: unknown[]): string {
  let out = "";
  let quote: string | null = null;
  let next = 0;
  for (const ch of sql) {
    if (quote) {
      out += ch;
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"' || ch === "`") {
      quote = ch;
      out += ch;
    } else if (ch === "?") out += sqlLiteral(parameters[next++]);
    else out += ch;
  }
  return out;
}

function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return value ? "1" : "0";
  const text =
    value instanceof Date ? value.toISOString() : typeof value === "object" ? JSON.stringify(value) : String(value);
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/** SQLite's spelling → MySQL's (Vitess speaks MySQL): backquoted names, INSERT IGNORE for ON CONFLICT DO NOTHING. */
export function toMysql(sql: string): string {
  let out = "";
  let quote: string | null = null;
  for (const ch of sql.replace(/\/\*.*?\*\//g, "")) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch === '"' && quote === null ? "`" : ch;
    } else if (ch === "'" || ch === "`") {
      quote = ch;
      out += ch;
    } else if (ch === '"') {
      quote = '"';
      out += "`";
    } else out += ch;
  }
  if (/\sON CONFLICT\s+DO NOTHING\s*$/i.test(out))
    out = out.replace(/\sON CONFLICT\s+DO NOTHING\s*$/i, "").replace(/^\s*INSERT\s/i, "INSERT IGNORE ");
  out = out.replace(/\sON CONFLICT\s*\([^)]*\)\s*DO UPDATE SET[\s\S]*$/i, "").trim();
  // Hand-written SQL leaves column names bare; node-sql-parser's MariaDB grammar takes `source`
  // for a keyword, so quote it (outside literals and quoted names) before parsing.
  return out
    .split(/('(?:[^']|'')*'|`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\b(source|status)\b/gi, "`$1`")))
    .join("");
}

/** A statement with its values and long column lists elided: how the scatter list names it. */
export function normalize(sql: string): string {
  return toMysql(sql)
    .replace(/'(?:[^']|'')*'/g, "?")
    .replace(/\b\d+(\.\d+)?\b/g, "?")
    .replace(/^SELECT\s+(DISTINCT\s+)?[\s\S]+?\s+FROM\s/i, (_m, d: string | undefined) => `SELECT ${d ?? ""}… FROM `)
    .replace(/\((`[a-z_]+`,\s*){3,}`[a-z_]+`\)\s*VALUES[\s\S]*$/i, "(…) VALUES (…)")
    .replace(/\s+/g, " ")
    .slice(0, 240);
}
