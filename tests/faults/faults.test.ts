import { recordFigures } from "../helpers/figures";
import { createConnection, type Connection } from "mysql2/promise";
import { CandorProcess, prepareDatabase } from "./candor-process";
import { knob } from "./client";
import { KILL_PURPOSE, isConsentWrite, personOf, readiness, runKillLoad } from "./kill-load";
import { PrivateMariaDb } from "./private-mariadb";
import { runRace, storedHistory } from "./race-load";
import { consentViaApi, lostAndDoubled, notDeniedViaApi, verifyAuditLog } from "./verify";

// Issue 12, faults (npm run test:faults; not part of npm test). A MariaDB server of the test's
// own and two Candor processes on it, each its own node process reached over HTTP only.
//
// 1. mariadbd is killed with SIGKILL while the first Candor takes writes, stays dead a moment,
//    and is started again on the same data folder; Candor is never restarted. Every write
//    answered OK is there afterwards, once; while the database is gone every refusal is 503 +
//    Retry-After + UNAVAILABLE (never a 500); /health/ready of both processes says so and
//    recovers by itself; the audit log verifies.
// 2. mariadbd is frozen (SIGSTOP): /health/ready answers 503 instead of hanging, and 200 again
//    once it thaws (SIGCONT).
// 3. Then both processes change one person's consent to one purpose at once, alternating DENIED
//    and GRANTED: every change answered with a receipt is one stored event, the events chain in
//    commit order, the state is the last event's, and the audit log verifies.
//
// Knobs: FAULTS_WRITES (300), FAULTS_KILLS (1), FAULTS_CONCURRENCY (8), FAULTS_OUTAGE_MS (1500:
// how long the database stays dead), FAULTS_RACE_WRITES (150 per process),
// FAULTS_RACE_CONCURRENCY (4 in flight per process). The figures are printed as "faults: ...".

const WRITES = knob("FAULTS_WRITES", 300);
const KILLS = knob("FAULTS_KILLS", 1);
const CONCURRENCY = knob("FAULTS_CONCURRENCY", 8);
const OUTAGE_MS = knob("FAULTS_OUTAGE_MS", 1500);
const RACE_WRITES = knob("FAULTS_RACE_WRITES", 150);
const RACE_CONCURRENCY = knob("FAULTS_RACE_CONCURRENCY", 4);

const report = (name: string, figures: Record<string, unknown>) => {
  process.stdout.write(`\nfaults: ${name} ${JSON.stringify(figures)}\n`);
  const numbers = Object.entries(figures).filter((entry): entry is [string, number] => typeof entry[1] === "number");
  recordFigures(`faults: ${name}`, Object.fromEntries(numbers), "mariadb (private)");
};

