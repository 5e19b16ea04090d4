import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, type OperationDefinitionNode } from "graphql";
import { generateSources } from "../codegen";

// `npm run client:generate [outDir]`: the typed client (src/generated/graphql.ts) and the
// persisted-operations manifest (Apollo's format, for CANDOR_PERSISTED_ONLY) from the same
// documents, so the ids in the manifest are the hashes of exactly the strings the client sends.
// tests/client/generated.test.ts runs it into a temporary folder and compares.

export interface ManifestOperation {
  id: string;
  name: string;
  type: "query" | "mutation" | "subscription";
  body: string;
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The documents of a generated module, as the client sends them, by operation name. */
export function manifestOf(documents: string[]): { format: string; version: 1; operations: ManifestOperation[] } {
  const operations = documents.flatMap((body) => {
    const op = parse(body).definitions.find((d): d is OperationDefinitionNode => d.kind === "OperationDefinition");
    // Fragments have documents of their own too; only operations are sent.
    return op ? [{ id: sha256(body), name: op.name!.value, type: op.operation, body }] : [];
  });
  operations.sort((a, b) => a.name.localeCompare(b.name));
  return { format: "apollo-persisted-query-manifest", version: 1, operations };
}

export async function generateClient(outDir: string): Promise<void> {
  const folder = join(outDir, "src", "generated");
  mkdirSync(folder, { recursive: true });
  const sources = await generateSources();
  for (const [name, content] of Object.entries(sources)) writeFileSync(join(folder, name), content);
  const operations = sources["graphql.ts"];
  // The document strings exactly as the module exports them (TypedDocumentString extends String);
  // the operations have no backslash or ${, so the template literal's text is its value.
  const documents = [...operations.matchAll(/= new TypedDocumentString\(`([\s\S]*?)`/g)].map((m) => m[1]);
  if (documents.some((d) => d.includes("\\") || d.includes("${"))) throw new Error("escapes in a document");
  writeFileSync(join(outDir, "persisted-operations.json"), JSON.stringify(manifestOf(documents), null, 2) + "\n");
}

if (require.main === module) {
  const outDir = resolve(process.argv[2] ?? join(__dirname, ".."));
  generateClient(outDir).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
