import { In, type EntityManager } from "typeorm";
import { appendAudit } from "../../kernel/audit/audit-log";
import type { Database } from "../../kernel/db/database";
import { DomainError } from "../../kernel/errors";
import { checkFirst, connectionOf, decodeNumberCursor, encodeCursor } from "../../kernel/graphql/connection";
import { requestFingerprint } from "../../kernel/idempotency/fingerprint";
import { forgetIdempotencyRecords, withIdempotency } from "../../kernel/idempotency/idempotency";
import { fromGlobalId, newId } from "../../kernel/ids";
import type { PersonalDataHolder } from "../../kernel/personal-data";
import { actorOf, type Principal } from "../../kernel/principal";
import { DAY_MS } from "../../kernel/time";
import { GPC_USES, type ConsentService } from "../consent";
import type { PeopleService, Subject } from "../people";
import type { SignalService } from "../sharing/signals.service";
import { aboutExport, exportLocale, type AccessExport, type AccessExporter } from "./access-export";
import { summaryOf } from "./access-summary";
import { DataRequest, DataRequestKind, DataRequestStatus } from "./data-request.entity";

export interface SubmitRequest {
  kind: DataRequestKind;
  details?: string | null;
  subjectExternalId?: string | null;
  idempotencyKey?: string | null;
  /** For ACCESS: the language of the export's texts and summary (en or es; others fall back to en). */
  locale?: string | null;
}

/**
 * Data rights. The JWT is the verification: ACCESS, DELETE, OPT_OUT_OF_SALE and
 * LIMIT_SENSITIVE_DATA complete at once; CORRECT waits for the privacy office. Deadlines come
 * from the person's jurisdiction (45 days when unknown), extendable once within its limit.
 */
export class RightsService {
  constructor(
    private readonly db: Database,
    private readonly people: PeopleService,
    private readonly consent: ConsentService,
    private readonly signals: SignalService,
    /** Every domain that holds data about people; each forgets a person its own way. */
    private readonly holders: PersonalDataHolder[],
    /** Gathers the access export from every domain (implemented in app/). */
    private readonly exporter: AccessExporter,
  ) {}

  async submit(principal: Principal, input: SubmitRequest): Promise<DataRequest> {
    if (input.kind === DataRequestKind.CORRECT && !input.details?.trim())
      throw new DomainError("INVALID", "Say what is wrong and what it should be (details)", ["input", "details"]);
    const person = this.consent.target(principal, input.subjectExternalId);
    const actor = actorOf(principal);
    let subject!: Subject;
    let replayed = false;
    const request = await this.db.transaction(async (m) => {
      const found = await this.people.lockOrCreate(m, person, new Date());
      // "Now" after the lock, as every write about a person takes it.
      const now = new Date();
      subject = found.subject;
      const creation = this.people.creationEntries(actor, found.created ? [subject] : []);
      return withIdempotency(
        m,
        {
          caller: actor,
          subjectId: subject.id,
          key: input.idempotencyKey,
          // A missing locale drops out of the fingerprint, so requests without one keep theirs.
          requestHash: requestFingerprint({ kind: input.kind, details: input.details, locale: input.locale }),
          field: ["input", "idempotencyKey"],
          what: "request",
          replay: async (stored) => {
            const first = await m.findOneBy(DataRequest, { id: stored.requestId as string });
            replayed = first !== null;
            return first;
          },
          run: async (remember) => {
            if (input.kind === DataRequestKind.CORRECT) {
              const openStatuses = In([DataRequestStatus.RECEIVED, DataRequestStatus.IN_PROGRESS]);
              const open = await m.findOneBy(DataRequest, {
                subjectId: subject.id,
                kind: input.kind,
                status: openStatuses,
              });
              if (open) throw new DomainError("CONFLICT", "A request of this kind is already open", ["input", "kind"]);
            }
            const row = this.received(subject, input, actor, now);
            await m.insert(DataRequest, row as never);
            await remember({ requestId: row.id });
            const entry = {
              actor,
              action: "rights.submit",
              entityType: "DataRequest",
              entityId: row.id,
              subjectId: row.subjectId,
              detail: { kind: row.kind },
            };
            await appendAudit(m, [...creation, entry], now);
            return row;
          },
        },
        now,
      );
    });
    if (replayed) return request;
    switch (input.kind) {
      case DataRequestKind.ACCESS: {
        // Gathered before the completing transaction: a read of committed rows, this request's included.
        const exportData = await this.exportOf(subject, input.locale);
        return this.finish(request, actor, async () => ({
          exportData: exportData as unknown as Record<string, unknown>,
          statusReason: "Your data is in the export.",
        }));
      }
      case DataRequestKind.DELETE:
        return this.erase(request, subject, actor);
      case DataRequestKind.OPT_OUT_OF_SALE:
        await this.consent.optOutWhere(principal, subject, "dataRequest", (p) =>
          p.regulatedUses.some((u) => GPC_USES.includes(u)),
        );
        return this.finish(request, actor, async () => ({
          statusReason: "We stopped selling and sharing your data for ads.",
        }));
      case DataRequestKind.LIMIT_SENSITIVE_DATA:
        await this.consent.optOutWhere(principal, subject, "dataRequest", (_p, sensitive) => sensitive);
        return this.finish(request, actor, async () => ({ statusReason: "We stopped using your sensitive data." }));
      default:
        return request;
    }
  }

