import { In, LessThanOrEqual, type EntityManager } from "typeorm";
import type { Config } from "../../config";
import { appendAudit } from "../../kernel/audit/audit-log";
import { chunks } from "../../kernel/db/chunks";
import { forEachPage, pastRetention, purgeInBatches } from "../../kernel/db/paging";
import type { Database } from "../../kernel/db/database";
import { DomainError } from "../../kernel/errors";
import { requestFingerprint } from "../../kernel/idempotency/fingerprint";
import { idempotencyRecord, priorResult, recordKey } from "../../kernel/idempotency/idempotency";
import { IdempotencyRecord } from "../../kernel/idempotency/idempotency.entity";
import { fromGlobalId, newId } from "../../kernel/ids";
import type { PersonalDataHolder, RetentionHolder } from "../../kernel/personal-data";
import { actorOf, type Principal } from "../../kernel/principal";
import { isTooFarAhead } from "../../kernel/time";
import { DataCategory, SharingAgreement } from "../catalog";
import { consentTimeline, ConsentStatus, type ConsentAt } from "../consent";
import {
  batchAuditEntry,
  judgeBatch,
  rememberAccepted,
  type PeopleService,
  type Verdict,
  replayedRows,
} from "../people";
import type { Pseudonyms } from "./pseudonyms";
import { SharingEvent } from "./sharing-event.entity";
import type { SharingEventInput } from "./sharing.inputs";
import type { SignalService } from "./signals.service";

const MAX_CATEGORIES = 100;

interface Lookups {
  agreements: Map<string, SharingAgreement>;
  agreementCategories: Map<string, Set<string>>;
  categories: Map<string, DataCategory>;
  consentAt: ConsentAt;
}

interface EventVerdict extends Verdict {
  event?: SharingEvent;
}

export interface SharingOutcome {
  index: number;
  event: SharingEvent | null;
  problems: DomainError[];
}

/**
 * recordSharingEvents: each event must name an agreement in force, stay within its categories,
 * and the agreement's purpose must be GRANTED for the person when it happened. Accepted events
 * carry the partner's pseudonym for the person, which is all the engine may hand the partner.
 */
