import "reflect-metadata";
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { openDatabase } from "../src/app/entities";
import { loadConfig } from "../src/config";
import { appendAudit, laneFor, useAuditLanes } from "../src/kernel/audit/audit-log";
import { AuditLaneHead, AuditLog } from "../src/kernel/audit/audit-log.entity";
import type { Database } from "../src/kernel/db/database";
import { ReceiptSigner } from "../src/kernel/signer";
import { AuditReader } from "../src/modules/audit";
import { UPDATE } from "./helpers/consent";
import { expectIntactAuditChain, onMariaDb, resetDatabase, testDatabaseUrl } from "./helpers/database";
import { RECORD, recommendation, visitFactor } from "./helpers/decisions";
import { startTestServer, type TestServer } from "./helpers/server";
import { agreementIds, share } from "./helpers/sharing";

// The lane migration (DESIGN §9, "Audit lanes") on a database that already holds a v1 chain, as an
// operator upgrading Candor meets it: written here in the old format, with the old hash formula.
describe("Audit lanes: upgrading a database whose log is one v1 chain", () => {
  let db: Database;
  let reader: AuditReader;
  const V1_ENTRIES = 5;
  const GENESIS = "0".repeat(64);

  /** The v1 formula, spelled out here rather than taken from the code under test. */
  const v1Hash = (previous: string, row: Record<string, unknown>) =>
    createHash("sha256")
      .update(previous + canonicalize(row))
      .digest("hex");

  beforeAll(async () => {
    const url = testDatabaseUrl();
    await resetDatabase(url);
    db = await openDatabase(url);
    await db.migrate();
    await db.revertLastMigration(); // back to the one chain: audit_head, seq without AUTO_INCREMENT
    const start = Date.UTC(2026, 0, 5, 9, 30);
    let previous = GENESIS;
    const occurredAt = db.writer.getMetadata(AuditLog).findColumnWithPropertyName("occurredAt")!;
    await db.transaction(async (m) => {
      for (let seq = 1; seq <= V1_ENTRIES; seq++) {
        const at = new Date(start + seq * 1000);
        const row = { actor: `service:engine-${seq}`, action: "consent.updateConsents", entity_type: "Subject" };
        const detail = { changed: seq, receipt: null };
        const hash = v1Hash(previous, {
          seq,
          occurred_at: at.toISOString(),
          ...row,
          entity_id: `person-${seq}`,
          detail,
        });
        await m.query(
          "INSERT INTO audit_log (seq, occurred_at, actor, action, entity_type, entity_id, detail, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          [
            seq,
            db.writer.driver.preparePersistentValue(at, occurredAt),
            row.actor,
            row.action,
            row.entity_type,
            `person-${seq}`,
            JSON.stringify(detail),
            previous,
            hash,
          ],
        );
        previous = hash;
      }
      await m.query("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", [V1_ENTRIES, previous]);
      // Two partner signals numbered the old way, by AUTO_INCREMENT.
      for (const id of ["01900000-0000-7000-8000-00000000000a", "01900000-0000-7000-8000-00000000000b"])
        await m.query(
          "INSERT INTO partner_signal (id, partner_id, agreement_id, subject_id, subject_ref, kind, occurred_at) VALUES (?, 'p', 'a', 's', 'ref', 'DELETION_REQUESTED', ?)",
          [id, db.writer.driver.preparePersistentValue(new Date(start), occurredAt)],
        );
    });
    expect(await db.migrate()).toBe(1);
    reader = new AuditReader(() => db.manager, await ReceiptSigner.load(loadConfig({ NODE_ENV: "test" }), db));
  });
  afterAll(() => db.close());

  it("keeps the old chain verifiable as lane 0, its rows version 1 with lane_seq = seq", async () => {
    expect(await reader.verify()).toEqual({ valid: true, checkedEntries: V1_ENTRIES, firstBrokenSeq: null });
    const rows = await db.manager.find(AuditLog, { order: { seq: "ASC" } });
    expect(rows.map((r) => [r.seq, r.lane, r.laneSeq, r.version])).toEqual(
      Array.from({ length: V1_ENTRIES }, (_, i) => [i + 1, 0, i + 1, 1]),
    );
    const heads = await db.manager.find(AuditLaneHead, { order: { lane: "ASC" } });
    expect(heads).toHaveLength(16);
    expect(heads[0]).toMatchObject({ lane: 0, laneSeq: V1_ENTRIES, seq: V1_ENTRIES, hash: rows.at(-1)!.hash });
    for (const h of heads.slice(1)) expect(h).toMatchObject({ laneSeq: 0, seq: 0, hash: GENESIS });
  });

  it("numbers partner signals on from the last AUTO_INCREMENT value", async () => {
    const [{ seq }] = await db.manager.query("SELECT seq FROM signal_head WHERE id = 1");
    expect(Number(seq)).toBe(2);
  });

  it("appends new entries in lanes after the old ones, and still verifies; an altered v1 entry is named", async () => {
    const people = Array.from(
      { length: 12 },
      (_, i) => `01900000-0000-7000-8000-0000000001${String(i).padStart(2, "0")}`,
    );
    await db.transaction((m) =>
      appendAudit(
        m,
        people.map((subjectId) => ({
          actor: "test",
          action: "subject.create",
          entityType: "Subject",
          entityId: subjectId,
          detail: {},
        })),
      ),
    );
    expect(await reader.verify()).toEqual({ valid: true, checkedEntries: V1_ENTRIES + 12, firstBrokenSeq: null });
    expect(await expectIntactAuditChain(db.manager)).toBe(V1_ENTRIES + 12);
    const fresh = await db.manager.find(AuditLog, { where: { version: 2 } });
    expect(Math.min(...fresh.map((r) => r.seq))).toBeGreaterThan(V1_ENTRIES);
    expect(new Set(fresh.map((r) => r.lane)).size).toBeGreaterThan(1);
    expect((await reader.head()).seq).toBe(Math.max(...fresh.map((r) => r.seq)));

    await db.transaction((m) => m.query("UPDATE audit_log SET entity_id = 'someone-else' WHERE seq = 3"));
    expect(await reader.verify()).toMatchObject({ valid: false, firstBrokenSeq: 3 });
    await db.transaction((m) => m.query("UPDATE audit_log SET entity_id = 'person-3' WHERE seq = 3"));
    expect(await reader.verify()).toMatchObject({ valid: true });
  });

  it("takes a different lane count on the same database: old lanes stay and verify, new ones are added", async () => {
    await useAuditLanes(db.writer, 4);
    const few = await db.transaction((m) =>
      appendAudit(
        m,
        [1, 2, 3, 4, 5, 6].map((i) => ({
          actor: "test",
          action: "t",
          entityType: "T",
          entityId: `few-${i}`,
          detail: {},
        })),
      ),
    );
    expect(few.every((r) => r.lane < 4)).toBe(true);
    await useAuditLanes(db.writer, 40);
    expect(await db.manager.count(AuditLaneHead)).toBe(40);
    const many = await db.transaction((m) =>
      appendAudit(
        m,
        Array.from({ length: 60 }, (_, i) => ({
          actor: "test",
          action: "t",
          entityType: "T",
          entityId: `many-${i}`,
          detail: {},
        })),
      ),
    );
    expect(many.some((r) => r.lane >= 16)).toBe(true);
    const total = await db.manager.count(AuditLog);
    expect(await reader.verify()).toEqual({ valid: true, checkedEntries: total, firstBrokenSeq: null });
    await useAuditLanes(db.writer, 16);
    expect(await db.manager.count(AuditLaneHead)).toBe(40); // head rows are never removed
    await expect(useAuditLanes(db.writer, 0)).rejects.toThrow(RangeError);
  });

  it("refuses to revert once entries were written in lanes", async () => {
    await expect(db.revertLastMigration()).rejects.toThrow(/written in lanes/);
    expect(await reader.verify()).toMatchObject({ valid: true });
  });
});

