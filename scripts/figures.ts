// Prints the figures the test families recorded in their last run (test-artifacts/figures), as the
// table the README's "Security and reliability" section quotes.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FIGURES_DIR } from "../tests/helpers/figures";

type Recorded = { family: string; database: string; at: string; figures: Record<string, number> };

if (!existsSync(FIGURES_DIR)) {
  console.log("No figures yet: run the tests first (npm test, npm run test:mysql, npm run test:faults).");
  process.exit(0);
}
const rows = readdirSync(FIGURES_DIR)
  .filter((name) => name.endsWith(".json"))
  .map((name) => JSON.parse(readFileSync(join(FIGURES_DIR, name), "utf8")) as Recorded)
  .sort((a, b) => a.family.localeCompare(b.family) || a.database.localeCompare(b.database));
console.log("| family | database | run at | figures |");
console.log("|---|---|---|---|");
for (const row of rows) {
  const figures = Object.entries(row.figures)
    .map(([name, value]) => `${name} ${value.toLocaleString("en-US")}`)
    .join(", ");
  console.log(`| ${row.family} | ${row.database} | ${row.at.slice(0, 16).replace("T", " ")} | ${figures} |`);
}
