import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { In, LessThan, type EntityManager } from "typeorm";
import { actorOf, type Principal } from "../../auth/principal";
import type { Config } from "../../config";
import type { Database } from "../../db/database";
import { newId } from "../../db/ids";
import { IdempotencyRecord } from "../../db/idempotency.entity";
import { DomainError } from "../../graphql/errors";
import { appendAudit } from "../audit/audit.service";
import { AlgorithmCard } from "../catalog/algorithm-card.entity";
import { RecommenderMode } from "../catalog/catalog.enums";
import { DataCategory } from "../catalog/data-category.entity";
import { Partner } from "../catalog/partner.entity";
import { Purpose } from "../catalog/purpose.entity";
import { Surface } from "../catalog/surface.entity";
import { ConsentEvent } from "../consent/consent-event.entity";
import { ConsentState } from "../consent/consent-state.entity";
import { ConsentStatus } from "../consent/consent.enums";
import { loadConsentCatalog } from "../consent/consent.loaders";
import { choiceMap, evaluateAll } from "../consent/consent.service";
import { Subject } from "../consent/subject.entity";
import type { SubjectService } from "../consent/subject.service";
import { DecisionFactor } from "./decision-factor.entity";
import { validateDecision, type RecordingLookups } from "./decision-validation";
import { Decision } from "./decision.entity";
import type { DecisionInput } from "./decisions.inputs";
import { decisionIntegrityHash } from "./integrity";
import { RecommenderModeChoice } from "./recommender-mode.entity";

interface Verdict {
  index: number;
  accepted: boolean;
  problems: DomainError[];
  decision?: Decision;
  factors?: DecisionFactor[];
  record?: IdempotencyRecord;
  replayOf?: string;
}

/** An accepted decision judged for a person first seen, now given the person's new id. */
function rebase(v: Verdict, subjectId: string): Verdict {
  const decision = Object.assign(new Decision(), v.decision, { subjectId });
  const factors = v.factors!.map((f) => Object.assign(new DecisionFactor(), f, { subjectId }));
  decision.integrityHash = decisionIntegrityHash(decision, factors);
  return { ...v, decision, factors, record: v.record && Object.assign(new IdempotencyRecord(), v.record, { subjectId }) };
}

export interface DecisionOutcome {
  index: number;
  decision: Decision | null;
  problems: DomainError[];
}

const CHUNK = 200;
const chunks = <T>(rows: T[], size = CHUNK): T[][] => Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));
/** A retry's fingerprint: nulls are "not given", and the key itself is not part of the call. */
const hashOf = (input: DecisionInput) => {
  const { idempotencyKey: _key, ...rest } = input;
  const meaningful = JSON.parse(JSON.stringify(rest, (_k, v: unknown) => (v === null ? undefined : v)));
  return createHash("sha256").update(canonicalize(meaningful) ?? "").digest("hex");
};

/**
 * recordDecisions: every decision is checked against the refusal table on its own; the accepted
 * ones are written with a few multi-row statements, all in one transaction with one audit entry
 * that lists the accepted ids and the refused indexes with their codes.
 */
export class DecisionService {
  constructor(private readonly db: Database, private readonly config: Config, private readonly subjects: SubjectService) {}

