import "reflect-metadata";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { printBareSchema } from "../app/schema";

// `npm run schema:emit`: writes schema/schema.graphql from the code.
void printBareSchema().then((sdl) => {
  const path = join(__dirname, "..", "..", "schema", "schema.graphql");
  writeFileSync(path, sdl);
  console.log(`wrote ${path}`);
});
