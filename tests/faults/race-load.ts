import type { Connection } from "mysql2/promise";
import type { CandorProcess } from "./candor-process";
import { pool, post, rowId, Tally } from "./client";

// Several Candor processes change one person's consent to one purpose at once, each alternating
// DENIED and GRANTED; and what the database then holds for that person and purpose.

const UPDATE = `mutation ($input: UpdateConsentsInput!) {
  updateConsents(input: $input) { receipt { id } userErrors { code message } }
}`;

export interface RaceRun {
  tally: Tally;
  /** Receipt ids of the calls that changed something. */
  receipts: string[];
  /** Calls answered OK that found the consent already as asked (no event, no receipt). */
  unchanged: number;
}

export async function runRace(o: {
  candors: CandorProcess[];
  serviceKey: string;
  person: string;
  purpose: string;
  writes: number;
  concurrency: number;
}): Promise<RaceRun> {
  const run: RaceRun = { tally: new Tally(), receipts: [], unchanged: 0 };
  const writer = (candor: CandorProcess, name: string) => async (j: number) => {
    const a = await post(candor.url, o.serviceKey, UPDATE, {
      input: {
        subjectExternalId: o.person,
        channel: "WEB",
        // The purpose is GRANTED by default (opt-out): each process's first call denies it.
        changes: [{ purpose: o.purpose, granted: j % 2 === 1 }],
        idempotencyKey: `${name}-${j}`,
      },
    });
    const payload = a.status === 200 && !a.body.errors ? a.body.data?.updateConsents : null;
    const ok = payload != null && payload.userErrors.length === 0;
    run.tally.record(`${name} ${j}`, a, ok);
    if (!ok) return;
    if (payload.receipt) run.receipts.push(rowId(payload.receipt.id));
    else run.unchanged++;
  };
  await Promise.all(o.candors.map((c, n) => pool(o.writes, o.concurrency, writer(c, `candor-${n}`))));
  return run;
}

export interface StoredEvent {
  id: string;
  status: string;
  previous_status: string | null;
  receipt_id: string | null;
}

/**
 * The person's events for the purpose in commit order, and the stored state. Commit order is the
 * audit log's: each call's entry names its events, and entries are numbered under the audit
 * head's lock. `unnamed` counts events no audit entry names (or names twice).
 */
export async function storedHistory(sql: Connection, person: string, purposeKey: string) {
  const [[subject]] = (await sql.query("SELECT id FROM subject WHERE external_id = ?", [person])) as any;
  const [[purpose]] = (await sql.query("SELECT id FROM purpose WHERE `key` = ?", [purposeKey])) as any;
  const [entries] = (await sql.query(
    "SELECT detail FROM audit_log WHERE entity_id = ? AND action = 'consent.updateConsents' ORDER BY seq",
    [subject.id],
  )) as any;
  const named: string[] = entries.flatMap((e: { detail: string | { events: string[] } }) =>
    typeof e.detail === "string" ? JSON.parse(e.detail).events : e.detail.events,
  );
  const [rows] = (await sql.query(
    "SELECT id, status, previous_status, receipt_id FROM consent_event WHERE subject_id = ? AND purpose_id = ?",
    [subject.id, purpose.id],
  )) as [StoredEvent[], unknown];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const events = named.map((id) => byId.get(id)).filter((e): e is StoredEvent => e !== undefined);
  const [[state]] = (await sql.query("SELECT status FROM consent_state WHERE subject_id = ? AND purpose_id = ?", [
    subject.id,
    purpose.id,
  ])) as any;
  const namedOnce = new Set(named);
  const unnamed = rows.filter((r) => !namedOnce.has(r.id)).length + (named.length - namedOnce.size);
  return { events, unnamed, state: state?.status as string | undefined };
}
