import { In, type EntityManager } from "typeorm";
import { actorOf, type Principal } from "../../kernel/principal";
import type { Database } from "../../kernel/db/database";
import { fromGlobalId, newId, toGlobalId } from "../../kernel/ids";
import { requestFingerprint } from "../../kernel/idempotency/fingerprint";
import { IdempotencyRecord } from "../../kernel/idempotency/idempotency.entity";
import { checkFirst, connectionOf, decodeNumberCursor, encodeCursor } from "../../kernel/graphql/connection";
import { DomainError } from "../../kernel/errors";
import { appendAudit } from "../../kernel/audit/audit-log";
import { ConsentMode, RecommenderMode, type RegulatedUse } from "../catalog/catalog.enums";
import { RecommenderModeChoice } from "../decisions/recommender-mode.entity";
import { ConsentState } from "../consent/consent-state.entity";
import { Channel, ConsentStatus } from "../consent/consent.enums";
import { loadConsentCatalog } from "../consent/consent.loaders";
import type { ConsentService } from "../consent/consent.service";
import { GPC_USES } from "../consent/effective-consent";
import { Subject } from "../people/subject.entity";
import type { SubjectService } from "../people/people.service";
import type { SignalService } from "../sharing/signals.service";
import { DataRequest, DataRequestKind, DataRequestStatus } from "./data-request.entity";

const DAY = 24 * 3600_000;
/** Kept after a deletion: the request itself, and the partners' own records of signals. */
const KEPT_ON_DELETE = new Set(["data_request", "partner_signal", "consent_state", "recommender_mode", "subject"]);
/** Reference columns named by global id in an export. */
const REFERENCES: Record<string, string> = {
  subjectId: "Subject", purposeId: "Purpose", dataCategoryId: "DataCategory", partnerId: "Partner", agreementId: "SharingAgreement",
  surfaceId: "Surface", algorithmCardId: "AlgorithmCard", decisionId: "Decision", receiptId: "ConsentReceipt", incidentId: "BreachIncident",
  sourcePartnerId: "Partner",
};

export interface SubmitRequest {
  kind: DataRequestKind;
  details?: string | null;
  subjectExternalId?: string | null;
  idempotencyKey?: string | null;
}

/**
 * Data rights. The JWT is the verification: ACCESS, DELETE, OPT_OUT_OF_SALE and
 * LIMIT_SENSITIVE_DATA complete at once; CORRECT waits for the privacy office. Deadlines come
 * from the person's jurisdiction (45 days when unknown), extendable once within its limit.
 */
export class RightsService {
  constructor(private readonly db: Database, private readonly subjects: SubjectService, private readonly consent: ConsentService, private readonly signals: SignalService) {}

  async submit(principal: Principal, input: SubmitRequest): Promise<DataRequest> {
    if (input.kind === DataRequestKind.CORRECT && !input.details?.trim()) throw new DomainError("INVALID", "Say what is wrong and what it should be (details)", ["input", "details"]);
    const person = this.consent.target(principal, input.subjectExternalId);
    const actor = actorOf(principal);
    const subject = await this.subjects.ensure(person.externalId, person.jurisdiction, actor);
    const fingerprint = requestFingerprint({ kind: input.kind, details: input.details });
    let replay: DataRequest | null = null;
    const request = await this.db.transaction(async (m) => {
      await this.subjects.lock(m, subject.id);
      if (input.idempotencyKey) {
        const prior = await m.findOneBy(IdempotencyRecord, { subjectId: subject.id, caller: actor, idempotencyKey: input.idempotencyKey });
        if (prior && prior.createdAt.getTime() > Date.now() - DAY) {
          if (prior.requestHash !== fingerprint) throw new DomainError("CONFLICT", "This idempotencyKey was already used with a different request", ["input", "idempotencyKey"]);
          replay = await m.findOneBy(DataRequest, { id: prior.result.requestId as string });
          if (replay) return replay;
        }
        if (prior) await m.delete(IdempotencyRecord, { subjectId: subject.id, caller: actor, idempotencyKey: input.idempotencyKey });
      }
      if (input.kind === DataRequestKind.CORRECT) {
        const open = await m.findOneBy(DataRequest, { subjectId: subject.id, kind: input.kind, status: In([DataRequestStatus.RECEIVED, DataRequestStatus.IN_PROGRESS]) });
        if (open) throw new DomainError("CONFLICT", "A request of this kind is already open", ["input", "kind"]);
      }
      const now = new Date();
      const row = Object.assign(new DataRequest(), {
        id: newId(), subjectId: subject.id, kind: input.kind, status: DataRequestStatus.RECEIVED, receivedAt: now,
        dueAt: new Date(now.getTime() + this.subjects.rules(subject).requestResponseDays * DAY), extendedDueAt: null, completedAt: null,
        details: input.details ?? null, statusReason: null, extensionReason: null, exportData: null, submittedBy: actor,
      });
      await m.insert(DataRequest, row);
      if (input.idempotencyKey) {
        await m.insert(IdempotencyRecord, { subjectId: subject.id, caller: actor, idempotencyKey: input.idempotencyKey, requestHash: fingerprint, result: { requestId: row.id }, createdAt: now } as never);
      }
      await appendAudit(m, [{ actor, action: "rights.submit", entityType: "DataRequest", entityId: row.id, detail: { kind: row.kind } }], now);
      return row;
    });
    if (replay) return request;
    switch (input.kind) {
      case DataRequestKind.ACCESS:
        return this.finish(request, actor, async (m) => ({ exportData: await this.exportOf(m, subject.id), statusReason: "Your data is in the export." }));
      case DataRequestKind.DELETE:
        return this.erase(request, subject, actor);
      case DataRequestKind.OPT_OUT_OF_SALE:
        await this.withdraw(principal, subject, (uses) => uses.some((u) => GPC_USES.includes(u)));
        return this.finish(request, actor, async () => ({ statusReason: "We stopped selling and sharing your data for ads." }));
      case DataRequestKind.LIMIT_SENSITIVE_DATA:
        await this.withdraw(principal, subject, (_uses, sensitive) => sensitive);
        return this.finish(request, actor, async () => ({ statusReason: "We stopped using your sensitive data." }));
      default:
        return request;
    }
  }

