import { In, type EntityManager } from "typeorm";
import { actorOf, type Principal } from "../../kernel/principal";
import type { Config } from "../../config";
import type { Database } from "../../kernel/db/database";
import { newId } from "../../kernel/ids";
import { requestFingerprint } from "../../kernel/idempotency/fingerprint";
import { IdempotencyRecord } from "../../kernel/idempotency/idempotency.entity";
import { DomainError } from "../../kernel/errors";
import { appendAudit } from "../../kernel/audit/audit-log";
import { AlgorithmCard } from "../catalog/algorithm-card.entity";
import { RecommenderMode } from "../catalog/catalog.enums";
import { DataCategory } from "../catalog/data-category.entity";
import { Partner } from "../catalog/partner.entity";
import { Purpose } from "../catalog/purpose.entity";
import { Surface } from "../catalog/surface.entity";
import { chunks, judgeBatch, loadConsentTimeline, type Verdict } from "../consent/people-batch";
import type { Subject } from "../people/subject.entity";
import type { SubjectService } from "../people/people.service";
import { DecisionFactor } from "./decision-factor.entity";
import { validateDecision, type RecordingLookups } from "./decision-validation";
import { Decision } from "./decision.entity";
import type { DecisionInput } from "./decisions.inputs";
import { decisionIntegrityHash } from "./integrity";
import { RecommenderModeChoice } from "./recommender-mode.entity";

interface DecisionVerdict extends Verdict {
  decision?: Decision;
  factors?: DecisionFactor[];
}

/** An accepted decision judged for a person first seen, now given the person's new id. */
function rebase(v: DecisionVerdict, subjectId: string): DecisionVerdict {
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
      let lookups: RecordingLookups;
      const { verdicts, created, now } = await judgeBatch<DecisionVerdict>(m, this.db.supportsRowLocks, {
        caller,
        externalIds: inputs.map((d) => d.subjectExternalId),
        idempotencyKeys: inputs.map((d) => d.idempotencyKey),
        load: async (subjectIds, now) => {
          lookups = await this.lookups(m, subjectIds, now);
        },
        judge: (index, subjectId, previous, now) => this.judge(inputs[index], index, subjectId, caller, lookups, previous, now),
        rebase,
      });

      // Write the accepted ones in a few multi-row statements, and one audit entry.
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
  private judge(input: DecisionInput, index: number, subjectId: string, caller: string, lookups: RecordingLookups, previous: Map<string, IdempotencyRecord>, now: Date): DecisionVerdict {
    const key = input.idempotencyKey ? `${subjectId}|${input.idempotencyKey}` : null;
    const prior = key ? previous.get(key) : undefined;
    if (prior) {
      return prior.requestHash === requestFingerprint(input)
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
      ? Object.assign(new IdempotencyRecord(), { subjectId, caller, idempotencyKey: input.idempotencyKey!, requestHash: requestFingerprint(input), result: { decisionId: decision.id }, createdAt: now })
      : undefined;
    // A later decision of this batch with the same key is a retry of this one.
    if (key && record) previous.set(key, record);
    return { index, accepted: true, problems: [], decision, factors, record };
  }

  private async lookups(m: EntityManager, subjectIds: string[], now: Date): Promise<RecordingLookups> {
    const [surfaces, purposes, categories, partners, cards, purposeLinks, inputLinks, modes, consentAt] = await Promise.all([
      m.find(Surface),
      m.find(Purpose),
      m.find(DataCategory),
      m.find(Partner),
      m.find(AlgorithmCard),
      m.createQueryBuilder().select(["j.purpose_id AS owner", "j.data_category_id AS target"]).from("purpose_data_category", "j").getRawMany(),
      m.createQueryBuilder().select(["j.algorithm_card_id AS owner", "j.data_category_id AS target"]).from("algorithm_card_input", "j").getRawMany(),
      m.findBy(RecommenderModeChoice, { subjectId: In(subjectIds) }),
      loadConsentTimeline(m, subjectIds, this.subjects, this.config),
    ]);
    const links = (rows: Array<{ owner: string; target: string }>) => {
      const out = new Map<string, Set<string>>();
      for (const r of rows) out.set(r.owner, (out.get(r.owner) ?? new Set()).add(r.target));
      return out;
    };
    const byKey = <T extends { key: string }>(rows: T[]) => new Map(rows.map((r) => [r.key, r]));
    const cardsByKey = new Map<string, AlgorithmCard[]>();
    for (const c of cards) cardsByKey.set(c.key, [...(cardsByKey.get(c.key) ?? []), c]);
    return {
      now,
      surfaces: byKey(surfaces),
      purposes: byKey(purposes),
      purposeCategories: links(purposeLinks),
      categories: byKey(categories),
      partners: byKey(partners),
      cards: cardsByKey,
      cardInputs: links(inputLinks),
      consentAt,
      modeOf(subjectId, surfaceId) {
        return modes.find((x) => x.subjectId === subjectId && x.surfaceId === surfaceId)?.mode ?? RecommenderMode.PERSONALIZED;
      },
    };
  }

  /** A person's mode on one surface; the surface must offer it. No change writes nothing. */
  async setRecommenderMode(principal: Principal, surfaceKey: string, mode: RecommenderMode, idempotencyKey: string | null | undefined): Promise<Subject> {
    const surface = await this.db.manager.findOneBy(Surface, { key: surfaceKey });
    if (!surface) throw new DomainError("NOT_FOUND", `No surface with key "${surfaceKey}"`, ["input", "surface"]);
    if (!surface.modes.includes(mode)) throw new DomainError("INVALID", `"${surface.key}" does not offer ${mode}`, ["input", "mode"]);
    const caller = actorOf(principal);
    const requestHash = requestFingerprint({ surfaceKey, mode });
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
