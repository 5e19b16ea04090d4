import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Kind, parse } from "graphql";

// Who may call each Query and Mutation field, as the contract's `[role]` annotations say. The
// contract lives outside the repository (../shared/design), so a clone without it reads the
// committed fixture; a test keeps the fixture equal to the contract whenever the contract is there.
// Regenerate: npx ts-node --transpile-only tests/helpers/field-roles.ts && npx prettier --write tests/fixtures/field-roles.json

/** "anyone", "subject", "partner", "admin" or "service:<scope>". */
export type ContractRole = string;
export type FieldRoles = Record<"Query" | "Mutation", Record<string, ContractRole[]>>;

export const CONTRACT_PATH = join(__dirname, "..", "..", "..", "shared", "design", "contract.graphql");
export const FIELD_ROLES_FIXTURE = join(__dirname, "..", "fixtures", "field-roles.json");

// "[subject: own decisions only]" is [subject] with a note; "[service:consent:read]" names a scope.
const ANNOTATION = /\[(anyone|subject|partner|admin|service:[a-z]+:[a-z]+)(?:[:\s][^\]]*)?\]/g;

/** The roles of every Query and Mutation field of a contract (extensions included), sorted. */
export function parseFieldRoles(contractSdl: string): FieldRoles {
  const out: FieldRoles = { Query: {}, Mutation: {} };
  for (const definition of parse(contractSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const type = definition.name.value;
    if (type !== "Query" && type !== "Mutation") continue;
    for (const field of definition.fields ?? []) {
      const description = field.description?.value ?? "";
      const roles = [...description.matchAll(ANNOTATION)].map((m) => m[1]);
      out[type][field.name.value] = [...new Set(roles)].sort();
    }
  }
  for (const type of ["Query", "Mutation"] as const)
    out[type] = Object.fromEntries(Object.entries(out[type]).sort(([a], [b]) => a.localeCompare(b)));
  return out;
}

export function contractPresent(): boolean {
  return existsSync(CONTRACT_PATH);
}

/** The committed fixture (what the matrix tests against). */
export function fieldRoles(): FieldRoles {
  return JSON.parse(readFileSync(FIELD_ROLES_FIXTURE, "utf8")) as FieldRoles;
}

export function fixtureText(roles: FieldRoles): string {
  return `${JSON.stringify(roles, null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(FIELD_ROLES_FIXTURE, fixtureText(parseFieldRoles(readFileSync(CONTRACT_PATH, "utf8"))));
  process.stdout.write(`wrote ${FIELD_ROLES_FIXTURE}\n`);
}