  /** A new request, due by the person's jurisdiction. */
  private received(subject: Subject, input: SubmitRequest, actor: string, now: Date): DataRequest {
    return Object.assign(new DataRequest(), {
      id: newId(),
      subjectId: subject.id,
      kind: input.kind,
      status: DataRequestStatus.RECEIVED,
      receivedAt: now,
      dueAt: new Date(now.getTime() + this.people.rules(subject).requestResponseDays * DAY_MS),
      extendedDueAt: null,
      completedAt: null,
      details: input.details ?? null,
      statusReason: null,
      extensionReason: null,
      exportData: null,
      submittedBy: actor,
    });
  }

  private finish(
    request: DataRequest,
    actor: string,
    work: (m: EntityManager) => Promise<Partial<DataRequest>>,
  ): Promise<DataRequest> {
    return this.db.transaction(async (m) => {
      const now = new Date();
      const fields = { ...(await work(m)), status: DataRequestStatus.COMPLETED, completedAt: now };
      await m.update(DataRequest, { id: request.id }, fields as never);
      await appendAudit(
        m,
        [
          {
            actor,
            action: "rights.complete",
            entityType: "DataRequest",
            entityId: request.id,
            subjectId: request.subjectId,
            detail: { kind: request.kind },
          },
        ],
        now,
      );
      return Object.assign(request, fields);
    });
  }

  /** What is held about the person, by topic, in their language (the shape is in access-export.ts). */
  private async exportOf(subject: Subject, locale: string | null | undefined): Promise<AccessExport> {
    const language = exportLocale(locale);
    const body = await this.exporter.gather(subject, language);
    return { about: aboutExport(language, new Date()), ...body };
  }

  /** DataRequest.summary: for a completed ACCESS request whose export is still held. */
  summary(request: DataRequest): string | null {
    if (request.kind !== DataRequestKind.ACCESS || request.status !== DataRequestStatus.COMPLETED) return null;
    return request.exportData ? summaryOf(request.exportData as unknown as AccessExport) : null;
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
      await this.people.lock(m, subject.id);
      const now = new Date();
      const signals = await this.signals.deletionSignals(m, subject.id, now);
      // Each domain forgets the person its own way, keeping their refusals (the suppression
      // record: opt-outs, NON_PROFILING, GPC on the person's row) and the partners' signals.
      for (const holder of this.holders) await holder.forgetPerson(m, subject.id);
      await forgetIdempotencyRecords(m, subject.id);
      // The requests stay, but not what they held: no export, no free text.
      await m.update(DataRequest, { subjectId: subject.id }, { exportData: null, details: null });
      const fields = {
        status: DataRequestStatus.COMPLETED,
        completedAt: now,
        statusReason: `We erased your data and told ${new Set(signals.map((s) => s.partnerId)).size} partner(s) to erase theirs. We keep this request and your opt-outs.`,
      };
      await m.update(DataRequest, { id: request.id }, fields);
      await appendAudit(
        m,
        [
          {
            actor,
            action: "rights.delete",
            entityType: "DataRequest",
            entityId: request.id,
            subjectId: request.subjectId,
            detail: { subject: subject.id, partnersSignalled: signals.length },
          },
        ],
        now,
      );
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
      query
        .clone()
        .orderBy("COALESCE(r.extended_due_at, r.due_at)", "ASC")
        .addOrderBy("r.id", "ASC")
        .offset(offset)
        .limit(first + 1)
        .getMany(),
      query.clone().getCount(),
    ]);
    return { ...connectionOf(rows, first, offset > 0, (_node, i) => encodeCursor("o", offset + i + 1)), totalCount };
  }

  /** completeDataRequest / denyDataRequest: only an open request, with a reason. */
  async resolve(
    principal: Principal,
    id: string,
    reason: string,
    status: DataRequestStatus.COMPLETED | DataRequestStatus.DENIED,
  ): Promise<DataRequest> {
    return this.db.transaction(async (m) => {
      const request = await this.open(m, id);
      const now = new Date();
      const fields = { status, statusReason: reason, completedAt: now };
      await m.update(DataRequest, { id: request.id }, fields);
      await appendAudit(
        m,
        [
          {
            actor: actorOf(principal),
            action: `rights.${status.toLowerCase()}`,
            entityType: "DataRequest",
            entityId: request.id,
            subjectId: request.subjectId,
            detail: { kind: request.kind },
          },
        ],
        now,
      );
      return Object.assign(request, fields);
    });
  }

  /** Once, within the jurisdiction's extension, with a reason. */
  async extend(principal: Principal, id: string, days: number, reason: string): Promise<DataRequest> {
    return this.db.transaction(async (m) => {
      const request = await this.open(m, id);
      const subject = await this.people.lock(m, request.subjectId);
      const limit = this.people.rules(subject).requestExtensionDays;
      if (request.extendedDueAt)
        throw new DomainError("INVALID", "This request was already extended once", ["input", "id"]);
      if (!limit) throw new DomainError("INVALID", "The person's jurisdiction allows no extension", ["input", "days"]);
      if (!Number.isInteger(days) || days < 1 || days > limit)
        throw new DomainError("INVALID", `An extension is 1 to ${limit} days here`, ["input", "days"]);
      const now = new Date();
      const fields = {
        extendedDueAt: new Date(request.dueAt.getTime() + days * DAY_MS),
        extensionReason: reason,
        status: DataRequestStatus.IN_PROGRESS,
      };
      await m.update(DataRequest, { id: request.id }, fields);
      await appendAudit(
        m,
        [
          {
            actor: actorOf(principal),
            action: "rights.extend",
            entityType: "DataRequest",
            entityId: request.id,
            subjectId: request.subjectId,
            detail: { days },
          },
        ],
        now,
      );
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
