import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Where the test families leave the figures of their last run (git-ignored; README quotes them). */
export const FIGURES_DIR = join(__dirname, "..", "..", "test-artifacts", "figures");

/**
 * Records what a test family tried and found, per database, so the figures quoted in the README
 * ("Security and reliability") are a run's, not a claim: `npm run -s figures` prints them.
 */
export function recordFigures(
  family: string,
  figures: Record<string, number>,
  database = process.env.TEST_DATABASE_URL ? "mariadb" : "sqlite",
): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  writeFileSync(
    join(FIGURES_DIR, `${slug(family)}.${slug(database)}.json`),
    JSON.stringify({ family, database, at: new Date().toISOString(), figures }, null, 1) + "\n",
  );
}

const slug = (name: string) => name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "");
