import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** The project's root (where package.json is), from src/ under ts-node or dist/src/ when built. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("Cannot find the project root (package.json)");
    dir = parent;
  }
  return dir;
}

export const demoCatalogPath = () => join(projectRoot(), "catalog", "demo.yaml");