  async record(principal: Principal, inputs: DecisionInput[]): Promise<DecisionOutcome[]> {
    const caller = actorOf(principal);
    return this.db.transaction(async (m) => {
      const now = new Date();
      // 1. Lock the people already known, in id order (the audit head comes last), then read.
      const people = await this.lockPeople(m, inputs.map((d) => d.subjectExternalId));
      const idOf = (externalId: string) => people.get(externalId)?.id ?? `new:${externalId}`;
      let lookups = await this.lookups(m, [...people.values()].map((p) => p.id), now);
      const keys = inputs.map((d) => d.idempotencyKey).filter((k): k is string => !!k && k.length <= 200);
      const previous = await this.idempotencyRecords(m, caller, [...people.values()].map((p) => p.id), keys);

      // 2. Judge every decision; people not seen before have the defaults.
      const judge = (index: number) => this.judge(inputs[index], index, idOf(inputs[index].subjectExternalId), caller, lookups, previous, now);
      const verdicts = inputs.map((_, i) => judge(i));

      // 3. Create the people that accepted decisions name for the first time. Someone created
      //    meanwhile by another call is judged again against what they have chosen.
      const newcomers = [...new Set(verdicts.filter((v) => v.accepted && !people.has(inputs[v.index].subjectExternalId)).map((v) => inputs[v.index].subjectExternalId))];
      const created: string[] = [];
      if (newcomers.length > 0) {
        const fresh = newcomers.map((externalId) => ({ id: newId(), externalId, jurisdictionCode: null, gpc: false, gpcAt: null, createdAt: now, updatedAt: now }));
        for (const part of chunks(fresh)) await m.createQueryBuilder().insert().into(Subject).values(part).orIgnore().execute();
        for (const [externalId, subject] of await this.lockPeople(m, newcomers)) {
          people.set(externalId, subject);
          if (fresh.some((f) => f.id === subject.id)) created.push(subject.id);
        }
        const meanwhile = newcomers.map((n) => people.get(n)!.id).filter((id) => !created.includes(id));
        if (meanwhile.length > 0) {
          lookups = await this.lookups(m, [...people.values()].map((p) => p.id), now);
          for (const [k, record] of await this.idempotencyRecords(m, caller, meanwhile, keys)) previous.set(k, record);
        }
        for (const v of [...verdicts]) {
          const subject = people.get(inputs[v.index].subjectExternalId);
          if (!v.accepted || !subject || !newcomers.includes(subject.externalId)) continue;
          verdicts[v.index] = created.includes(subject.id) ? rebase(v, subject.id) : judge(v.index);
        }
      }

      // 4. Write the accepted ones in a few multi-row statements, and one audit entry.
      const accepted = verdicts.filter((v) => v.accepted);
      const decisions = accepted.map((v) => v.decision!);
      for (const part of chunks(decisions)) await m.insert(Decision, part);
      for (const part of chunks(accepted.flatMap((v) => v.factors!), 500)) await m.insert(DecisionFactor, part);
      for (const part of chunks(accepted.flatMap((v) => (v.record ? [v.record] : [])))) await m.insert(IdempotencyRecord, part as never);
      const replays = verdicts.filter((v) => v.replayOf);
      await appendAudit(m, [{
        actor: caller, action: "decisions.record", entityType: "DecisionBatch", entityId: newId(),
        detail: {
          accepted: decisions.map((d) => d.id),
          replayed: replays.map((v) => v.replayOf),
          createdSubjects: created,
          refused: verdicts.filter((v) => v.problems.length > 0).map((v) => ({ index: v.index, codes: [...new Set(v.problems.map((p) => p.code))] })),
        },
      }], now);
      const replayed = replays.length > 0 ? new Map((await m.findBy(Decision, { id: In(replays.map((v) => v.replayOf!)) })).map((d) => [d.id, d])) : new Map<string, Decision>();
      return verdicts.map((v) => ({ index: v.index, decision: v.decision ?? (v.replayOf ? replayed.get(v.replayOf) ?? null : null), problems: v.problems }));
    });
  }

  /** One decision against the refusal table, or a replay / CONFLICT of its idempotency key. */
  private judge(input: DecisionInput, index: number, subjectId: string, caller: string, lookups: RecordingLookups, previous: Map<string, IdempotencyRecord>, now: Date): Verdict {
    const key = input.idempotencyKey ? `${subjectId}|${input.idempotencyKey}` : null;
    const prior = key ? previous.get(key) : undefined;
    if (prior) {
      return prior.requestHash === hashOf(input)
        ? { index, accepted: false, problems: [], replayOf: prior.result.decisionId as string }
        : { index, accepted: false, problems: [new DomainError("CONFLICT", "This idempotencyKey was already used with a different decision", ["input", "decisions", String(index), "idempotencyKey"])] };
    }
    const { problems, valid } = validateDecision(input, index, subjectId, lookups);
    if (!valid) return { index, accepted: false, problems };
    const decision = Object.assign(new Decision(), {
      id: newId(), subjectId, surfaceId: valid.surface.id, algorithmCardId: valid.card.id, kind: input.kind,
      itemRef: input.itemRef, itemLabel: input.itemLabel, occurredAt: valid.occurredAt, recordedAt: now, channel: input.channel,
      mode: valid.mode, score: input.score ?? null, baseScore: input.baseScore ?? null,
      sponsorOnBehalfOf: input.sponsor?.onBehalfOf ?? null, sponsorPaidBy: input.sponsor?.paidBy ?? null, recordedBy: caller,
    });
    const factors = valid.factors.map((f) => Object.assign(new DecisionFactor(), f, { decisionId: decision.id, subjectId }));
    decision.integrityHash = decisionIntegrityHash(decision, factors);
    const record = key
      ? Object.assign(new IdempotencyRecord(), { subjectId, caller, idempotencyKey: input.idempotencyKey!, requestHash: hashOf(input), result: { decisionId: decision.id }, createdAt: now })
      : undefined;
    // A later decision of this batch with the same key is a retry of this one.
    if (key && record) previous.set(key, record);
    return { index, accepted: true, problems: [], decision, factors, record };
  }

