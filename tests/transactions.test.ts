import "reflect-metadata";
import { AppSecret } from "../src/kernel/db/app-secret.entity";
import type { Database } from "../src/kernel/db/database";
import { openDatabase } from "../src/app/entities";
import { ApiKeyService } from "../src/auth/api-key.service";
import { expectIntactAuditChain, resetDatabase, testDatabaseUrl } from "./helpers/database";

// The one write path, under concurrency, on the database under test (SQLite by default, MariaDB
// with TEST_DATABASE_URL): no write is lost, no rolled-back write survives, none is seen early.
describe("Transactions, as concurrent callers see them", () => {
  let db: Database;
  beforeAll(async () => {
    const url = testDatabaseUrl();
    await resetDatabase(url);
    db = await openDatabase(url);
    await db.migrate();
  });
  afterAll(() => db.close());

  it("keep every committed write and none of the rolled-back ones, under 40 concurrent writers", async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        db.transaction(async (m) => {
          await m.insert(AppSecret, { name: `w-${i}`, value: String(i), createdAt: new Date() });
          await new Promise((resolve) => setTimeout(resolve, i % 3));
          if (i % 4 === 0) throw new Error(`writer ${i} rolls back`);
          await m.insert(AppSecret, { name: `w-${i}-second`, value: String(i), createdAt: new Date() });
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === "rejected")).toHaveLength(10);
    const names = (await db.manager.find(AppSecret)).map((s) => s.name).filter((n) => n.startsWith("w-"));
    const expected = Array.from({ length: 40 }, (_, i) => i)
      .filter((i) => i % 4 !== 0)
      .flatMap((i) => [`w-${i}`, `w-${i}-second`]);
    expect(names.sort()).toEqual(expected.sort());
  });

  it("show no uncommitted row to a reader outside the transaction", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedSignal = new Promise<void>((resolve) => (inserted = resolve));
    const writer = db.transaction(async (m) => {
      await m.insert(AppSecret, { name: "pending", value: "x", createdAt: new Date() });
      inserted();
      await gate;
      throw new Error("roll back");
    });
    await insertedSignal;
    expect(await db.manager.findOneBy(AppSecret, { name: "pending" })).toBeNull();
    release();
    await expect(writer).rejects.toThrow("roll back");
    expect(await db.manager.findOneBy(AppSecret, { name: "pending" })).toBeNull();
  });

  it("keep the audit chain whole when 20 writers append at once", async () => {
    const keys = new ApiKeyService(db);
    await Promise.all(Array.from({ length: 20 }, (_, i) => keys.createServiceKey(`svc-${i}`, ["consent:read"])));
    expect(await expectIntactAuditChain(db.manager)).toBe(20);
  });
});
