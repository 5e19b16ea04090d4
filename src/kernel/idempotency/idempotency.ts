import { In, type EntityManager } from "typeorm";
import { DomainError } from "../errors";
import { DAY_MS } from "../time";
import { IdempotencyRecord } from "./idempotency.entity";

// The one lifecycle of an idempotency key (DESIGN §5), for every write that takes one: scoped to
// (caller, subject), kept 24 hours, stored only for calls that wrote something; the same key with
// a different input answers CONFLICT. Batches (decisions, sharing events) look up their keys in
// one statement and judge each item; single calls wrap their work in `withIdempotency`.

/** Kept 24 hours (DESIGN §5). */
export const IDEMPOTENCY_TTL_MS = DAY_MS;

export type StoredResult = Record<string, unknown>;

/** The records a call's keys name, by `recordKey(subjectId, key)`; expired ones are dropped. */
export async function findIdempotencyRecords(
  m: EntityManager,
  caller: string,
  subjectIds: string[],
  keys: Array<string | null | undefined>,
  now: Date = new Date(),
): Promise<Map<string, IdempotencyRecord>> {
  const named = [...new Set(keys.filter((k): k is string => !!k && k.length <= 200))];
  if (subjectIds.length === 0 || named.length === 0) return new Map();
  const rows = await m.findBy(IdempotencyRecord, { caller, subjectId: In(subjectIds), idempotencyKey: In(named) });
  const expired = rows.filter((r) => r.createdAt.getTime() < now.getTime() - IDEMPOTENCY_TTL_MS);
  // Kept 24 hours: after that the key starts afresh.
  for (const r of expired)
    await m.delete(IdempotencyRecord, { caller, subjectId: r.subjectId, idempotencyKey: r.idempotencyKey });
  return new Map(rows.filter((r) => !expired.includes(r)).map((r) => [recordKey(r.subjectId, r.idempotencyKey), r]));
}

export const recordKey = (subjectId: string, key: string) => `${subjectId}|${key}`;

/** `what` names the call's input in the message: "input", "request", "decision", "event". */
export const idempotencyConflict = (field: string[], what = "input") =>
  new DomainError("CONFLICT", `This idempotencyKey was already used with a different ${what}`, field);

/** The record to store for a call that wrote something. */
export function idempotencyRecord(
  scope: { caller: string; subjectId: string; key: string; requestHash: string },
  result: StoredResult,
  now: Date,
): IdempotencyRecord {
  return Object.assign(new IdempotencyRecord(), {
    subjectId: scope.subjectId,
    caller: scope.caller,
    idempotencyKey: scope.key,
    requestHash: scope.requestHash,
    result,
    createdAt: now,
  });
}

export interface IdempotentCall<R> {
  caller: string;
  subjectId: string;
  key: string | null | undefined;
  /** `requestFingerprint` of the input, as a retry would send it. */
  requestHash: string;
  /** Where a CONFLICT points, e.g. ["input", "idempotencyKey"], and what it calls the input. */
  field: string[];
  what?: string;
  /** The first call's answer from what it stored; null when it can no longer be given. */
  replay(stored: StoredResult): Promise<R | null>;
  /**
   * The work. A call that writes something calls `remember` with what a retry needs, before it
   * appends its audit entry (the audit head is locked last); one that writes nothing does not.
   */
  run(remember: (stored: StoredResult) => Promise<void>): Promise<R>;
}

/**
 * Runs a single write under its idempotency key, inside the caller's transaction and after the
 * person's row is locked (so two retries never both run): a retry answers the first result.
 */
export async function withIdempotency<R>(
  m: EntityManager,
  call: IdempotentCall<R>,
  now: Date = new Date(),
): Promise<R> {
  const key = call.key;
  if (!key) return call.run(async () => undefined);
  const prior = (await findIdempotencyRecords(m, call.caller, [call.subjectId], [key], now)).get(
    recordKey(call.subjectId, key),
  );
  if (prior) {
    if (prior.requestHash !== call.requestHash) throw idempotencyConflict(call.field, call.what);
    const replayed = await call.replay(prior.result);
    if (replayed !== null) return replayed;
    await m.delete(IdempotencyRecord, { caller: call.caller, subjectId: call.subjectId, idempotencyKey: key });
  }
  return call.run(async (stored) => {
    await m.insert(IdempotencyRecord, idempotencyRecord({ ...call, key }, stored, now) as never);
  });
}

/**
 * A batch item whose key was seen before: the first result (to replay) when the input is the
 * same, CONFLICT when it differs; null for a key not seen (or no key).
 */
export function priorResult(
  previous: Map<string, IdempotencyRecord>,
  subjectId: string,
  key: string | null | undefined,
  requestHash: string,
  field: string[],
  what = "input",
): { stored: StoredResult } | { conflict: DomainError } | null {
  const prior = key ? previous.get(recordKey(subjectId, key)) : undefined;
  if (!prior) return null;
  return prior.requestHash === requestHash ? { stored: prior.result } : { conflict: idempotencyConflict(field, what) };
}

/** A person's deletion: their keys go too (they name nothing that still exists). */
export async function forgetIdempotencyRecords(m: EntityManager, subjectId: string): Promise<void> {
  await m.delete(IdempotencyRecord, { subjectId });
}
