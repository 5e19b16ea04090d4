import "reflect-metadata";
import type { Database } from "../src/kernel/db/database";
import { openDatabase } from "../src/app/entities";
import { schemaDrift } from "../src/kernel/db/drift";
import { migrations } from "../migrations";
import { resetDatabase, testDatabaseUrl } from "./helpers/database";

// A fresh database, migrated, matches the entities exactly (no drift), on SQLite and MariaDB;
// and the migrations revert cleanly and re-apply.
describe("Database migrations an operator runs", () => {
  let db: Database;

  beforeAll(async () => {
    const url = testDatabaseUrl();
    await resetDatabase(url);
    db = await openDatabase(url);
  });
  afterAll(() => db.close());

  it("create every table the entities describe, with no drift", async () => {
    expect(await db.migrate()).toBe(migrations.length);
    expect(await schemaDrift(db)).toEqual([]);
    expect(await db.pendingMigrations()).toBe(false);
  });

  it("revert and re-apply cleanly", async () => {
    for (let i = 0; i < migrations.length; i++) await db.revertLastMigration();
    expect(await db.pendingMigrations()).toBe(true);
    expect(await db.migrate()).toBe(migrations.length);
    expect(await schemaDrift(db)).toEqual([]);
  });

  it("never synchronize", () => {
    expect(db.writer.options.synchronize).toBe(false);
    expect(db.reader.options.synchronize).toBe(false);
  });
});
