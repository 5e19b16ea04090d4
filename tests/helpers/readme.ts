import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The README's GraphQL examples, as written (the README is part of what the tests hold true). */
export const readmeQueries: string[] = [
  ...readFileSync(join(__dirname, "..", "..", "README.md"), "utf8").matchAll(/```graphql\n([\s\S]*?)```/g),
].map((m) => m[1]);

/** The README's example operation of this name, e.g. `WhyThisAd`. */
export function readmeQuery(name: string): string {
  const found = readmeQueries.find((q) => new RegExp(`^(?:query|mutation) ${name}\\b`, "m").test(q));
  if (!found) throw new Error(`The README has no operation named ${name}`);
  return found;
}
