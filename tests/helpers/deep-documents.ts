import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from "graphql";
import { MAX_QUERY_COST, queryCost } from "../../src/http/query-cost";
import { QUERY_LIMITS } from "../../src/http/apollo";
import { catalogPermissions } from "../../src/modules/catalog/catalog.rules";
import { shapeOf } from "./mutations";

// Documents that read as much as a caller may get from one root field: every field to the
// deepest level the server's own limits (cost, tokens, depth) accept, with minimal valid
// arguments generated from the schema types. Answers this wide show what a caller can see.

/** Argument values by argument name, wherever a field takes them: catalog keys that exist. */
export const ARGUMENT_VALUES: Record<string, unknown> = {
  first: 3,
  purpose: "personalized-recommendations",
  purposes: ["personalized-recommendations", "targeted-advertising"],
  surface: "home-feed",
  code: "US-CA",
  year: new Date().getUTCFullYear(),
};

/** A GraphQL literal of `value` for `type` (enums bare, everything else as JSON would say it). */
export function literal(value: unknown, type: GraphQLInputType): string {
  if (value === null || value === undefined) return "null";
  const t = getNullableType(type);
  if (isListType(t)) return `[${(value as unknown[]).map((v) => literal(v, t.ofType)).join(", ")}]`;
  if (isEnumType(t)) return String(value);
  if (isInputObjectType(t)) {
    const fields = t.getFields();
    return `{ ${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${literal(v, fields[k].type)}`)
      .join(", ")} }`;
  }
  return JSON.stringify(value);
}

/** Required arguments of a field (`first` too, when present), with `overrides` by name. */
export function argumentsOf(field: GraphQLField<unknown, unknown>, overrides: Record<string, unknown> = {}): string {
  const args = field.args.filter(
    (a) => a.name in overrides || a.name === "first" || (isNonNullType(a.type) && a.defaultValue === undefined),
  );
  if (args.length === 0) return "";
  const value = (name: string, type: GraphQLInputType) =>
    name in overrides ? overrides[name] : name in ARGUMENT_VALUES ? ARGUMENT_VALUES[name] : shapeOf(type);
  return `(${args.map((a) => `${a.name}: ${literal(value(a.name, a.type), a.type)}`).join(", ")})`;
}

/** The public catalog (readable by anyone, the same for every caller): below the root, its id and key suffice. */
const CATALOG = new Set(Object.keys(catalogPermissions).filter((type) => type !== "Query"));

function selection(
  type: GraphQLNamedType,
  schema: GraphQLSchema,
  depth: number,
  seen: Set<string>,
  /** Inside a fragment on one possible type: fields that other possible types give another type, to alias. */
  conflicts = new Set<string>(),
): string {
  if (!isCompositeType(type)) return "";
  if (CATALOG.has(type.name) && seen.size > 1 && isObjectType(type))
    return `{ __typename ${["id", "key"].filter((f) => f in type.getFields()).join(" ")} }`;
  if (isAbstractType(type)) {
    const possible = schema.getPossibleTypes(type);
    const typeOf = new Map<string, Set<string>>();
    for (const p of possible)
      for (const f of Object.values(p.getFields()))
        typeOf.set(f.name, (typeOf.get(f.name) ?? new Set()).add(String(f.type)));
    const conflicts = new Set([...typeOf].filter(([, types]) => types.size > 1).map(([name]) => name));
    const parts = possible
      .map((p) => `... on ${p.name} ${selection(p, schema, depth, seen, conflicts)}`)
      .filter((p) => !p.endsWith(" "));
    return `{ __typename ${parts.join(" ")} }`;
  }
  if (!isObjectType(type)) return "";
  const fields: string[] = [];
  for (const field of Object.values(type.getFields())) {
    const named = getNamedType(field.type);
    const args = argumentsOf(field);
    const name = conflicts.has(field.name) ? `${type.name}_${field.name}: ${field.name}` : field.name;
    if (!isCompositeType(named)) {
      fields.push(`${name}${args}`);
      continue;
    }
    if (depth <= 1 || seen.has(named.name)) continue;
    fields.push(`${name}${args} ${selection(named, schema, depth - 1, new Set([...seen, named.name]))}`);
  }
  return `{ __typename ${fields.join(" ")} }`;
}

function fits(schema: GraphQLSchema, document: string): boolean {
  try {
    return queryCost(schema, parse(document, { maxTokens: QUERY_LIMITS.tokens })) <= MAX_QUERY_COST;
  } catch {
    return false; // more tokens than the server parses
  }
}

/**
 * One operation calling `field` with `args` (a literal argument list, "" for none), selecting
 * everything to the deepest level that fits the server's limits.
 */
export function deepDocument(schema: GraphQLSchema, operation: "query" | "mutation", field: string, args: string) {
  const root = operation === "query" ? schema.getQueryType()! : schema.getMutationType()!;
  const named = getNamedType(root.getFields()[field].type);
  for (let depth = 6; depth >= 1; depth--) {
    const body = isCompositeType(named) ? ` ${selection(named, schema, depth, new Set([named.name]))}` : "";
    const document = `${operation} { ${field}${args}${body} }`;
    if (depth === 1 || fits(schema, document)) return document;
  }
  throw new Error("unreachable");
}
