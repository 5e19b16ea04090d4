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
    const now = new Date();
    return this.db.transaction(async (m) => {
      const { subjectIds, created } = await this.subjectIds(m, [...new Set(inputs.map((d) => d.subjectExternalId))], now);
      const ids = [...new Set(subjectIds.values())];
      const lookups = await this.lookups(m, ids, now);
      const previous = await this.idempotencyRecords(m, caller, ids);

      const outcomes: DecisionOutcome[] = [];
      const decisions: Decision[] = [];
      const factors: DecisionFactor[] = [];
      const records: IdempotencyRecord[] = [];
      const replayIds = new Map<number, string>();
      for (const [index, input] of inputs.entries()) {
        const subjectId = subjectIds.get(input.subjectExternalId)!;
        const key = input.idempotencyKey ? `${subjectId}|${input.idempotencyKey}` : null;
        const prior = key ? previous.get(key) : undefined;
        if (prior) {
          if (prior.requestHash !== hashOf(input)) {
            outcomes.push({ index, decision: null, problems: [new DomainError("CONFLICT", "This idempotencyKey was already used with a different decision", ["input", "decisions", String(index), "idempotencyKey"])] });
          } else {
            replayIds.set(index, prior.result.decisionId as string);
            outcomes.push({ index, decision: null, problems: [] });
          }
          continue;
        }
        const { problems, valid } = validateDecision(input, index, subjectId, lookups);
        if (!valid) {
          outcomes.push({ index, decision: null, problems });
          continue;
        }
        const decision = Object.assign(new Decision(), {
          id: newId(), subjectId, surfaceId: valid.surface.id, algorithmCardId: valid.card.id, kind: input.kind,
          itemRef: input.itemRef, itemLabel: input.itemLabel, occurredAt: valid.occurredAt, recordedAt: now, channel: input.channel,
          mode: valid.mode, score: input.score ?? null, baseScore: input.baseScore ?? null,
          sponsorOnBehalfOf: input.sponsor?.onBehalfOf ?? null, sponsorPaidBy: input.sponsor?.paidBy ?? null, recordedBy: caller,
        });
        const rows = valid.factors.map((f) => Object.assign(new DecisionFactor(), f, { decisionId: decision.id, subjectId }));
        decision.integrityHash = decisionIntegrityHash(decision, rows);
        decisions.push(decision);
        factors.push(...rows);
        outcomes.push({ index, decision, problems: [] });
        if (key) {
          const record = Object.assign(new IdempotencyRecord(), { subjectId, caller, idempotencyKey: input.idempotencyKey!, requestHash: hashOf(input), result: { decisionId: decision.id }, createdAt: now });
          records.push(record);
          previous.set(key, record);
        }
      }

      for (const part of chunks(decisions)) await m.insert(Decision, part);
      for (const part of chunks(factors, 500)) await m.insert(DecisionFactor, part);
      for (const part of chunks(records)) await m.insert(IdempotencyRecord, part as never);
      await appendAudit(m, [{
        actor: caller, action: "decisions.record", entityType: "DecisionBatch", entityId: newId(),
        detail: {
          accepted: decisions.map((d) => d.id),
          replayed: [...replayIds.values()],
          createdSubjects: created,
          refused: outcomes.filter((o) => o.problems.length > 0).map((o) => ({ index: o.index, codes: [...new Set(o.problems.map((p) => p.code))] })),
        },
      }], now);

      if (replayIds.size > 0) {
        const replayed = new Map((await m.findBy(Decision, { id: In([...replayIds.values()]) })).map((d) => [d.id, d]));
        for (const o of outcomes) if (replayIds.has(o.index)) o.decision = replayed.get(replayIds.get(o.index)!) ?? null;
      }
      return outcomes;
    });
  }

  /** People named by the engine, created when first seen (jurisdiction unknown until told). */
  private async subjectIds(m: EntityManager, externalIds: string[], now: Date): Promise<{ subjectIds: Map<string, string>; created: string[] }> {
    const valid = externalIds.filter((id) => id.length > 0 && id.length <= 200);
    const found = async () => (await Promise.all(chunks(valid, 500).map((part) => m.findBy(Subject, { externalId: In(part) })))).flat();
    let rows = await found();
    const known = new Set(rows.map((r) => r.id));
    const missing = valid.filter((id) => !rows.some((r) => r.externalId === id));
    if (missing.length > 0) {
      const fresh = missing.map((externalId) => ({ id: newId(), externalId, jurisdictionCode: null, gpc: false, gpcAt: null, createdAt: now, updatedAt: now }));
      for (const part of chunks(fresh)) await m.createQueryBuilder().insert().into(Subject).values(part).orIgnore().execute();
      rows = await found();
    }
    const out = new Map(rows.map((r) => [r.externalId, r.id]));
    // An over-long id never reaches the database: validation refuses that decision.
    for (const id of externalIds) if (!out.has(id)) out.set(id, `invalid:${id.slice(0, 20)}`);
    return { subjectIds: out, created: rows.filter((r) => !known.has(r.id)).map((r) => r.id) };
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

  /** Keys are kept 24 hours: older ones are dropped so that the key starts afresh. */
  private async idempotencyRecords(m: EntityManager, caller: string, subjectIds: string[]): Promise<Map<string, IdempotencyRecord>> {
    const since = new Date(Date.now() - 24 * 3600_000);
    await m.delete(IdempotencyRecord, { caller, subjectId: In(subjectIds), createdAt: LessThan(since) });
    const rows = await m.findBy(IdempotencyRecord, { caller, subjectId: In(subjectIds) });
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