  /** The people named, locked for this transaction in id order (a fixed lock order). */
  private async lockPeople(m: EntityManager, externalIds: string[]): Promise<Map<string, Subject>> {
    const names = [...new Set(externalIds.filter((id) => id.length > 0 && id.length <= 200))];
    const out = new Map<string, Subject>();
    for (const part of chunks(names, 500)) {
      const query = m.getRepository(Subject).createQueryBuilder("s").where("s.external_id IN (:...part)", { part }).orderBy("s.id", "ASC");
      for (const s of await (this.db.supportsRowLocks ? query.setLock("pessimistic_write") : query).getMany()) out.set(s.externalId, s);
    }
    return out;
  }

  private async lookups(m: EntityManager, subjectIds: string[], now: Date): Promise<RecordingLookups> {
    const [surfaces, purposes, categories, partners, cards, purposeLinks, inputLinks, subjects, choices, events, modes, consentCatalog] = await Promise.all([
      m.find(Surface),
      m.find(Purpose),
      m.find(DataCategory),
      m.find(Partner),
      m.find(AlgorithmCard),
      m.createQueryBuilder().select(["j.purpose_id AS owner", "j.data_category_id AS target"]).from("purpose_data_category", "j").getRawMany(),
      m.createQueryBuilder().select(["j.algorithm_card_id AS owner", "j.data_category_id AS target"]).from("algorithm_card_input", "j").getRawMany(),
      m.findBy(Subject, { id: In(subjectIds) }),
      m.findBy(ConsentState, { subjectId: In(subjectIds) }),
      m.find(ConsentEvent, { where: { subjectId: In(subjectIds) }, order: { occurredAt: "ASC", id: "ASC" } }),
      m.findBy(RecommenderModeChoice, { subjectId: In(subjectIds) }),
      loadConsentCatalog(m),
    ]);
    const links = (rows: Array<{ owner: string; target: string }>) => {
      const out = new Map<string, Set<string>>();
      for (const r of rows) out.set(r.owner, (out.get(r.owner) ?? new Set()).add(r.target));
      return out;
    };
    const byKey = <T extends { key: string }>(rows: T[]) => new Map(rows.map((r) => [r.key, r]));
    const cardsByKey = new Map<string, AlgorithmCard[]>();
    for (const c of cards) cardsByKey.set(c.key, [...(cardsByKey.get(c.key) ?? []), c]);

    // Consent at a moment: the last change at or before it; before the first change, the status
    // that change replaced; a person who never changed anything has today's effective consent.
    const history = new Map<string, ConsentEvent[]>();
    for (const e of events) history.set(`${e.subjectId}|${e.purposeId}`, [...(history.get(`${e.subjectId}|${e.purposeId}`) ?? []), e]);
    const current = new Map<string, Map<string, ConsentStatus>>();
    const currentOf = (subjectId: string) => {
      if (!current.has(subjectId)) {
        const subject = subjects.find((s) => s.id === subjectId) ?? null;
        const effective = evaluateAll(consentCatalog, this.subjects.person(subject), choiceMap(choices.filter((c) => c.subjectId === subjectId)), this.config);
        current.set(subjectId, new Map(effective.map((e) => [e.purposeId, e.status])));
      }
      return current.get(subjectId)!;
    };
    return {
      now,
      surfaces: byKey(surfaces),
      purposes: byKey(purposes),
      purposeCategories: links(purposeLinks),
      categories: byKey(categories),
      partners: byKey(partners),
      cards: cardsByKey,
      cardInputs: links(inputLinks),
      consentAt(subjectId, purposeId, at) {
        const changes = history.get(`${subjectId}|${purposeId}`);
        if (!changes) return currentOf(subjectId).get(purposeId) ?? ConsentStatus.DENIED;
        const last = [...changes].reverse().find((e) => e.occurredAt <= at);
        return last ? last.status : (changes[0].previousStatus ?? ConsentStatus.DENIED);
      },
      modeOf(subjectId, surfaceId) {
        return modes.find((x) => x.subjectId === subjectId && x.surfaceId === surfaceId)?.mode ?? RecommenderMode.PERSONALIZED;
      },
    };
  }

