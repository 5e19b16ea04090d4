import { In, type EntityManager, type EntityTarget } from "typeorm";
import type { AuditEntryInput } from "../../kernel/audit/audit-log";
import { chunks } from "../../kernel/db/chunks";
import { DomainError } from "../../kernel/errors";
import { findIdempotencyRecords } from "../../kernel/idempotency/idempotency";
import { IdempotencyRecord } from "../../kernel/idempotency/idempotency.entity";
import { illFormedStrings } from "../../kernel/text/well-formed";
import type { PeopleService } from "./people.service";

// What batch writers (decisions, sharing events) share: many people at once, locked in a fixed
// order, every input judged before anyone is created, and only the people of accepted inputs
// created — through the one first-seen path, PeopleService.lockOrCreateMany.

export interface Verdict {
  index: number;
  accepted: boolean;
  problems: DomainError[];
  record?: IdempotencyRecord;
  replayOf?: string;
}

export interface BatchPlan<V extends Verdict> {
  caller: string;
  /** The inputs, and where they are in the call (e.g. ["input", "decisions"]), for their userErrors' paths. */
  inputs: readonly object[];
  field: string[];
  /** The person each input names. */
  externalIds: string[];
  idempotencyKeys: Array<string | null | undefined>;
  /** (Re)loads what judging needs for these people; `now` is taken once the people are locked. */
  load(subjectIds: string[], now: Date): Promise<void>;
  /** Judges input `index` for a person (a stand-in id for someone not seen yet). */
  judge(index: number, subjectId: string, previous: Map<string, IdempotencyRecord>, now: Date): V;
  /** An accepted verdict for a person first seen, given the id they were just created with. */
  rebase(verdict: V, subjectId: string): V;
}

/**
 * Locks the people already known (id order; the audit head comes last), judges every input, then
 * creates only the people that accepted inputs name. Someone created meanwhile by another call is
 * judged again against what they have chosen.
 */
export async function judgeBatch<V extends Verdict>(
  m: EntityManager,
  people: PeopleService,
  plan: BatchPlan<V>,
): Promise<{ verdicts: V[]; created: string[]; now: Date; onlyPerson: () => string | undefined }> {
  // Issue 12: the boundary leaves batch items to us (JUDGED_PER_ITEM). An item with a string that
  // is not well-formed Unicode is refused on its own, before anyone is looked up by it.
  const illFormed = plan.inputs.map((input, i) => illFormedStrings(input, [...plan.field, String(i)]));
  const wellFormed = plan.externalIds.filter((_, i) => illFormed[i].length === 0);
  const known = await people.lockKnown(m, wellFormed);
  // "Now" comes after the locks: a change to these people that committed while we waited is
  // already in the past, so a default occurredAt cannot slip in before it.
  const now = new Date();
  const idOf = (externalId: string) => known.get(externalId)?.id ?? `new:${externalId}`;
  const knownIds = () => [...known.values()].map((p) => p.id);
  await plan.load(knownIds(), now);
  const previous = await findIdempotencyRecords(m, plan.caller, knownIds(), plan.idempotencyKeys, now);
  const judge = (index: number): V =>
    illFormed[index].length > 0
      ? ({
          index,
          accepted: false,
          problems: illFormed[index].map((p) => new DomainError(p.code, p.message, p.field)),
        } as V)
      : plan.judge(index, idOf(plan.externalIds[index]), previous, now);
  const verdicts = plan.externalIds.map((_, i) => judge(i));
  // A batch about one person is audited in that person's lane (DESIGN §9), like their other entries.
  const onlyPerson = () => (new Set(plan.externalIds).size === 1 ? known.get(plan.externalIds[0])?.id : undefined);

  const accepted = verdicts.filter((v) => v.accepted).map((v) => plan.externalIds[v.index]);
  const newcomers = [...new Set(accepted.filter((externalId) => !known.has(externalId)))];
  if (newcomers.length === 0) return { verdicts, created: [], now, onlyPerson };

  const refs = newcomers.map((externalId) => ({ externalId, jurisdiction: null }));
  const { people: locked, created } = await people.lockOrCreateMany(m, refs, now);
  const createdIds = created.map((s) => s.id);
  for (const [externalId, subject] of locked) known.set(externalId, subject);
  const meanwhile = newcomers.map((n) => known.get(n)!.id).filter((id) => !createdIds.includes(id));
  if (meanwhile.length > 0) {
    await plan.load(knownIds(), now);
    const theirs = await findIdempotencyRecords(m, plan.caller, meanwhile, plan.idempotencyKeys, now);
    for (const [k, record] of theirs) previous.set(k, record);
  }
  for (const v of [...verdicts]) {
    const subject = known.get(plan.externalIds[v.index]);
    if (!v.accepted || !subject || !newcomers.includes(subject.externalId)) continue;
    verdicts[v.index] = createdIds.includes(subject.id) ? rebase(plan, v, subject.id) : judge(v.index);
  }
  return { verdicts, created: createdIds, now, onlyPerson };
}

/** An accepted verdict for a person just created: its rows and its key now name their new id. */
function rebase<V extends Verdict>(plan: BatchPlan<V>, verdict: V, subjectId: string): V {
  const rebased = plan.rebase(verdict, subjectId);
  const record = rebased.record && Object.assign(new IdempotencyRecord(), rebased.record, { subjectId });
  return { ...rebased, record };
}

/** Stores the idempotency keys of the accepted inputs, so that a retry replays them. */
export async function rememberAccepted(m: EntityManager, verdicts: Verdict[]): Promise<void> {
  const records = verdicts.filter((v) => v.accepted && v.record).map((v) => v.record!);
  for (const part of chunks(records)) await m.insert(IdempotencyRecord, part as never);
}

/**
 * The one audit entry of a batch: what it accepted, replayed and refused (by index, with codes),
 * and who it created.
 */
export function batchAuditEntry(
  actor: string,
  batch: { action: string; entityType: string; entityId: string; subjectId?: string },
  verdicts: Verdict[],
  acceptedIds: string[],
  createdSubjects: string[],
): AuditEntryInput {
  return {
    actor,
    ...batch,
    detail: {
      accepted: acceptedIds,
      replayed: verdicts.filter((v) => v.replayOf).map((v) => v.replayOf),
      createdSubjects,
      refused: verdicts
        .filter((v) => v.problems.length > 0)
        .map((v) => ({ index: v.index, codes: [...new Set(v.problems.map((p) => p.code))] })),
    },
  };
}

/** What replayed inputs answer with: the first call's rows, by id (one statement; none without replays). */
export async function replayedRows<T extends { id: string }>(
  m: EntityManager,
  target: EntityTarget<T>,
  verdicts: Verdict[],
): Promise<Map<string, T>> {
  const ids = verdicts.flatMap((v) => (v.replayOf ? [v.replayOf] : []));
  if (ids.length === 0) return new Map();
  const rows = await m.findBy(target, { id: In(ids) } as never);
  return new Map(rows.map((r) => [r.id, r]));
}