describe("Faults on MariaDB: the database killed under load or frozen, two Candor processes on one person", () => {
  let db: PrivateMariaDb;
  let databaseUrl: string;
  let candors: CandorProcess[] = [];
  let pids: number[];
  let serviceKey: string;
  let adminToken: string;
  const withSql = async <T>(work: (sql: Connection) => Promise<T>): Promise<T> => {
    const sql = await createConnection(databaseUrl.replace(/^mariadb:/, "mysql:"));
    try {
      return await work(sql);
    } finally {
      await sql.end();
    }
  };

  beforeAll(async () => {
    const started = Date.now();
    db = await PrivateMariaDb.create();
    databaseUrl = await db.url("candor_faults");
    ({ serviceKey, adminToken } = await prepareDatabase(databaseUrl));
    candors = await Promise.all([
      CandorProcess.start(databaseUrl, "candor-0"),
      CandorProcess.start(databaseUrl, "candor-1"),
    ]);
    pids = candors.map((c) => c.pid);
    report("setup", { mariadbAndTwoCandorsReadyAfterMs: Date.now() - started });
  });
  afterAll(async () => {
    await Promise.all(candors.map((c) => c.stop()));
    await db?.destroy();
  });
  afterEach(async () => {
    // A failed kill cycle must not leave the next test without a database.
    if (db.pid === undefined) await db.start();
  });

  it("kills mariadbd under load: no acknowledged write lost or doubled, 503 UNAVAILABLE meanwhile, ready again without a restart", async () => {
    const run = await runKillLoad({
      db,
      candors,
      serviceKey,
      writes: WRITES,
      kills: KILLS,
      concurrency: CONCURRENCY,
      outageMs: OUTAGE_MS,
    });
    const { tally } = run;
    const { lost, doubled, audit } = await withSql(async (sql) => ({
      ...(await lostAndDoubled(sql, run.acknowledged)),
      audit: await verifyAuditLog(candors[0].url, adminToken, sql),
    }));
    // The API agrees: every person whose consent write was acknowledged is DENIED for the purpose.
    const consentPeople = [...run.acknowledged.keys()].filter(isConsentWrite).map(personOf);
    const notDenied = await notDeniedViaApi(candors[0].url, serviceKey, consentPeople, KILL_PURPOSE);
    report("database killed", {
      writes: WRITES,
      acknowledged: tally.acknowledged,
      lost: lost.length,
      doubled: doubled.length,
      unavailable503: tally.unavailable,
      unavailable503WhenUp: run.unavailableWhenUp,
      serverErrors5xx: tally.serverErrors,
      otherFailures: tally.unexpected.length,
      killCycles: run.kills,
      readyRecoveredAfterMs: run.readyRecoveredAfterMs,
      auditEntriesVerified: audit.checkedEntries,
      logged: candors.map((c) => c.warnings()),
    });

    expect(tally.unexpected.slice(0, 5)).toEqual([]);
    expect(tally.serverErrors).toBe(0);
    expect(tally.acknowledged).toBe(WRITES);
    expect(lost).toEqual([]);
    expect(doubled).toEqual([]);
    expect(notDenied).toEqual([]);
    expect(run.kills).toBe(KILLS);
    // Each kill hit the load: writes were refused with 503 UNAVAILABLE while the database was dead.
    for (const n of run.unavailableDuring) expect(n).toBeGreaterThan(0);
    // ... and only then: once the database is back and Candor says it is ready, writes succeed.
    expect(run.unavailableWhenUp).toBe(0);
    for (const r of run.readyDuringOutage)
      expect(r).toMatchObject({
        status: 503,
        retryAfter: "5",
        body: { status: "unavailable", database: "unreachable" },
      });
    expect(run.readyRecoveredAfterMs).toHaveLength(KILLS * candors.length);
    for (const ms of run.readyRecoveredAfterMs) expect(ms).not.toBeNull();
    // The same Candor processes all along, with nothing logged as an error.
    expect(candors.map((c) => [c.running, c.pid])).toEqual(pids.map((pid) => [true, pid]));
    for (const c of candors) expect(c.errors()).toEqual([]);
    expect(audit).toEqual({ valid: true, checkedEntries: audit.rows, firstBrokenSeq: null, rows: audit.rows });
  });

  it("a frozen database (SIGSTOP): /health/ready answers 503 instead of hanging, and 200 again once it thaws", async () => {
    const client = AbortSignal.timeout(15_000); // a probe that never answers is the defect
    const before = await readiness(candors[0]);
    db.freeze();
    let frozen: Awaited<ReturnType<typeof readiness>> | string;
    try {
      frozen = await readiness(candors[0], client).catch((err: Error) => `no answer: ${err.name}`);
    } finally {
      db.thaw();
    }
    let after = await readiness(candors[0]);
    for (let i = 0; i < 100 && after.status !== 200; i++) after = await readiness(candors[0]);
    report("frozen database", {
      readyBefore: before.status,
      readyFrozen: typeof frozen === "string" ? frozen : frozen.status,
      readyAfter: after.status,
    });
    expect(before.status).toBe(200);
    expect(frozen).toMatchObject({
      status: 503,
      retryAfter: "5",
      body: { status: "unavailable", database: "unreachable" },
    });
    expect(after.status).toBe(200);
  });

  it("two processes alternate one person's consent at once: one event per acknowledged change, chained, state = last event", async () => {
    const person = "race-person";
    const purpose = "personalized-recommendations";
    const run = await runRace({
      candors,
      serviceKey,
      person,
      purpose,
      writes: RACE_WRITES,
      concurrency: RACE_CONCURRENCY,
    });
    const { events, unnamed, state, audit } = await withSql(async (sql) => ({
      ...(await storedHistory(sql, person, purpose)),
      audit: await verifyAuditLog(candors[1].url, adminToken, sql),
    }));
    const viaApi = await Promise.all(candors.map((c) => consentViaApi(c.url, adminToken, person, purpose)));
    report("two processes", {
      processes: candors.length,
      writesPerProcess: RACE_WRITES,
      acknowledged: run.tally.acknowledged,
      changes: run.receipts.length,
      unchanged: run.unchanged,
      eventsStored: events.length,
      serverErrors5xx: run.tally.serverErrors,
      otherFailures: run.tally.unexpected.length,
      auditEntriesVerified: audit.checkedEntries,
    });

    expect(run.tally.unexpected.slice(0, 5)).toEqual([]);
    expect(run.tally.acknowledged).toBe(candors.length * RACE_WRITES);
    expect(run.receipts.length).toBeGreaterThan(1);
    expect(unnamed).toBe(0);
    expect(events.length).toBe(run.receipts.length);
    expect(new Set(events.map((e) => e.receipt_id))).toEqual(new Set(run.receipts));
    // An unbroken chain: each event starts from the status the one before it left.
    events.forEach((e, k) => {
      expect({ k, previous: e.previous_status }).toEqual({ k, previous: k === 0 ? "GRANTED" : events[k - 1].status });
      // After the first, every event flips the status. (The first may be a grant: the default
      // GRANTED becomes the service's GRANTED, a change of source that is recorded too.)
      if (k > 0) expect({ k, status: e.status }).not.toEqual({ k, status: e.previous_status });
    });
    const last = events[events.length - 1].status;
    expect(state).toBe(last);
    // Through either process, the API says the same.
    expect(viaApi).toEqual(candors.map(() => ({ status: last, history: events.length, errors: [] })));
    for (const c of candors) expect([c.running, c.errors()]).toEqual([true, []]);
    expect(audit).toEqual({ valid: true, checkedEntries: audit.rows, firstBrokenSeq: null, rows: audit.rows });
  });
});