  /** Withdraws, as the person's own choice, every refusable purpose that `matches`. */
  private async withdraw(principal: Principal, subject: Subject, matches: (uses: RegulatedUse[], sensitive: boolean) => boolean): Promise<void> {
    const catalog = await loadConsentCatalog(this.db.manager);
    const keys = catalog.purposes.filter((p, i) => p.defaultMode !== ConsentMode.ESSENTIAL && matches(p.regulatedUses, catalog.facts[i].usesSensitiveData)).map((p) => p.key);
    if (keys.length === 0) return;
    await this.consent.updateConsents(
      { principal, operation: "dataRequest", input: { keys }, channel: Channel.API },
      { externalId: subject.externalId, jurisdiction: subject.jurisdictionCode },
      keys.map((purpose) => ({ purpose, granted: false })),
      false,
    );
  }

  private finish(request: DataRequest, actor: string, work: (m: EntityManager) => Promise<Partial<DataRequest>>): Promise<DataRequest> {
    return this.db.transaction(async (m) => {
      const now = new Date();
      const fields = { ...(await work(m)), status: DataRequestStatus.COMPLETED, completedAt: now };
      await m.update(DataRequest, { id: request.id }, fields as never);
      await appendAudit(m, [{ actor, action: "rights.complete", entityType: "DataRequest", entityId: request.id, detail: { kind: request.kind } }], now);
      return Object.assign(request, fields);
    });
  }

