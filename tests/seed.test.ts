import { seed, SEED_PREFIX } from "../src/cli/seed";
import { onSqlStatement } from "../src/kernel/db/sql-counter";
import { PURGE_BATCH } from "../src/kernel/db/paging";
import { decisionWrites } from "./helpers/decisions";
import { startTestServer, type TestServer } from "./helpers/server";

const VERIFY = "{ verifyAuditLog { valid checkedEntries firstBrokenSeq } }";
const RUN = "mutation { runDataAudit { dataAudit { purgedRecords findings { kind count } } userErrors { code } } }";

const count = async (t: TestServer, sql: string, params: unknown[] = []) =>
  Number((await t.services.db.manager.query(sql, params))[0].n);

// `candor seed` (issue 13): a large database for the bench and for EXPLAIN, in the real tables,
// valid (the audit log verifies, the data audit finds nothing wrong), and resumable.
describe("Seeding: `candor seed` fills the real tables with valid people and decisions, and resumes where it stopped", () => {
  let t: TestServer;
  let admin: string;
  beforeEach(async () => {
    t = await startTestServer();
    admin = await t.adminToken();
  });
  afterEach(() => t.close());

  it("writes people, decisions and factors that the audit log and the data audit accept", async () => {
    const before = await decisionWrites(t);
    const result = await seed(t.services.db, { people: 1200, decisions: 2500 });
    expect(result).toEqual({ written: 3, skipped: 0 });
    const after = await decisionWrites(t);
    expect(await count(t, "SELECT COUNT(*) AS n FROM subject WHERE external_id LIKE ?", [`${SEED_PREFIX}%`])).toBe(
      1200,
    );
    expect(after.decision - before.decision).toBe(2500);
    expect(after.decision_factor - before.decision_factor).toBe(5000);
    // One audit entry per batch: the chain stays whole.
    expect(after.audit_log - before.audit_log).toBe(3);
    expect((await t.gql(VERIFY, {}, { token: admin })).body.data!.verifyAuditLog).toMatchObject({
      valid: true,
      firstBrokenSeq: null,
    });
    // Nothing past retention, no undeclared use, no decision without consent.
    const audit = (await t.gql(RUN, {}, { token: admin })).body.data!.runDataAudit.dataAudit;
    expect(audit.purgedRecords).toBe(0);
    expect(audit.findings.filter((f: { count: number }) => f.count > 0)).toEqual([]);
  });

  it("continues an interrupted run without writing anyone twice", async () => {
    // Interrupted after the first batch (one transaction each: the batch is whole or absent).
    await expect(
      seed(t.services.db, {
        people: 1200,
        decisions: 1200,
        onBatch: () => {
          throw new Error("interrupted");
        },
      }),
    ).rejects.toThrow("interrupted");
    expect(await count(t, "SELECT COUNT(*) AS n FROM subject WHERE external_id LIKE ?", [`${SEED_PREFIX}%`])).toBe(500);
    const again = await seed(t.services.db, { people: 1200, decisions: 1200 });
    expect(again).toEqual({ written: 2, skipped: 1 });
    expect(await count(t, "SELECT COUNT(*) AS n FROM subject WHERE external_id LIKE ?", [`${SEED_PREFIX}%`])).toBe(
      1200,
    );
    expect(await count(t, "SELECT COUNT(*) AS n FROM decision WHERE recorded_by = 'cli:seed'")).toBe(1200);
    // A larger run later adds only the new people; a repeated one writes nothing.
    expect(await seed(t.services.db, { people: 1300, decisions: 1300 })).toEqual({ written: 1, skipped: 2 });
    expect(await seed(t.services.db, { people: 1300, decisions: 1300 })).toEqual({ written: 0, skipped: 3 });
    expect(await count(t, "SELECT COUNT(*) AS n FROM decision WHERE recorded_by = 'cli:seed'")).toBe(1300);
  });

  it("purges expired decisions in bounded batches, page by page, each batch its own transaction and audit entry", async () => {
    // 1,100 decisions 40-44 days old: past the 30-day retention of "this visit", which they used.
    await seed(t.services.db, { people: 1100, decisions: 1100, daysAgo: 40, spreadDays: 5 });
    const deletes: number[] = [];
    const stop = onSqlStatement((query, parameters) => {
      if (/^DELETE FROM [`"]decision[`"]/.test(query)) deletes.push(parameters.length);
    });
    try {
      const audit = (await t.gql(RUN, {}, { token: admin })).body.data!.runDataAudit.dataAudit;
      expect(audit.purgedRecords).toBe(1100);
    } finally {
      stop();
    }
    // The walk reads 1,000 decisions a page: 1,000 = 5 batches of 200, then 100 = one batch.
    expect(deletes).toEqual([200, 200, 200, 200, 200, 100]);
    expect(Math.max(...deletes)).toBeLessThanOrEqual(PURGE_BATCH);
    expect(await count(t, "SELECT COUNT(*) AS n FROM decision WHERE recorded_by = 'cli:seed'")).toBe(0);
    expect(await count(t, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'audit.purge'")).toBe(6);
    expect((await t.gql(VERIFY, {}, { token: admin })).body.data!.verifyAuditLog.valid).toBe(true);
  });
});