// Many callers writing about different people at once: each write locks only its person's lane
// head (and, when it signals partners, the signal head after it), so they neither queue on one
// row nor deadlock; every lane still verifies and the partner feed's numbers commit in order.
describe("Audit lanes: concurrent single writes for different people", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ env: { CANDOR_SIGNAL_LAG_MS: "0" } });
  });
  afterAll(() => t.close());

  it("record decisions and consent withdrawals from 48 callers without deadlock; the log verifies", async () => {
    const engine = await t.serviceKey(["decisions:write", "sharing:write"], "engine");
    const people = Array.from({ length: 24 }, (_, i) => `lane-person-${i}`);
    const ids = await agreementIds(t);
    await share(
      t,
      engine,
      people.map((p) => ({
        subjectExternalId: p,
        agreement: ids["audience-data-sale"],
        dataCategories: ["user.behavior.purchase_history"],
      })),
    );
    const tokens = await Promise.all(people.map((p) => t.subjectToken(p)));
    const retriedBefore = t.services.db.retriedTransactions;
    const answers = await Promise.all(
      people.flatMap((p, i) => [
        t.gql(RECORD, { input: { decisions: [recommendation(p, { factors: [visitFactor()] })] } }, { token: engine }),
        t.gql(
          UPDATE,
          { input: { channel: "WEB", changes: [{ purpose: "sale-to-data-partners", granted: false }] } },
          { token: tokens[i] },
        ),
      ]),
    );
    for (const a of answers) expect(a.body.errors).toBeUndefined();
    const [decisions, withdrawals] = [answers.filter((_, i) => i % 2 === 0), answers.filter((_, i) => i % 2 === 1)];
    for (const d of decisions) expect(d.body.data!.recordDecisions.results[0].decision).not.toBeNull();
    for (const w of withdrawals) expect(w.body.data!.updateConsents.receipt).not.toBeNull();
    expect(t.services.db.retriedTransactions - retriedBefore).toBe(0);

    const admin = await t.adminToken();
    const audit = (await t.gql("{ verifyAuditLog { valid checkedEntries firstBrokenSeq } }", {}, { token: admin })).body
      .data!.verifyAuditLog;
    expect(audit).toEqual({
      valid: true,
      checkedEntries: await expectIntactAuditChain(t.services.db.manager),
      firstBrokenSeq: null,
    });
    const lanes = await t.services.db.manager.query("SELECT DISTINCT lane FROM audit_log");
    expect(lanes.length).toBeGreaterThan(1);

    // One signal per person, numbered 1…24 without a gap, the signal head at the last number.
    const signals = await t.services.db.manager.query("SELECT seq FROM partner_signal ORDER BY seq");
    expect(signals.map((s: { seq: number }) => Number(s.seq))).toEqual(people.map((_, i) => i + 1));
    const [head] = await t.services.db.manager.query("SELECT seq FROM signal_head WHERE id = 1");
    expect(Number(head.seq)).toBe(people.length);
  });
});

