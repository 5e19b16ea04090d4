import { In, type EntityManager } from "typeorm";
import type { Config } from "../../config";
import { appendAudit } from "../../kernel/audit/audit-log";
import { chunks } from "../../kernel/db/chunks";
import { forEachPage, pastRetention, purgeInBatches } from "../../kernel/db/paging";
import type { Database } from "../../kernel/db/database";
import { DomainError } from "../../kernel/errors";
import { requestFingerprint } from "../../kernel/idempotency/fingerprint";
import { idempotencyRecord, priorResult, recordKey, withIdempotency } from "../../kernel/idempotency/idempotency";
import { IdempotencyRecord } from "../../kernel/idempotency/idempotency.entity";
import { newId } from "../../kernel/ids";
import type { PersonalDataHolder, RetentionHolder } from "../../kernel/personal-data";
import { actorOf, type Principal } from "../../kernel/principal";
import { sameKey } from "../../kernel/text/well-formed";
import { AlgorithmCard, DataCategory, Partner, Purpose, RecommenderMode, Surface } from "../catalog";
import { consentTimeline } from "../consent";
import {
  batchAuditEntry,
  judgeBatch,
  rememberAccepted,
  type PeopleService,
  type Subject,
  type Verdict,
  replayedRows,
} from "../people";
import { DecisionFactor } from "./decision-factor.entity";
import { validateDecision, type RecordingLookups } from "./decision-validation";
import { Decision } from "./decision.entity";
import type { DecisionInput } from "./decisions.inputs";
import { decisionIntegrityHash } from "./integrity";
import { HiddenSponsor } from "./hidden-sponsor.entity";
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
  return {
    ...v,
    decision,
    factors,
  };
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
export class DecisionService implements PersonalDataHolder, RetentionHolder {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly people: PeopleService,
  ) {}

  async record(principal: Principal, inputs: DecisionInput[]): Promise<DecisionOutcome[]> {
    const caller = actorOf(principal);
    return this.db.transaction(async (m) => {
      let lookups: RecordingLookups;
      const { verdicts, created, now, onlyPerson } = await judgeBatch<DecisionVerdict>(m, this.people, {
        caller,
        inputs,
        field: ["input", "decisions"],
        externalIds: inputs.map((d) => d.subjectExternalId),
        idempotencyKeys: inputs.map((d) => d.idempotencyKey),
        load: async (subjectIds, now) => {
          lookups = await this.lookups(m, subjectIds, now);
        },
        judge: (index, subjectId, previous, now) =>
          this.judge(inputs[index], index, subjectId, caller, lookups, previous, now),
        rebase,
      });

      // Write the accepted ones in a few multi-row statements, and one audit entry.
      const accepted = verdicts.filter((v) => v.accepted);
      const decisions = accepted.map((v) => v.decision!);
      for (const part of chunks(decisions)) await m.insert(Decision, part);
      for (const part of chunks(
        accepted.flatMap((v) => v.factors!),
        500,
      ))
        await m.insert(DecisionFactor, part);
      await rememberAccepted(m, verdicts);
      const batch = {
        action: "decisions.record",
        entityType: "DecisionBatch",
        entityId: newId(),
        subjectId: onlyPerson(),
      };
      const ids = decisions.map((d) => d.id);
      await appendAudit(m, [batchAuditEntry(caller, batch, verdicts, ids, created)], now);
      const replayed = await replayedRows(m, Decision, verdicts);
      return verdicts.map((v) => ({
        index: v.index,
        decision: v.decision ?? (v.replayOf ? (replayed.get(v.replayOf) ?? null) : null),
        problems: v.problems,
      }));
    });
  }

  /** One decision against the refusal table, or a replay / CONFLICT of its idempotency key. */
  private judge(
    input: DecisionInput,
    index: number,
    subjectId: string,
    caller: string,
    lookups: RecordingLookups,
    previous: Map<string, IdempotencyRecord>,
    now: Date,
  ): DecisionVerdict {
    const requestHash = requestFingerprint(input);
    const field = ["input", "decisions", String(index), "idempotencyKey"];
    const prior = priorResult(previous, subjectId, input.idempotencyKey, requestHash, field, "decision");
    if (prior && "conflict" in prior) return { index, accepted: false, problems: [prior.conflict] };
    if (prior) return { index, accepted: false, problems: [], replayOf: prior.stored.decisionId as string };
    const { problems, valid } = validateDecision(input, index, subjectId, lookups);
    if (!valid) return { index, accepted: false, problems };
    const decision = Object.assign(new Decision(), {
      id: newId(),
      subjectId,
      surfaceId: valid.surface.id,
      algorithmCardId: valid.card.id,
      kind: input.kind,
      itemRef: input.itemRef,
      itemLabel: input.itemLabel,
      itemLabels: valid.itemLabels,
      occurredAt: valid.occurredAt,
      recordedAt: now,
      channel: input.channel,
      mode: valid.mode,
      score: input.score ?? null,
      threshold: input.threshold ?? null,
      baseScore: input.baseScore ?? null,
      sponsorOnBehalfOf: input.sponsor?.onBehalfOf ?? null,
      sponsorPaidBy: input.sponsor?.paidBy ?? null,
      recordedBy: caller,
    });
    const factors = valid.factors.map((f) =>
      Object.assign(new DecisionFactor(), f, { decisionId: decision.id, subjectId }),
    );
    decision.integrityHash = decisionIntegrityHash(decision, factors);
    const key = input.idempotencyKey;
    const record = key
      ? idempotencyRecord({ caller, subjectId, key, requestHash }, { decisionId: decision.id }, now)
      : undefined;
    // A later decision of this batch with the same key is a retry of this one.
    if (record) previous.set(recordKey(subjectId, record.idempotencyKey), record);
    return { index, accepted: true, problems: [], decision, factors, record };
  }

  private async lookups(m: EntityManager, subjectIds: string[], now: Date): Promise<RecordingLookups> {
    const [surfaces, purposes, categories, partners, cards, purposeLinks, inputLinks, modes, consentAt, hidden] =
      await Promise.all([
        m.find(Surface),
        m.find(Purpose),
        m.find(DataCategory),
        m.find(Partner),
        m.find(AlgorithmCard),
        m
          .createQueryBuilder()
          .select(["j.purpose_id AS owner", "j.data_category_id AS target"])
          .from("purpose_data_category", "j")
          .getRawMany(),
        m
          .createQueryBuilder()
          .select(["j.algorithm_card_id AS owner", "j.data_category_id AS target"])
          .from("algorithm_card_input", "j")
          .getRawMany(),
        m.findBy(RecommenderModeChoice, { subjectId: In(subjectIds) }),
        consentTimeline(m, subjectIds, this.people, this.config),
        m.findBy(HiddenSponsor, { subjectId: In(subjectIds) }),
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
      maxSkewMs: this.config.decisionMaxSkewMs,
      surfaces: byKey(surfaces),
      purposes: byKey(purposes),
      purposeCategories: links(purposeLinks),
      categories: byKey(categories),
      partners: byKey(partners),
      cards: cardsByKey,
      cardInputs: links(inputLinks),
      consentAt,
      hidesSponsor(subjectId, sponsor) {
        return hidden.some((h) => h.subjectId === subjectId && h.sponsor === sponsor);
      },
      modeOf(subjectId, surfaceId) {
        return (
          modes.find((x) => x.subjectId === subjectId && x.surfaceId === surfaceId)?.mode ??
          RecommenderMode.PERSONALIZED
        );
      },
    };
  }

  /** A person's mode on one surface; the surface must offer it. No change writes nothing. */
  async setRecommenderMode(
    principal: Principal,
    surfaceKey: string,
    mode: RecommenderMode,
    idempotencyKey: string | null | undefined,
  ): Promise<Subject> {
    const surface = sameKey(await this.db.manager.findOneBy(Surface, { key: surfaceKey }), surfaceKey);
    if (!surface) throw new DomainError("NOT_FOUND", `No surface with key "${surfaceKey}"`, ["input", "surface"]);
    if (!surface.modes.includes(mode))
      throw new DomainError("INVALID", `"${surface.key}" does not offer ${mode}`, ["input", "mode"]);
    return this.ownChoice(principal, idempotencyKey, { surfaceKey, mode }, async (m, subject, now) => {
      const choice = await m.findOneBy(RecommenderModeChoice, { subjectId: subject.id, surfaceId: surface.id });
      const current = choice?.mode ?? RecommenderMode.PERSONALIZED;
      if (current === mode) return null;
      const row = { subjectId: subject.id, surfaceId: surface.id, mode, updatedAt: now };
      await m.upsert(RecommenderModeChoice, row, ["subjectId", "surfaceId"]);
      return { action: "decisions.setRecommenderMode", detail: { surface: surface.id, mode, previous: current } };
    });
  }

  /** Hides (or shows again) a sponsor's ads for the calling person; no change writes nothing. */
  async hideSponsor(
    principal: Principal,
    sponsor: string,
    hidden: boolean,
    idempotencyKey: string | null | undefined,
  ): Promise<Subject> {
    return this.ownChoice(principal, idempotencyKey, { sponsor, hidden }, async (m, subject, now) => {
      const row = { subjectId: subject.id, sponsor };
      const isHidden = (await m.countBy(HiddenSponsor, row)) > 0;
      if (isHidden === hidden) return null;
      if (hidden) await m.insert(HiddenSponsor, { ...row, hiddenAt: now });
      else await m.delete(HiddenSponsor, row);
      return { action: "decisions.hideSponsor", detail: { sponsor, hidden } };
    });
  }

  /**
   * A choice the signed-in person makes about themselves, repeat-safe: first seen if new, then
   * `change` runs; it answers the audit entry of what it wrote, or null when nothing changed
   * (nothing is written then, but the person's first-seen entry).
   */
  private ownChoice(
    principal: Principal,
    idempotencyKey: string | null | undefined,
    request: Record<string, unknown>,
    change: (
      m: EntityManager,
      subject: Subject,
      now: Date,
    ) => Promise<{ action: string; detail: Record<string, unknown> } | null>,
  ): Promise<Subject> {
    const caller = actorOf(principal);
    return this.db.transaction(async (m) => {
      const now = new Date();
      const person = { externalId: principal.externalId!, jurisdiction: principal.jurisdiction ?? null };
      const { subject, created } = await this.people.lockOrCreate(m, person, now);
      const creation = this.people.creationEntries(caller, created ? [subject] : []);
      const unchanged = async () => {
        await appendAudit(m, creation, now);
        return subject;
      };
      return withIdempotency(
        m,
        {
          caller,
          subjectId: subject.id,
          key: idempotencyKey,
          requestHash: requestFingerprint(request),
          field: ["input", "idempotencyKey"],
          replay: unchanged,
          run: async (remember) => {
            const changed = await change(m, subject, now);
            if (!changed) return unchanged();
            await remember({});
            const entry = { actor: caller, entityType: "Subject", entityId: subject.id, ...changed };
            await appendAudit(m, [...creation, entry], now);
            return subject;
          },
        },
        now,
      );
    });
  }

  /** Deletion: the person's decisions and factors go; a NON_PROFILING choice stays (a "no"). */
  async forgetPerson(m: EntityManager, subjectId: string): Promise<void> {
    await m.delete(DecisionFactor, { subjectId });
    await m.delete(Decision, { subjectId });
    await m.delete(RecommenderModeChoice, { subjectId, mode: RecommenderMode.PERSONALIZED });
  }

  /**
   * Retention applies to whole decisions: one goes when the shortest retention of its categories
   * lapses. Bounded however many expire: each page of the walk is judged and its expired
   * decisions purged before the next page is read (batches of at most PURGE_BATCH per transaction).
   */
  async purgeExpired(
    retentionDays: Map<string, number | null>,
    now: Date,
    actor: string,
  ): Promise<Record<string, number>> {
    let decisions = 0;
    const m = this.db.manager;
    await forEachPage(m, Decision, { occurredAt: true }, async (rows) => {
      if (rows.length === 0) return;
      const select = { decisionId: true, dataCategoryId: true };
      const factors = await m.find(DecisionFactor, { where: { decisionId: In(rows.map((r) => r.id)) }, select });
      const expired = rows
        .filter((r) =>
          pastRetention(
            r.occurredAt,
            factors.filter((f) => f.decisionId === r.id).map((f) => retentionDays.get(f.dataCategoryId)),
            now,
          ),
        )
        .map((r) => r.id);
      decisions += await purgeInBatches(
        this.db,
        expired,
        { actor, at: now, entityType: "decision" },
        async (tx, ids) => {
          await tx.delete(DecisionFactor, { decisionId: In(ids) });
          await tx.delete(Decision, { id: In(ids) });
        },
      );
    });
    return { decisions };
  }

  /** Factors whose purpose no longer declares their data category (the data audit's finding). */
  async countUndeclaredDataUse(): Promise<number> {
    const rows = await this.db.manager.query(
      "SELECT COUNT(*) AS n FROM decision_factor f WHERE NOT EXISTS (SELECT 1 FROM purpose_data_category j " +
        "WHERE j.purpose_id = f.purpose_id AND j.data_category_id = f.data_category_id)",
    );
    return Number(rows[0].n);
  }

  /** The purpose and data category of every factor of decisions made in [from, to), counted (the data audit). */
  async usesBetween(
    from: Date | null,
    to: Date | null,
  ): Promise<Array<{ purpose: string; category: string; n: number }>> {
    const q = this.db.manager
      .createQueryBuilder(DecisionFactor, "f")
      .innerJoin("decision", "d", "d.id = f.decision_id")
      .innerJoin("purpose", "p", "p.id = f.purpose_id")
      .innerJoin("data_category", "c", "c.id = f.data_category_id")
      .select(["p.key AS purpose", "c.key AS category", "COUNT(*) AS n"])
      .groupBy("p.key")
      .addGroupBy("c.key");
    if (from) q.andWhere("d.occurred_at >= :from", { from });
    if (to) q.andWhere("d.occurred_at < :to", { to });
    const rows = await q.getRawMany<{ purpose: string; category: string; n: string | number }>();
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }

  /** Decisions in NON_PROFILING mode that relied on data not usable without profiling (the data audit's finding). */
  async countProfilingOnNonProfiling(): Promise<number> {
    const rows = await this.db.manager.query(
      "SELECT COUNT(*) AS n FROM decision d WHERE d.mode = ? AND EXISTS (SELECT 1 FROM decision_factor f " +
        "INNER JOIN data_category c ON c.id = f.data_category_id WHERE f.decision_id = d.id AND c.usable_without_profiling = ?)",
      [RecommenderMode.NON_PROFILING, false],
    );
    return Number(rows[0].n);
  }

  /** Who had data of these categories used in a decision up to `to`, and which (breach notices). */
  async categoriesUsedBy(
    m: EntityManager,
    categoryIds: string[],
    to: Date,
  ): Promise<Array<{ subjectId: string; categoryId: string }>> {
    const rows = await m
      .createQueryBuilder(DecisionFactor, "f")
      .innerJoin(Decision, "d", "d.id = f.decision_id")
      .select(["f.subject_id AS subject_id", "f.data_category_id AS category_id"])
      .where("f.data_category_id IN (:...categoryIds)", { categoryIds })
      .andWhere("d.occurred_at <= :to", { to })
      .distinct(true)
      .getRawMany<{ subject_id: string; category_id: string }>();
    return rows.map((r) => ({ subjectId: r.subject_id, categoryId: r.category_id }));
  }
}
