import { In, LessThan, type EntityManager } from "typeorm";
import type { Config } from "../../config";
import { newId } from "../../kernel/ids";
import { IdempotencyRecord } from "../../kernel/idempotency/idempotency.entity";
import type { DomainError } from "../../kernel/errors";
import { ConsentEvent } from "./consent-event.entity";
import { ConsentState } from "./consent-state.entity";
import { ConsentStatus } from "./consent.enums";
import { loadConsentCatalog } from "./consent.loaders";
import { choiceMap, evaluateAll } from "./consent.service";
import { Subject } from "../people/subject.entity";
import type { SubjectService } from "../people/people.service";

// What batch writers (decisions, sharing events) share: many people at once, locked in a fixed
// order, judged before anyone is created, and their consent at any moment.

export const chunks = <T>(rows: T[], size = 200): T[][] =>
  Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));

export type ConsentAt = (subjectId: string, purposeId: string, at: Date) => ConsentStatus;

/**
 * Consent at a moment: the last change at or before it; before the first change, the status that
 * change replaced; a person who never changed anything (or is new) has today's effective consent.
 */
export async function loadConsentTimeline(m: EntityManager, subjectIds: string[], subjects: SubjectService, config: Config): Promise<ConsentAt> {
  const [people, choices, events, catalog] = await Promise.all([
    m.findBy(Subject, { id: In(subjectIds) }),
    m.findBy(ConsentState, { subjectId: In(subjectIds) }),
    m.find(ConsentEvent, { where: { subjectId: In(subjectIds) }, order: { occurredAt: "ASC", id: "ASC" } }),
    loadConsentCatalog(m),
  ]);
  const history = new Map<string, ConsentEvent[]>();
  for (const e of events) history.set(`${e.subjectId}|${e.purposeId}`, [...(history.get(`${e.subjectId}|${e.purposeId}`) ?? []), e]);
  const current = new Map<string, Map<string, ConsentStatus>>();
  const currentOf = (subjectId: string) => {
    if (!current.has(subjectId)) {
      const subject = people.find((s) => s.id === subjectId) ?? null;
      const effective = evaluateAll(catalog, subjects.person(subject), choiceMap(choices.filter((c) => c.subjectId === subjectId)), config);
      current.set(subjectId, new Map(effective.map((e) => [e.purposeId, e.status])));
    }
    return current.get(subjectId)!;
  };
  return (subjectId, purposeId, at) => {
    const changes = history.get(`${subjectId}|${purposeId}`);
    if (!changes) return currentOf(subjectId).get(purposeId) ?? ConsentStatus.DENIED;
    const last = [...changes].reverse().find((e) => e.occurredAt <= at);
    return last ? last.status : (changes[0].previousStatus ?? ConsentStatus.DENIED);
  };
}

export interface Verdict {
  index: number;
  accepted: boolean;
  problems: DomainError[];
  record?: IdempotencyRecord;
  replayOf?: string;
}

export interface BatchPlan<V extends Verdict> {
  caller: string;
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
export async function judgeBatch<V extends Verdict>(m: EntityManager, locks: boolean, plan: BatchPlan<V>): Promise<{ verdicts: V[]; created: string[]; now: Date }> {
  const people = await lockPeople(m, locks, plan.externalIds);
  // "Now" comes after the locks: a change to these people that committed while we waited is
  // already in the past, so a default occurredAt cannot slip in before it.
  const now = new Date();
  const idOf = (externalId: string) => people.get(externalId)?.id ?? `new:${externalId}`;
  const keys = plan.idempotencyKeys.filter((k): k is string => !!k && k.length <= 200);
  await plan.load([...people.values()].map((p) => p.id), now);
  const previous = await idempotencyRecords(m, plan.caller, [...people.values()].map((p) => p.id), keys);
  const judge = (index: number) => plan.judge(index, idOf(plan.externalIds[index]), previous, now);
  const verdicts = plan.externalIds.map((_, i) => judge(i));

  const newcomers = [...new Set(verdicts.filter((v) => v.accepted && !people.has(plan.externalIds[v.index])).map((v) => plan.externalIds[v.index]))];
  const created: string[] = [];
  if (newcomers.length > 0) {
    const fresh = newcomers.map((externalId) => ({ id: newId(), externalId, jurisdictionCode: null, gpc: false, gpcAt: null, createdAt: now, updatedAt: now }));
    for (const part of chunks(fresh)) await m.createQueryBuilder().insert().into(Subject).values(part).orIgnore().execute();
    for (const [externalId, subject] of await lockPeople(m, locks, newcomers)) {
      people.set(externalId, subject);
      if (fresh.some((f) => f.id === subject.id)) created.push(subject.id);
    }
    const meanwhile = newcomers.map((n) => people.get(n)!.id).filter((id) => !created.includes(id));
    if (meanwhile.length > 0) {
      await plan.load([...people.values()].map((p) => p.id), now);
      for (const [k, record] of await idempotencyRecords(m, plan.caller, meanwhile, keys)) previous.set(k, record);
    }
    for (const v of [...verdicts]) {
      const subject = people.get(plan.externalIds[v.index]);
      if (!v.accepted || !subject || !newcomers.includes(subject.externalId)) continue;
      verdicts[v.index] = created.includes(subject.id) ? plan.rebase(v, subject.id) : judge(v.index);
    }
  }
  return { verdicts, created, now };
}

async function lockPeople(m: EntityManager, locks: boolean, externalIds: string[]): Promise<Map<string, Subject>> {
  const names = [...new Set(externalIds.filter((id) => id.length > 0 && id.length <= 200))];
  const out = new Map<string, Subject>();
  for (const part of chunks(names, 500)) {
    const query = m.getRepository(Subject).createQueryBuilder("s").where("s.external_id IN (:...part)", { part }).orderBy("s.id", "ASC");
    for (const s of await (locks ? query.setLock("pessimistic_write") : query).getMany()) out.set(s.externalId, s);
  }
  return out;
}

/** The keys a call names; kept 24 hours, older ones are dropped so that the key starts afresh. */
async function idempotencyRecords(m: EntityManager, caller: string, subjectIds: string[], keys: string[]): Promise<Map<string, IdempotencyRecord>> {
  if (subjectIds.length === 0 || keys.length === 0) return new Map();
  const where = { caller, subjectId: In(subjectIds), idempotencyKey: In([...new Set(keys)]) };
  await m.delete(IdempotencyRecord, { ...where, createdAt: LessThan(new Date(Date.now() - 24 * 3600_000)) });
  const rows = await m.findBy(IdempotencyRecord, where);
  return new Map(rows.map((r) => [`${r.subjectId}|${r.idempotencyKey}`, r]));
}
