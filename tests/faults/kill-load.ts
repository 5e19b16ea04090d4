import type { CandorProcess } from "./candor-process";
import { pool, post, rowId, sleep, Tally, type Answer } from "./client";
import type { PrivateMariaDb } from "./private-mariadb";

// Writes under load while mariadbd is killed (SIGKILL) and started again, KILLS times. Each write
// carries an idempotency key and is retried with it until it is answered OK, so a write whose
// commit a kill interrupted must not be doubled either.

export const KILL_PURPOSE = "personalized-recommendations";
/** The client's pause before it retries an UNAVAILABLE answer (Candor says 5 s; the test is impatient). */
const RETRY_PAUSE_MS = 100;

const UPDATE = `mutation ($input: UpdateConsentsInput!) {
  updateConsents(input: $input) { receipt { id } userErrors { code message } }
}`;
const RECORD = `mutation ($input: RecordDecisionsInput!) {
  recordDecisions(input: $input) { results { decision { id } userErrors { code } } userErrors { code message } }
}`;

export const personOf = (i: number) => `fault-person-${i}`;
/** Even writes deny a purpose (a change from the opt-out default); odd ones record a decision. */
export const isConsentWrite = (i: number) => i % 2 === 0;

const onlyFactor = {
  kind: "POPULARITY",
  purpose: "store-operation",
  dataCategory: "user.behavior.current_visit",
  sourceClass: "CONTEXTUAL",
  share: 1,
};

/** Write i, and how to read the receipt or decision id from an answer (null: not answered OK). */
function writeOf(i: number): { query: string; input: Record<string, unknown>; idOf(a: Answer): string | null } {
  const subjectExternalId = personOf(i);
  if (isConsentWrite(i))
    return {
      query: UPDATE,
      input: {
        subjectExternalId,
        channel: "WEB",
        changes: [{ purpose: KILL_PURPOSE, granted: false }],
        idempotencyKey: `consent-${i}`,
      },
      idOf: (a) => {
        const p = a.body.data?.updateConsents;
        return p && p.userErrors.length === 0 ? (p.receipt?.id ?? null) : null;
      },
    };
  const decision = {
    subjectExternalId,
    surface: "home-feed",
    kind: "RECOMMENDATION",
    itemRef: `sku-${i}`,
    itemLabel: `Item ${i}`,
    algorithm: "product-recommender",
    algorithmVersion: "2",
    channel: "WEB",
    factors: [onlyFactor],
    idempotencyKey: `decision-${i}`,
  };
  return {
    query: RECORD,
    input: { decisions: [decision] },
    idOf: (a) => {
      const p = a.body.data?.recordDecisions;
      const item = p?.results?.[0];
      return p?.userErrors.length === 0 && item?.userErrors.length === 0 ? (item.decision?.id ?? null) : null;
    },
  };
}

export interface Readiness {
  status: number;
  retryAfter: string | null;
  body: unknown;
}

export async function readiness(candor: CandorProcess, signal?: AbortSignal): Promise<Readiness> {
  const r = await fetch(candor.healthUrl, { signal });
  return { status: r.status, retryAfter: r.headers.get("retry-after"), body: await r.json() };
}

export interface KillRun {
  tally: Tally;
  /** Write index → the row id (receipt or decision) Candor answered with. */
  acknowledged: Map<number, string>;
  kills: number;
  /**
   * UNAVAILABLE answers to requests sent with the database up and every Candor ready again, and
   * answered before the next kill: a pool that kept dead connections would show here.
   */
  unavailableWhenUp: number;
  /** UNAVAILABLE answers between each kill and the database answering again. */
  unavailableDuring: number[];
  /** /health/ready of every Candor process, just after each kill and at the end of each outage. */
  readyDuringOutage: Readiness[];
  /** Per kill and process: ms from mariadbd answering again to /health/ready 200 (null: not in 30 s). */
  readyRecoveredAfterMs: Array<number | null>;
}

export async function runKillLoad(o: {
  db: PrivateMariaDb;
  /** The first takes the writes; every one's readiness is watched. */
  candors: CandorProcess[];
  serviceKey: string;
  writes: number;
  kills: number;
  concurrency: number;
  outageMs: number;
}): Promise<KillRun> {
  const run: KillRun = {
    tally: new Tally(),
    acknowledged: new Map(),
    kills: 0,
    unavailableWhenUp: 0,
    unavailableDuring: [],
    readyDuringOutage: [],
    readyRecoveredAfterMs: [],
  };
  const { tally } = run;
  const target = o.candors[0];
  let loadDone = false;
  /** Kills begun, and outages over (database up, every Candor ready). */
  let killed = 0;
  let recovered = 0;

  const write = async (i: number) => {
    const w = writeOf(i);
    for (;;) {
      const calmAtSend = killed === recovered ? killed : -1;
      const a = await post(target.url, o.serviceKey, w.query, { input: w.input });
      const id = a.status === 200 && !a.body.errors ? w.idOf(a) : null;
      const verdict = tally.record(`write ${i}`, a, id !== null);
      if (verdict === "retry" && calmAtSend === killed) run.unavailableWhenUp++;
      if (verdict === "ok") run.acknowledged.set(i, rowId(id!));
      if (verdict !== "retry") return;
      await sleep(RETRY_PAUSE_MS);
    }
  };

  const recovery = async (candor: CandorProcess): Promise<number | null> => {
    const started = Date.now();
    while (Date.now() - started < 30_000) {
      if ((await readiness(candor)).status === 200) return Date.now() - started;
      await sleep(50);
    }
    return null;
  };

  const killer = async () => {
    for (let k = 0; k < o.kills; k++) {
      // Kills spread evenly over the load, each while writes are in flight.
      const threshold = Math.floor(((k + 1) * o.writes) / (o.kills + 1));
      while (tally.acknowledged < threshold && !loadDone) await sleep(2);
      if (loadDone) return;
      const before = tally.unavailable;
      killed++;
      await o.db.kill();
      run.kills++;
      for (const c of o.candors) run.readyDuringOutage.push(await readiness(c));
      await sleep(o.outageMs);
      for (const c of o.candors) run.readyDuringOutage.push(await readiness(c));
      await o.db.start();
      run.unavailableDuring.push(tally.unavailable - before);
      run.readyRecoveredAfterMs.push(...(await Promise.all(o.candors.map(recovery))));
      recovered++;
    }
  };

  const killing = killer();
  await pool(o.writes, o.concurrency, write);
  loadDone = true;
  await killing;
  return run;
}