  /** Every table that holds the person's id: each one a list, objects named by global id. */
  private async exportOf(m: EntityManager, subjectId: string): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    const subject = await m.findOneByOrFail(Subject, { id: subjectId });
    out.subject = { id: toGlobalId("Subject", subject.id), externalId: subject.externalId, jurisdiction: subject.jurisdictionCode, globalPrivacyControl: subject.gpc, createdAt: subject.createdAt };
    for (const meta of m.connection.entityMetadatas) {
      if (!meta.findColumnWithPropertyName("subjectId") || meta.tableName === "data_request") continue;
      const rows = await m.getRepository(meta.target).find({ where: { subjectId } as never });
      const isNode = meta.primaryColumns.length === 1 && meta.primaryColumns[0].propertyName === "id";
      out[meta.tableName] = rows.map((row: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => {
          if (k === "id" && isNode) return [k, toGlobalId(meta.targetName, String(v))];
          if (REFERENCES[k] && typeof v === "string") return [k.replace(/Id$/, ""), toGlobalId(REFERENCES[k], v)];
          return [k, v];
        })));
    }
    out.data_request = (await m.findBy(DataRequest, { subjectId })).map((r) => ({ id: toGlobalId("DataRequest", r.id), kind: r.kind, status: r.status, receivedAt: r.receivedAt }));
    return out;
  }

  /**
   * Erases the person's decisions, factors, sharing events, consent history and everything else
   * held about them; keeps the request, the audit entries, the partners' signals and a suppression
   * record (the person, their GPC, their opt-outs of sale and advertising) so that deletion never
   * turns such a purpose back on when the person is seen again. Every recipient is signalled.
   */
  private erase(request: DataRequest, subject: Subject, actor: string): Promise<DataRequest> {
    let wake: (() => void) | void = undefined;
    const done = this.db.transaction(async (m) => {
      await this.subjects.lock(m, subject.id);
      const now = new Date();
      const signals = await this.signals.deletionSignals(m, subject.id, now);
      for (const meta of m.connection.entityMetadatas) {
        if (!meta.findColumnWithPropertyName("subjectId") || KEPT_ON_DELETE.has(meta.tableName)) continue;
        await m.getRepository(meta.target).delete({ subjectId: subject.id } as never);
      }
      // The suppression record: every "no" the person said (opt-outs, NON_PROFILING) and their GPC.
      await m.delete(ConsentState, { subjectId: subject.id, status: ConsentStatus.GRANTED });
      await m.delete(RecommenderModeChoice, { subjectId: subject.id, mode: RecommenderMode.PERSONALIZED });
      // The requests stay, but not what they held: no export, no free text.
      await m.update(DataRequest, { subjectId: subject.id }, { exportData: null, details: null });
      const fields = { status: DataRequestStatus.COMPLETED, completedAt: now, statusReason: `We erased your data and told ${new Set(signals.map((s) => s.partnerId)).size} partner(s) to erase theirs. We keep this request and your opt-outs.` };
      await m.update(DataRequest, { id: request.id }, fields);
      await appendAudit(m, [{ actor, action: "rights.delete", entityType: "DataRequest", entityId: request.id, detail: { subject: subject.id, partnersSignalled: signals.length } }], now);
      wake = await this.signals.writeSignals(m, signals);
      return Object.assign(request, fields);
    });
    return done.then((r) => {
      if (wake) wake();
      return r;
    });
  }

  /** Open and past requests, soonest due first (offset cursor). */
  async list(first: number, after: string | null | undefined, status: DataRequestStatus | null | undefined) {
    checkFirst(first);
    const offset = decodeNumberCursor("o", after) ?? 0;
    const query = this.db.manager.getRepository(DataRequest).createQueryBuilder("r");
    if (status) query.where("r.status = :status", { status });
    const [rows, totalCount] = await Promise.all([
      query.clone().orderBy("COALESCE(r.extended_due_at, r.due_at)", "ASC").addOrderBy("r.id", "ASC").offset(offset).limit(first + 1).getMany(),
      query.clone().getCount(),
    ]);
    return { ...connectionOf(rows, first, offset > 0, (_node, i) => encodeCursor("o", offset + i + 1)), totalCount };
  }

  /** completeDataRequest / denyDataRequest: only an open request, with a reason. */
  async resolve(principal: Principal, id: string, reason: string, status: DataRequestStatus.COMPLETED | DataRequestStatus.DENIED): Promise<DataRequest> {
    return this.db.transaction(async (m) => {
      const request = await this.open(m, id);
      const now = new Date();
      const fields = { status, statusReason: reason, completedAt: now };
      await m.update(DataRequest, { id: request.id }, fields);
      await appendAudit(m, [{ actor: actorOf(principal), action: `rights.${status.toLowerCase()}`, entityType: "DataRequest", entityId: request.id, detail: { kind: request.kind } }], now);
      return Object.assign(request, fields);
    });
  }

  /** Once, within the jurisdiction's extension, with a reason. */
  async extend(principal: Principal, id: string, days: number, reason: string): Promise<DataRequest> {
    return this.db.transaction(async (m) => {
      const request = await this.open(m, id);
      const subject = await m.findOneByOrFail(Subject, { id: request.subjectId });
      const limit = this.subjects.rules(subject).requestExtensionDays;
      if (request.extendedDueAt) throw new DomainError("INVALID", "This request was already extended once", ["input", "id"]);
      if (!limit) throw new DomainError("INVALID", "The person's jurisdiction allows no extension", ["input", "days"]);
      if (!Number.isInteger(days) || days < 1 || days > limit) throw new DomainError("INVALID", `An extension is 1 to ${limit} days here`, ["input", "days"]);
      const now = new Date();
      const fields = { extendedDueAt: new Date(request.dueAt.getTime() + days * DAY), extensionReason: reason, status: DataRequestStatus.IN_PROGRESS };
      await m.update(DataRequest, { id: request.id }, fields);
      await appendAudit(m, [{ actor: actorOf(principal), action: "rights.extend", entityType: "DataRequest", entityId: request.id, detail: { days } }], now);
      return Object.assign(request, fields);
    });
  }

  private async open(m: EntityManager, globalId: string): Promise<DataRequest> {
    const ref = fromGlobalId(globalId);
    const request = ref?.type === "DataRequest" ? await m.findOneBy(DataRequest, { id: ref.id }) : null;
    if (!request) throw new DomainError("NOT_FOUND", "No data request with this id", ["input", "id"]);
    if (request.status === DataRequestStatus.COMPLETED || request.status === DataRequestStatus.DENIED) {
      throw new DomainError("INVALID", `This request is already ${request.status.toLowerCase()}`, ["input", "id"]);
    }
    return request;
  }
}
