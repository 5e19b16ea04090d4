import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from "graphql";
import { describePermissions } from "../../src/app/permissions";
import { buildBareSchema } from "../../src/app/schema";
import { onMariaDb } from "./database";
import type { TestServer } from "./server";

// Every mutation of the schema the code builds, with what a test needs to call it: a caller the
// permission map lets in, an input of the right shape, the paths of its string fields and a
// selection of its errors. A mutation added later is covered without touching the tests.

export interface MutationUnderTest {
  name: string;
  /** The argument (one input object, or none). */
  argument: { name: string; type: string } | null;
  argumentType: GraphQLInputType | null;
  /** Who may call it: the first alternative of its permission rule. */
  caller: string;
  /** A document selecting the payload's errors (and the per-item results of a batch). */
  document: string;
  /** The list field whose items are judged one by one, e.g. ["input", "decisions"]; null if none. */
  batch: string[] | null;
  /** An input of the right shape (required fields only, or every field; one item per list). */
  shape(every?: boolean): Record<string, unknown>;
  /** Every String or ID field of the input, lists at index 0. */
  stringPaths: string[][];
}

const ERRORS = "userErrors { field message code }";

/** A plausible value of a type: required fields only (or every field), one item per list. */
export function shapeOf(type: GraphQLInputType, every = false, depth = 0): unknown {
  const t = getNullableType(type);
  if (isListType(t)) return [shapeOf(t.ofType, every, depth + 1)];
  if (isEnumType(t)) return t.getValues()[0].value;
  if (isInputObjectType(t)) {
    if (depth > 12) return {};
    return Object.fromEntries(
      Object.values(t.getFields())
        .filter((f) => every || (isNonNullType(f.type) && f.defaultValue === undefined))
        .map((f) => [f.name, shapeOf(f.type, every, depth + 1)]),
    );
  }
  if (isScalarType(t)) {
    switch (t.name) {
      case "Int":
        return 1;
      case "Float":
        return 0.5;
      case "Boolean":
        return true;
      case "DateTimeISO":
        return new Date().toISOString();
      default:
        return "x";
    }
  }
  throw new Error(`No shape for ${String(t)}`);
}

/** Paths of every String/ID field under an input type (optional ones too). */
export function stringPathsOf(type: GraphQLInputType, path: string[] = [], depth = 0): string[][] {
  const t = getNullableType(type);
  if (isListType(t)) return stringPathsOf(t.ofType, [...path, "0"], depth + 1);
  if (isInputObjectType(t) && depth <= 12)
    return Object.values(t.getFields()).flatMap((f) => stringPathsOf(f.type, [...path, f.name], depth + 1));
  if (isScalarType(t) && (t.name === "String" || t.name === "ID")) return [path];
  return [];
}

/** Sets `value` at `path` in `target`, creating what is missing (lists get their item 0). */
export function setAt(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node: any = target;
  path.slice(0, -1).forEach((step, i) => {
    if (node[step] === undefined || node[step] === null) node[step] = /^\d+$/.test(path[i + 1]) ? [] : {};
    node = node[step];
  });
  node[path.at(-1)!] = value;
}

function batchField(field: GraphQLField<unknown, unknown>): string[] | null {
  const arg = field.args[0];
  const input = arg && getNullableType(arg.type);
  if (!arg || !isInputObjectType(input)) return null;
  const list = Object.values(input.getFields()).find((f) => f.extensions?.judgedPerItem);
  return list ? [arg.name, list.name] : null;
}

export async function mutationsUnderTest(schema?: GraphQLSchema): Promise<MutationUnderTest[]> {
  const s = schema ?? (await buildBareSchema());
  const rules = describePermissions().Mutation as Record<string, string>;
  return Object.values(s.getMutationType()!.getFields())
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((field) => {
      const payload = getNamedType(field.type);
      const fields = isObjectType(payload) ? payload.getFields() : {};
      const selection = [
        "__typename",
        ...("userErrors" in fields ? [ERRORS] : []),
        ...("results" in fields ? [`results { index ${ERRORS} }`] : []),
      ].join(" ");
      const arg = field.args[0];
      const argument = arg ? { name: arg.name, type: String(arg.type) } : null;
      const document = argument
        ? `mutation M($${argument.name}: ${argument.type}) { ${field.name}(${argument.name}: $${argument.name}) { ${selection} } }`
        : `mutation M { ${field.name} { ${selection} } }`;
      return {
        name: field.name,
        argument,
        argumentType: arg ? arg.type : null,
        caller: rules[field.name].split(" | ")[0],
        document,
        batch: batchField(field),
        shape: (every = false) => (arg ? (shapeOf(arg.type, every) as Record<string, unknown>) : {}),
        stringPaths: arg ? stringPathsOf(arg.type, [arg.name]) : [],
      };
    });
}

/** A credential for a permission label ("subject", "admin", "partner", "service:<scope>"). */
export async function credentialFor(t: TestServer, caller: string, person = "fuzz-person"): Promise<string> {
  if (caller === "subject") return t.subjectToken(person);
  if (caller === "admin") return t.adminToken();
  if (caller === "partner") return t.partnerKey("summit-ad-network");
  if (caller.startsWith("service:"))
    return t.serviceKey([caller.slice("service:".length)], `fuzz-${caller.replace(/[^A-Za-z0-9._-]/g, "-")}`);
  throw new Error(`No credential for ${caller}`);
}

/** The mutation names in the committed schema (read synchronously, for `it.each`). */
export function mutationNames(): string[] {
  const sdl = readFileSync(join(__dirname, "..", "..", "schema", "schema.graphql"), "utf8");
  return Object.keys(buildSchema(sdl).getMutationType()!.getFields()).sort();
}

/**
 * Counts the rows of every table (the tables read from the database itself) in one statement:
 * "nothing written" made checkable.
 */
export async function rowCounter(t: TestServer): Promise<() => Promise<Record<string, number>>> {
  const m = t.services.db.manager;
  const tables: string[] = onMariaDb()
    ? (await m.query("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()")).map(
        (r: { t: string }) => r.t,
      )
    : (await m.query("SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).map(
        (r: { t: string }) => r.t,
      );
  const sql = `SELECT ${tables
    .sort()
    .map((table) => `(SELECT COUNT(*) FROM \`${table}\`) AS \`${table}\``)
    .join(", ")}`;
  return async () => {
    const row = (await m.query(sql))[0] as Record<string, number | string>;
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
  };
}

export async function rowCounts(t: TestServer): Promise<Record<string, number>> {
  return (await rowCounter(t))();
}
