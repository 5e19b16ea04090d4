import "reflect-metadata";
import { loadConfig } from "../config";
import { openDatabase } from "../app/entities";
import { schemaDrift } from "../kernel/db/drift";

// `npm run migration:check`: migrate, then fail if the entities and migrations disagree.
async function main(): Promise<void> {
  const db = await openDatabase(loadConfig().databaseUrl);
  try {
    await db.migrate();
    const drift = await schemaDrift(db);
    for (const q of drift) console.log(q);
    console.log(drift.length === 0 ? "no drift" : `${drift.length} statements of drift`);
    process.exitCode = drift.length === 0 ? 0 : 1;
  } finally {
    await db.close();
  }
}
void main();