// What the lanes change for waiting, shown with locks rather than times (MariaDB; SQLite
// serializes every write anyway): a transaction still open on one lane holds up only its lane.
(onMariaDb() ? describe : describe.skip)("Audit lanes: an open write holds up only its own lane", () => {
  let db: Database;
  beforeAll(async () => {
    const url = testDatabaseUrl();
    await resetDatabase(url);
    db = await openDatabase(url);
    await db.migrate();
  });
  afterAll(() => db.close());

  const entry = (entityId: string) => ({ actor: "test", action: "t", entityType: "Subject", entityId, detail: {} });
  const personIn = (lane: number, not?: string) =>
    Array.from({ length: 1000 }, (_, i) => `person-${i}`).find((p) => laneFor(p, 16) === lane && p !== not)!;

  it("commits another lane's entry while the first is open, and times out on the same lane", async () => {
    const [a, b, a2] = [personIn(3), personIn(5), personIn(3, personIn(3))];
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const open = db.transaction(async (m) => {
      await appendAudit(m, [entry(a)]);
      held();
      await gate;
    });
    await holding;
    // Lane 5 does not wait for lane 3's open transaction.
    const [other] = await db.transaction((m) => appendAudit(m, [entry(b)]));
    expect(other.lane).toBe(5);
    // Lane 3 does: with a one-second lock wait it gives up.
    await expect(
      db.transaction(async (m) => {
        await m.query("SET SESSION innodb_lock_wait_timeout = 1");
        try {
          await appendAudit(m, [entry(a2)]);
        } finally {
          await m.query("SET SESSION innodb_lock_wait_timeout = DEFAULT");
        }
      }),
    ).rejects.toThrow(/Lock wait timeout/);
    release();
    await open;
    expect(await expectIntactAuditChain(db.manager)).toBe(2);
  });
});