  /** The keys this call names; kept 24 hours, older ones are dropped so that the key starts afresh. */
  private async idempotencyRecords(m: EntityManager, caller: string, subjectIds: string[], keys: string[]): Promise<Map<string, IdempotencyRecord>> {
    if (subjectIds.length === 0 || keys.length === 0) return new Map();
    const since = new Date(Date.now() - 24 * 3600_000);
    const where = { caller, subjectId: In(subjectIds), idempotencyKey: In([...new Set(keys)]) };
    await m.delete(IdempotencyRecord, { ...where, createdAt: LessThan(since) });
    const rows = await m.findBy(IdempotencyRecord, where);
    return new Map(rows.map((r) => [`${r.subjectId}|${r.idempotencyKey}`, r]));
  }

  /** A person's mode on one surface; the surface must offer it. No change writes nothing. */
  async setRecommenderMode(principal: Principal, surfaceKey: string, mode: RecommenderMode, idempotencyKey: string | null | undefined): Promise<Subject> {
    const surface = await this.db.manager.findOneBy(Surface, { key: surfaceKey });
    if (!surface) throw new DomainError("NOT_FOUND", `No surface with key "${surfaceKey}"`, ["input", "surface"]);
    if (!surface.modes.includes(mode)) throw new DomainError("INVALID", `"${surface.key}" does not offer ${mode}`, ["input", "mode"]);
    const caller = actorOf(principal);
    const requestHash = createHash("sha256").update(canonicalize({ surfaceKey, mode }) ?? "").digest("hex");
    return this.db.transaction(async (m) => {
      const now = new Date();
      const { subject, created } = await this.subjects.lockOrCreate(m, { externalId: principal.externalId!, jurisdiction: principal.jurisdiction ?? null }, now);
      const creation = created ? [{ actor: caller, action: "subject.create", entityType: "Subject", entityId: subject.id, detail: { jurisdiction: subject.jurisdictionCode } }] : [];
      const locked = subject;
      if (idempotencyKey) {
        const prior = await m.findOneBy(IdempotencyRecord, { subjectId: subject.id, caller, idempotencyKey });
        if (prior && prior.createdAt.getTime() < Date.now() - 24 * 3600_000) {
          await m.delete(IdempotencyRecord, { subjectId: subject.id, caller, idempotencyKey });
        } else if (prior) {
          if (prior.requestHash !== requestHash) throw new DomainError("CONFLICT", "This idempotencyKey was already used with a different input", ["input", "idempotencyKey"]);
          await appendAudit(m, creation, now);
          return locked;
        }
      }
      const current = (await m.findOneBy(RecommenderModeChoice, { subjectId: subject.id, surfaceId: surface.id }))?.mode ?? RecommenderMode.PERSONALIZED;
      if (current === mode) {
        await appendAudit(m, creation, now);
        return locked;
      }
      await m.upsert(RecommenderModeChoice, { subjectId: subject.id, surfaceId: surface.id, mode, updatedAt: now }, ["subjectId", "surfaceId"]);
      if (idempotencyKey) await m.insert(IdempotencyRecord, { subjectId: subject.id, caller, idempotencyKey, requestHash, result: {}, createdAt: now });
      await appendAudit(m, [...creation, { actor: caller, action: "decisions.setRecommenderMode", entityType: "Subject", entityId: subject.id, detail: { surface: surface.id, mode, previous: current } }], now);
      return locked;
    });
  }
}
