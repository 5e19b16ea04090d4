import { In, type EntityManager } from "typeorm";
import { actorOf, type Principal } from "../../kernel/principal";
import type { Config } from "../../config";
import type { Database } from "../../kernel/db/database";
import { fromGlobalId, newId } from "../../kernel/ids";
import { requestFingerprint } from "../../kernel/idempotency/fingerprint";
import { IdempotencyRecord } from "../../kernel/idempotency/idempotency.entity";
import { DomainError } from "../../kernel/errors";
import { appendAudit } from "../../kernel/audit/audit-log";
import { DataCategory } from "../catalog/data-category.entity";
import { SharingAgreement } from "../catalog/sharing-agreement.entity";
import { ConsentStatus } from "../consent/consent.enums";
import { chunks, judgeBatch, loadConsentTimeline, type ConsentAt, type Verdict } from "../consent/people-batch";
import type { SubjectService } from "../people/people.service";
import type { Pseudonyms } from "./pseudonyms";
import type { SignalService } from "./signals.service";
import { SharingEvent } from "./sharing-event.entity";
import type { SharingEventInput } from "./sharing.inputs";

const MAX_FUTURE_MS = 5 * 60_000;
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
export class SharingService {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly subjects: SubjectService,
    private readonly pseudonyms: Pseudonyms,
    private readonly signals: SignalService,
  ) {}

  async record(principal: Principal, inputs: SharingEventInput[]): Promise<SharingOutcome[]> {
    const caller = actorOf(principal);
    const afterCommit: Array<() => void> = [];
    const outcomes = await this.db.transaction(async (m) => {
      let lookups: Lookups;
      const { verdicts, created, now } = await judgeBatch<EventVerdict>(m, this.db.supportsRowLocks, {
        caller,
        externalIds: inputs.map((e) => e.subjectExternalId),
        idempotencyKeys: inputs.map((e) => e.idempotencyKey),
        load: async (subjectIds, now) => {
          lookups = await this.lookups(m, subjectIds);
        },
        judge: (index, subjectId, previous, now) => this.judge(inputs[index], index, subjectId, caller, lookups, previous, now),
        rebase: (v, subjectId) => {
          const event = Object.assign(new SharingEvent(), v.event, { subjectId, subjectRef: this.pseudonyms.refFor(v.event!.partnerId, subjectId) });
          return { ...v, event, record: v.record && Object.assign(new IdempotencyRecord(), v.record, { subjectId }) };
        },
      });
      const accepted = verdicts.filter((v) => v.accepted);
      for (const part of chunks(accepted.map((v) => v.event!))) await m.insert(SharingEvent, part);
      for (const part of chunks(accepted.flatMap((v) => (v.record ? [v.record] : [])))) await m.insert(IdempotencyRecord, part as never);
      const replays = verdicts.filter((v) => v.replayOf);
      await appendAudit(m, [{
        actor: caller, action: "sharing.record", entityType: "SharingBatch", entityId: newId(),
        detail: {
          accepted: accepted.map((v) => v.event!.id),
          replayed: replays.map((v) => v.replayOf),
          createdSubjects: created,
          refused: verdicts.filter((v) => v.problems.length > 0).map((v) => ({ index: v.index, codes: [...new Set(v.problems.map((p) => p.code))] })),
        },
      }], now);
      // Reported late, for a purpose withdrawn since: the partner must hear of the withdrawal too.
      const late = accepted.map((v) => v.event!).filter((e) => lookups.consentAt(e.subjectId, lookups.agreements.get(e.agreementId)!.purposeId, now) !== ConsentStatus.GRANTED);
      if (late.length > 0) {
        const then = await this.signals.lateEvents(m, late.map((e) => ({ ...e, purposeId: lookups.agreements.get(e.agreementId)!.purposeId })), now);
        if (then) afterCommit.push(then);
      }
      const replayed = replays.length > 0 ? new Map((await m.findBy(SharingEvent, { id: In(replays.map((v) => v.replayOf!)) })).map((e) => [e.id, e])) : new Map<string, SharingEvent>();
      return verdicts.map((v) => ({ index: v.index, event: v.event ?? (v.replayOf ? replayed.get(v.replayOf) ?? null : null), problems: v.problems }));
    });
    for (const then of afterCommit) then();
    return outcomes;
  }

  private judge(input: SharingEventInput, index: number, subjectId: string, caller: string, l: Lookups, previous: Map<string, IdempotencyRecord>, now: Date): EventVerdict {
    const at = (...path: Array<string | number>) => ["input", "events", String(index), ...path.map(String)];
    const key = input.idempotencyKey ? `${subjectId}|${input.idempotencyKey}` : null;
    const prior = key ? previous.get(key) : undefined;
    if (prior) {
      return prior.requestHash === requestFingerprint(input)
        ? { index, accepted: false, problems: [], replayOf: prior.result.eventId as string }
        : { index, accepted: false, problems: [new DomainError("CONFLICT", "This idempotencyKey was already used with a different event", at("idempotencyKey"))] };
    }
    const problems: DomainError[] = [];
    const fail = (code: DomainError["code"], message: string, ...path: Array<string | number>) => problems.push(new DomainError(code, message, at(...path)));
    if (input.subjectExternalId.trim() === "") fail("INVALID", "subjectExternalId must not be empty", "subjectExternalId");
    if (input.subjectExternalId.length > 200) fail("LIMIT_EXCEEDED", "subjectExternalId is longer than 200 characters", "subjectExternalId");
    if (input.idempotencyKey && input.idempotencyKey.length > 200) fail("LIMIT_EXCEEDED", "idempotencyKey is longer than 200 characters", "idempotencyKey");
    const occurredAt = input.occurredAt ?? now;
    if (occurredAt.getTime() > now.getTime() + MAX_FUTURE_MS) fail("INVALID", "occurredAt is more than 5 minutes in the future", "occurredAt");

    const ref = fromGlobalId(input.agreement);
    const agreement = ref?.type === "SharingAgreement" ? l.agreements.get(ref.id) : undefined;
    if (!agreement) fail("NOT_FOUND", `No sharing agreement with id "${input.agreement.slice(0, 100)}"`, "agreement");
    else if (occurredAt < agreement.startedAt || (agreement.endedAt !== null && occurredAt >= agreement.endedAt)) {
      fail("INVALID", `Agreement "${agreement.key}" was not in force at ${occurredAt.toISOString()}`, "agreement");
    }

    if (input.dataCategories.length === 0) fail("INVALID", "Name at least one data category", "dataCategories");
    if (input.dataCategories.length > MAX_CATEGORIES) fail("LIMIT_EXCEEDED", `At most ${MAX_CATEGORIES} data categories per event`, "dataCategories");
    const categoryIds: string[] = [];
    input.dataCategories.slice(0, MAX_CATEGORIES).forEach((k, j) => {
      const category = l.categories.get(k);
      if (!category) return fail(k.length > 120 ? "LIMIT_EXCEEDED" : "NOT_FOUND", `No data category with key "${k.slice(0, 120)}"`, "dataCategories", j);
      if (categoryIds.includes(category.id)) return fail("INVALID", `"${k}" appears more than once`, "dataCategories", j);
      if (agreement && !l.agreementCategories.get(agreement.id)?.has(category.id)) fail("INVALID", `Agreement "${agreement.key}" does not cover "${k}"`, "dataCategories", j);
      categoryIds.push(category.id);
    });
    if (agreement && l.consentAt(subjectId, agreement.purposeId, occurredAt) !== ConsentStatus.GRANTED) {
      fail("CONSENT_REQUIRED", `The person had not consented to the purpose of "${agreement.key}" at ${occurredAt.toISOString()}`, "agreement");
    }
    if (problems.length > 0) return { index, accepted: false, problems };

    const event = Object.assign(new SharingEvent(), {
      id: newId(), subjectId, partnerId: agreement!.partnerId, agreementId: agreement!.id, dataCategoryIds: categoryIds,
      subjectRef: this.pseudonyms.refFor(agreement!.partnerId, subjectId), occurredAt, recordedAt: now, recordedBy: caller,
    });
    const record = key
      ? Object.assign(new IdempotencyRecord(), { subjectId, caller, idempotencyKey: input.idempotencyKey!, requestHash: requestFingerprint(input), result: { eventId: event.id }, createdAt: now })
      : undefined;
    if (key && record) previous.set(key, record);
    return { index, accepted: true, problems: [], event, record };
  }

  private async lookups(m: EntityManager, subjectIds: string[]): Promise<Lookups> {
    const [agreements, categories, links, consentAt] = await Promise.all([
      m.find(SharingAgreement),
      m.find(DataCategory),
      m.createQueryBuilder().select(["j.sharing_agreement_id AS owner", "j.data_category_id AS target"]).from("sharing_agreement_data_category", "j").getRawMany<{ owner: string; target: string }>(),
      loadConsentTimeline(m, subjectIds, this.subjects, this.config),
    ]);
    const agreementCategories = new Map<string, Set<string>>();
    for (const r of links) agreementCategories.set(r.owner, (agreementCategories.get(r.owner) ?? new Set()).add(r.target));
    return { agreements: new Map(agreements.map((a) => [a.id, a])), agreementCategories, categories: new Map(categories.map((c) => [c.key, c])), consentAt };
  }
}