export class SharingService implements PersonalDataHolder, RetentionHolder {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly people: PeopleService,
    private readonly pseudonyms: Pseudonyms,
    private readonly signals: SignalService,
  ) {}

  async record(principal: Principal, inputs: SharingEventInput[]): Promise<SharingOutcome[]> {
    const caller = actorOf(principal);
    const afterCommit: Array<() => void> = [];
    const outcomes = await this.db.transaction(async (m) => {
      let lookups: Lookups;
      const { verdicts, created, now, onlyPerson } = await judgeBatch<EventVerdict>(m, this.people, {
        caller,
        inputs,
        field: ["input", "events"],
        externalIds: inputs.map((e) => e.subjectExternalId),
        idempotencyKeys: inputs.map((e) => e.idempotencyKey),
        load: async (subjectIds) => {
          lookups = await this.lookups(m, subjectIds);
        },
        judge: (index, subjectId, previous, now) =>
          this.judge(inputs[index], index, subjectId, caller, lookups, previous, now),
        rebase: (v, subjectId) => {
          const event = Object.assign(new SharingEvent(), v.event, {
            subjectId,
            subjectRef: this.pseudonyms.refFor(v.event!.partnerId, subjectId),
          });
          return { ...v, event };
        },
      });
      const accepted = verdicts.filter((v) => v.accepted);
      for (const part of chunks(accepted.map((v) => v.event!))) await m.insert(SharingEvent, part);
      await rememberAccepted(m, verdicts);
      const batch = {
        action: "sharing.record",
        entityType: "SharingBatch",
        entityId: newId(),
        subjectId: onlyPerson(),
      };
      const ids = accepted.map((v) => v.event!.id);
      await appendAudit(m, [batchAuditEntry(caller, batch, verdicts, ids, created)], now);
      // Reported late, for a purpose withdrawn since: the partner must hear of the withdrawal too.
      const late = accepted
        .map((v) => v.event!)
        .filter(
          (e) =>
            lookups.consentAt(e.subjectId, lookups.agreements.get(e.agreementId)!.purposeId, now) !==
            ConsentStatus.GRANTED,
        );
      if (late.length > 0) {
        const then = await this.signals.lateEvents(
          m,
          late.map((e) => ({ ...e, purposeId: lookups.agreements.get(e.agreementId)!.purposeId })),
          now,
        );
        if (then) afterCommit.push(then);
      }
      const replayed = await replayedRows(m, SharingEvent, verdicts);
      return verdicts.map((v) => ({
        index: v.index,
        event: v.event ?? (v.replayOf ? (replayed.get(v.replayOf) ?? null) : null),
        problems: v.problems,
      }));
    });
    for (const then of afterCommit) then();
    return outcomes;
  }

  private judge(
    input: SharingEventInput,
    index: number,
    subjectId: string,
    caller: string,
    l: Lookups,
    previous: Map<string, IdempotencyRecord>,
    now: Date,
  ): EventVerdict {
    const at = (...path: Array<string | number>) => ["input", "events", String(index), ...path.map(String)];
    const requestHash = requestFingerprint(input);
    const prior = priorResult(previous, subjectId, input.idempotencyKey, requestHash, at("idempotencyKey"), "event");
    if (prior && "conflict" in prior) return { index, accepted: false, problems: [prior.conflict] };
    if (prior) return { index, accepted: false, problems: [], replayOf: prior.stored.eventId as string };
    const problems: DomainError[] = [];
    const fail = (code: DomainError["code"], message: string, ...path: Array<string | number>) =>
      problems.push(new DomainError(code, message, at(...path)));
    if (input.subjectExternalId.trim() === "")
      fail("INVALID", "subjectExternalId must not be empty", "subjectExternalId");
    if (input.subjectExternalId.length > 200)
      fail("LIMIT_EXCEEDED", "subjectExternalId is longer than 200 characters", "subjectExternalId");
    if (input.idempotencyKey && input.idempotencyKey.length > 200)
      fail("LIMIT_EXCEEDED", "idempotencyKey is longer than 200 characters", "idempotencyKey");
    const occurredAt = input.occurredAt ?? now;
    if (isTooFarAhead(occurredAt, now))
      fail("INVALID", "occurredAt is more than 5 minutes in the future", "occurredAt");

    const ref = fromGlobalId(input.agreement);
    const agreement = ref?.type === "SharingAgreement" ? l.agreements.get(ref.id) : undefined;
    if (!agreement) fail("NOT_FOUND", `No sharing agreement with id "${input.agreement.slice(0, 100)}"`, "agreement");
    else if (occurredAt < agreement.startedAt || (agreement.endedAt !== null && occurredAt >= agreement.endedAt)) {
      fail("INVALID", `Agreement "${agreement.key}" was not in force at ${occurredAt.toISOString()}`, "agreement");
    }

    if (input.dataCategories.length === 0) fail("INVALID", "Name at least one data category", "dataCategories");
    if (input.dataCategories.length > MAX_CATEGORIES)
      fail("LIMIT_EXCEEDED", `At most ${MAX_CATEGORIES} data categories per event`, "dataCategories");
    const categoryIds: string[] = [];
    input.dataCategories.slice(0, MAX_CATEGORIES).forEach((k, j) => {
      const category = l.categories.get(k);
      if (!category)
        return fail(
          k.length > 120 ? "LIMIT_EXCEEDED" : "NOT_FOUND",
          `No data category with key "${k.slice(0, 120)}"`,
          "dataCategories",
          j,
        );
      if (categoryIds.includes(category.id))
        return fail("INVALID", `"${k}" appears more than once`, "dataCategories", j);
      if (agreement && !l.agreementCategories.get(agreement.id)?.has(category.id))
        fail("INVALID", `Agreement "${agreement.key}" does not cover "${k}"`, "dataCategories", j);
      categoryIds.push(category.id);
    });
    if (agreement && l.consentAt(subjectId, agreement.purposeId, occurredAt) !== ConsentStatus.GRANTED) {
      fail(
        "CONSENT_REQUIRED",
        `The person had not consented to the purpose of "${agreement.key}" at ${occurredAt.toISOString()}`,
        "agreement",
      );
    }
    if (problems.length > 0) return { index, accepted: false, problems };

    const event = Object.assign(new SharingEvent(), {
      id: newId(),
      subjectId,
      partnerId: agreement!.partnerId,
      agreementId: agreement!.id,
      dataCategoryIds: categoryIds,
      subjectRef: this.pseudonyms.refFor(agreement!.partnerId, subjectId),
      occurredAt,
      recordedAt: now,
      recordedBy: caller,
    });
    const key = input.idempotencyKey;
    const record = key
      ? idempotencyRecord({ caller, subjectId, key, requestHash }, { eventId: event.id }, now)
      : undefined;
    // A later event of this batch with the same key is a retry of this one.
    if (record) previous.set(recordKey(subjectId, record.idempotencyKey), record);
    return { index, accepted: true, problems: [], event, record };
  }

  private async lookups(m: EntityManager, subjectIds: string[]): Promise<Lookups> {
    const [agreements, categories, links, consentAt] = await Promise.all([
      m.find(SharingAgreement),
      m.find(DataCategory),
      m
        .createQueryBuilder()
        .select(["j.sharing_agreement_id AS owner", "j.data_category_id AS target"])
        .from("sharing_agreement_data_category", "j")
        .getRawMany<{ owner: string; target: string }>(),
      consentTimeline(m, subjectIds, this.people, this.config),
    ]);
    const agreementCategories = new Map<string, Set<string>>();
    for (const r of links)
      agreementCategories.set(r.owner, (agreementCategories.get(r.owner) ?? new Set()).add(r.target));
    return {
      agreements: new Map(agreements.map((a) => [a.id, a])),
      agreementCategories,
      categories: new Map(categories.map((c) => [c.key, c])),
      consentAt,
    };
  }

  /** Deletion: the events go; the partners' signals stay (they are the partners' own record). */
  async forgetPerson(m: EntityManager, subjectId: string): Promise<void> {
    await m.delete(SharingEvent, { subjectId });
  }

  /** A sharing event goes when the shortest retention of its categories lapses (purged page by page). */
  async purgeExpired(
    retentionDays: Map<string, number | null>,
    now: Date,
    actor: string,
  ): Promise<Record<string, number>> {
    let sharingEvents = 0;
    const audit = { actor, at: now, entityType: "sharing_event" };
    await forEachPage(this.db.manager, SharingEvent, { occurredAt: true, dataCategoryIds: true }, async (rows) => {
      const expired = rows
        .filter((r) =>
          pastRetention(
            r.occurredAt,
            r.dataCategoryIds.map((c) => retentionDays.get(c)),
            now,
          ),
        )
        .map((r) => r.id);
      sharingEvents += await purgeInBatches(this.db, expired, audit, (tx, ids) =>
        tx.delete(SharingEvent, { id: In(ids) }).then(() => undefined),
      );
    });
    return { sharingEvents };
  }

  /** Sharing events outside their agreement's time in force, or of categories it does not cover. */
  async countOutsideAgreements(): Promise<number> {
    const m = this.db.manager;
    const agreements = new Map((await m.find(SharingAgreement)).map((a) => [a.id, a]));
    const links = await m
      .createQueryBuilder()
      .select(["j.sharing_agreement_id AS owner", "j.data_category_id AS target"])
      .from("sharing_agreement_data_category", "j")
      .getRawMany<{ owner: string; target: string }>();
    let n = 0;
    const select = { agreementId: true, occurredAt: true, dataCategoryIds: true };
    await forEachPage(m, SharingEvent, select, (rows) => {
      for (const e of rows) {
        const a = agreements.get(e.agreementId);
        const covered = a && e.dataCategoryIds.every((c) => links.some((l) => l.owner === a.id && l.target === c));
        if (!a || !covered || e.occurredAt < a.startedAt || (a.endedAt && e.occurredAt >= a.endedAt)) n += 1;
      }
    });
    return n;
  }

  /** Sharing events in [from, to), grouped by agreement (`partner/agreement` keys) and category ids (the data audit). */
  async sharesBetween(
    from: Date | null,
    to: Date | null,
  ): Promise<Array<{ agreement: string; categoryIds: string[]; n: number }>> {
    const q = this.db.manager
      .createQueryBuilder(SharingEvent, "e")
      .innerJoin("sharing_agreement", "a", "a.id = e.agreement_id")
      .innerJoin("partner", "p", "p.id = e.partner_id")
      .select(["p.key AS partner", "a.key AS agreement", "e.data_category_ids AS categories", "COUNT(*) AS n"])
      .groupBy("p.key")
      .addGroupBy("a.key")
      .addGroupBy("e.data_category_ids");
    if (from) q.andWhere("e.occurred_at >= :from", { from });
    if (to) q.andWhere("e.occurred_at < :to", { to });
    const rows = await q.getRawMany<{
      partner: string;
      agreement: string;
      categories: string | string[];
      n: string | number;
    }>();
    return rows.map((r) => ({
      agreement: `${r.partner}/${r.agreement}`,
      categoryIds: typeof r.categories === "string" ? (JSON.parse(r.categories) as string[]) : r.categories,
      n: Number(r.n),
    }));
  }

  /** Who had data of these categories shared up to `to`, and which (breach notices). */
  async categoriesSharedBy(
    m: EntityManager,
    categoryIds: string[],
    to: Date,
  ): Promise<Array<{ subjectId: string; categoryId: string }>> {
    const select = { subjectId: true, dataCategoryIds: true };
    const events = await m.find(SharingEvent, { where: { occurredAt: LessThanOrEqual(to) }, select });
    return events.flatMap((e) =>
      e.dataCategoryIds
        .filter((c) => categoryIds.includes(c))
        .map((categoryId) => ({ subjectId: e.subjectId, categoryId })),
    );
  }
}
