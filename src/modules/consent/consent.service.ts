import type { EntityManager } from "typeorm";
import { type Principal, Role, actorOf } from "../../kernel/principal";
import type { Config } from "../../config";
import type { Database } from "../../kernel/db/database";
import { newId, toGlobalId } from "../../kernel/ids";
import { requestFingerprint } from "../../kernel/idempotency/fingerprint";
import { IdempotencyRecord } from "../../kernel/idempotency/idempotency.entity";
import { DomainError, ForbiddenError } from "../../kernel/errors";
import { appendAudit } from "../../kernel/audit/audit-log";
import { ConsentMode } from "../catalog/catalog.enums";
import { PersonalizationLevel } from "../catalog/personalization-level.entity";
import { PrivacyPolicy } from "../catalog/privacy-policy.entity";
import { ConsentEvent } from "./consent-event.entity";
import { ConsentReceipt } from "./consent-receipt.entity";
import { ConsentState } from "./consent-state.entity";
import { Channel, ConsentSource, ConsentStatus } from "./consent.enums";
import { loadConsentCatalog, type ConsentCatalog } from "./consent.loaders";
import { effectiveConsent, gpcApplies, isGpcPurpose, type EffectiveConsent, type ExplicitChoice, type PersonFacts } from "./effective-consent";
import type { ReceiptSigner } from "../../kernel/signer";
import { Subject } from "../people/subject.entity";
import { isKnownJurisdictionCode, type SubjectService } from "../people/people.service";

/** Effective consent for every purpose of the catalog, in catalog order. */
export function evaluateAll(catalog: ConsentCatalog, person: PersonFacts, choices: Map<string, ExplicitChoice>, config: Config): EffectiveConsent[] {
  return catalog.facts.map((p) => effectiveConsent(p, person, choices.get(p.id), config.gpcScope));
}

export const choiceMap = (rows: ConsentState[]) => new Map<string, ExplicitChoice>(rows.map((r) => [r.purposeId, r]));

const IDEMPOTENCY_HOURS = 24;

/** What one call asks to change; the rules then decide what actually changes. */
interface Plan {
  choices: Map<string, { status: ConsentStatus; gpcOverridden: boolean }>;
  gpc?: boolean;
  jurisdictionCode?: string | null;
}

/** DESIGN §5: setting or clearing GPC records only status changes, each with source GPC. */
const gpcChange = (plan: Plan) => plan.gpc !== undefined;

interface Snapshot {
  subject: Subject;
  catalog: ConsentCatalog;
  person: PersonFacts;
  before: EffectiveConsent[];
}

/** Who a call is about, before we know whether they exist yet. */
export interface PersonRef {
  externalId: string;
  /** Used only when the person is first seen. */
  jurisdiction: string | null;
}

/** The input as a retry would send it: a spelled-out default (confirmGpcOverride: false) is no different call. */
function requestHash(operation: string, input: Record<string, unknown>): string {
  const { confirmGpcOverride, ...rest } = input;
  return requestFingerprint({ operation, input: confirmGpcOverride ? input : rest });
}

/** What changed for one person in one committed call, for domains that must react (sharing). */
export interface ConsentChange {
  subjectId: string;
  at: Date;
  changes: Array<{ purposeId: string; before: ConsentStatus; after: ConsentStatus; source: ConsentSource }>;
}

/**
 * Runs inside the change's transaction, after the audit head is locked (so rows it appends are
 * numbered in commit order); may return work to do once the transaction has committed.
 */
export interface ConsentListener {
  afterChange(manager: EntityManager, change: ConsentChange): Promise<(() => void) | void>;
}

export interface ConsentResult {
  subject: Subject;
  receipt: ConsentReceipt | null;
}

export interface Call {
  principal: Principal;
  /** Names the operation in the audit log and the idempotency hash. */
  operation: string;
  input: Record<string, unknown>;
  channel: Channel;
  idempotencyKey?: string | null;
}

const SOURCE_OF: Partial<Record<Role, ConsentSource>> = { [Role.SUBJECT]: ConsentSource.USER, [Role.SERVICE]: ConsentSource.SERVICE, [Role.ADMIN]: ConsentSource.ADMIN };

/**
 * Every consent change: validates, computes the effective state before and after by the rules of
 * DESIGN §5, and writes — in one transaction, with the person's row locked — one event per
 * purpose whose status or source changes, one signed receipt, and one audit entry. A call that
 * changes nothing writes nothing.
 */
export class ConsentService {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly subjects: SubjectService,
    private readonly signer: ReceiptSigner,
    private readonly listeners: ConsentListener[] = [],
  ) {}

  /**
   * The person a call acts on: a subject always itself; services and admins name one. Nothing is
   * created here: a person first seen is created inside the call's transaction, so a refused
   * call leaves no trace.
   */
  target(principal: Principal, subjectExternalId: string | null | undefined): PersonRef {
    if (principal.role === Role.SUBJECT) {
      if (subjectExternalId && subjectExternalId !== principal.externalId) throw new ForbiddenError("A person can only change their own consent");
      return { externalId: principal.externalId!, jurisdiction: principal.jurisdiction ?? null };
    }
    if (!subjectExternalId) throw new DomainError("INVALID", "Name the person with subjectExternalId", ["input", "subjectExternalId"]);
    return { externalId: subjectExternalId, jurisdiction: null };
  }

  updateConsents(call: Call, subject: PersonRef, changes: Array<{ purpose: string; granted: boolean }>, confirmGpcOverride: boolean): Promise<ConsentResult> {
    return this.commit(call, subject, (s) => {
      const seen = new Set<string>();
      const wanted = changes.map((change, i) => {
        const field = ["input", "changes", String(i), "purpose"];
        const purpose = s.catalog.byKey.get(change.purpose);
        if (!purpose) throw new DomainError("NOT_FOUND", `No purpose with key "${change.purpose}"`, field);
        if (seen.has(purpose.key)) throw new DomainError("INVALID", `Purpose "${purpose.key}" appears more than once`, field);
        seen.add(purpose.key);
        if (purpose.defaultMode === ConsentMode.ESSENTIAL) throw new DomainError("INVALID", `"${purpose.key}" is essential to the service and cannot be changed`, field);
        return { purposeId: purpose.id, granted: change.granted };
      });
      return this.choices(call, s, wanted, confirmGpcOverride);
    });
  }

  async setPersonalizationLevel(call: Call, subject: PersonRef, level: number, confirmGpcOverride: boolean): Promise<ConsentResult> {
    const found = await this.db.manager.findOne(PersonalizationLevel, { where: { level }, relations: { purposes: true } });
    if (!found) throw new DomainError("NOT_FOUND", `No personalization level ${level}`, ["input", "level"]);
    const included = new Set(found.purposes!.map((p) => p.id));
    return this.commit(call, subject, (s) =>
      this.choices(call, s, this.refusable(s).map((p) => ({ purposeId: p.id, granted: included.has(p.id) })), confirmGpcOverride));
  }

  optOutOfAll(call: Call, subject: PersonRef): Promise<ConsentResult> {
    return this.commit(call, subject, (s) => this.choices(call, s, this.refusable(s).map((p) => ({ purposeId: p.id, granted: false })), false));
  }

  /** Sets or clears the person's Global Privacy Control signal. */
  recordGpc(call: Call, subject: PersonRef, enabled: boolean): Promise<ConsentResult> {
    return this.commit(call, subject, () => ({ choices: new Map(), gpc: enabled }));
  }

  /** A subject's request carrying Sec-GPC: 1: sets the signal (channel WEB) unless already set. */
  async applyGpcSignal(principal: Principal): Promise<Subject> {
    const existing = await this.subjects.find(principal.externalId!);
    if (existing?.gpc) return existing;
    return (await this.recordGpc({ principal, operation: "globalPrivacyControl", input: { enabled: true }, channel: Channel.WEB }, this.target(principal, null), true)).subject;
  }

  setJurisdiction(call: Call, subject: PersonRef, code: string | null): Promise<ConsentResult> {
    if (code !== null && !isKnownJurisdictionCode(code)) {
      throw new DomainError("INVALID", `"${code}" is not a jurisdiction Candor knows; use a code like US-CA, or UNKNOWN`, ["input", "jurisdiction"]);
    }
    return this.commit(call, subject, () => ({ choices: new Map(), jurisdictionCode: code }));
  }

  private refusable(s: Snapshot) {
    return s.catalog.purposes.filter((p) => p.defaultMode !== ConsentMode.ESSENTIAL);
  }

  /** Explicit choices; a grant that would override GPC needs the person's own confirmation. */
  private choices(call: Call, s: Snapshot, wanted: Array<{ purposeId: string; granted: boolean }>, confirm: boolean): Plan {
    const gpcOn = gpcApplies(s.person, this.config.gpcScope);
    const plan: Plan = { choices: new Map() };
    for (const { purposeId, granted } of wanted) {
      const facts = s.catalog.facts.find((f) => f.id === purposeId)!;
      const overridesGpc = granted && gpcOn && isGpcPurpose(facts);
      if (overridesGpc && !(confirm && call.principal.role === Role.SUBJECT)) {
        const key = s.catalog.purposes.find((p) => p.id === purposeId)!.key;
        throw new DomainError(
          "GPC_CONFIRMATION_REQUIRED",
          call.principal.role === Role.SUBJECT
            ? `Your browser's Global Privacy Control signal opts you out of "${key}"; to turn it on anyway, confirm with confirmGpcOverride: true`
            : `The person's Global Privacy Control signal opts them out of "${key}"; only the person can confirm turning it on`,
          ["input", "confirmGpcOverride"],
        );
      }
      plan.choices.set(purposeId, { status: granted ? ConsentStatus.GRANTED : ConsentStatus.DENIED, gpcOverridden: overridesGpc });
    }
    return plan;
  }

  private async commit(call: Call, who: PersonRef, planner: (s: Snapshot) => Plan): Promise<ConsentResult> {
    const caller = actorOf(call.principal);
    const hash = requestHash(call.operation, call.input);
    const afterCommit: Array<() => void> = [];
    const result = await this.db.transaction(async (m) => {
      const { subject, created } = await this.subjects.lockOrCreate(m, who, new Date());
      const creation = created ? [{ actor: caller, action: "subject.create", entityType: "Subject", entityId: subject.id, detail: { jurisdiction: subject.jurisdictionCode } }] : [];
      if (call.idempotencyKey) {
        const replay = await this.replay(m, subject, caller, call.idempotencyKey, hash);
        if (replay) return replay;
      }
      const catalog = await loadConsentCatalog(m);
      const choices = choiceMap(await m.findBy(ConsentState, { subjectId: subject.id }));
      const person = this.subjects.person(subject);
      const before = evaluateAll(catalog, person, choices, this.config);
      const plan = planner({ subject, catalog, person, before });

      const now = new Date();
      const policyVersion = await this.policyVersionInForce(m, now);
      const source = SOURCE_OF[call.principal.role] ?? ConsentSource.USER;
      const next = Object.assign(new Subject(), subject);
      if (plan.gpc !== undefined && plan.gpc !== subject.gpc) Object.assign(next, { gpc: plan.gpc, gpcAt: now });
      if (plan.jurisdictionCode !== undefined) next.jurisdictionCode = plan.jurisdictionCode;
      const newChoices = [...plan.choices].map(([purposeId, c]) =>
        Object.assign(new ConsentState(), { subjectId: subject.id, purposeId, status: c.status, source, gpcOverridden: c.gpcOverridden, policyVersion, updatedAt: now }));
      const nextChoices = new Map(choices);
      for (const c of newChoices) nextChoices.set(c.purposeId, c);
      const after = evaluateAll(catalog, this.subjects.person(next), nextChoices, this.config);

      const changed = after
        .map((a, i) => ({ a: gpcChange(plan) ? { ...a, source: ConsentSource.GLOBAL_PRIVACY_CONTROL } : a, b: before[i], purpose: catalog.purposes[i] }))
        .filter(({ a, b }) => a.status !== b.status || (!gpcChange(plan) && a.source !== b.source));
      const subjectChanged = next.gpc !== subject.gpc || next.jurisdictionCode !== subject.jurisdictionCode;
      // A choice GPC hides still counts: when the signal is cleared, the person's "no" must stand.
      const choicesChanged = newChoices.some((c) => {
        const old = choices.get(c.purposeId) as ConsentState | undefined;
        return !old || old.status !== c.status || old.source !== c.source || old.gpcOverridden !== c.gpcOverridden;
      });
      if (changed.length === 0 && !subjectChanged && !choicesChanged) {
        await appendAudit(m, creation, now);
        return { subject, receipt: null };
      }

      const receiptId = changed.length > 0 && plan.jurisdictionCode === undefined ? newId() : null;
      const events = changed.map(({ a, b }) =>
        Object.assign(new ConsentEvent(), {
          id: newId(), subjectId: subject.id, purposeId: a.purposeId, status: a.status, previousStatus: b.status, source: a.source,
          channel: call.channel, policyVersion, gpcOverridden: a.gpcOverridden, occurredAt: now, receiptId,
        }));
      const eventOf = new Map(events.map((e) => [e.purposeId, e.id]));

      if (subjectChanged) {
        await m.update(Subject, { id: subject.id }, { gpc: next.gpc, gpcAt: next.gpcAt, jurisdictionCode: next.jurisdictionCode, updatedAt: now });
      }
      // The person's choices are kept whenever the call writes anything, even those that GPC
      // currently hides, so that clearing the signal brings back what the person chose.
      if (newChoices.length > 0) await m.upsert(ConsentState, newChoices, ["subjectId", "purposeId"]);

      let receipt: ConsentReceipt | null = null;
      if (receiptId) {
        receipt = Object.assign(new ConsentReceipt(), {
          id: receiptId, subjectId: subject.id, issuedAt: now,
          jws: await this.signer.sign(this.receiptPayload(receiptId, next, changed.map(({ a, b, purpose }) => ({ a, b, purpose, eventId: eventOf.get(a.purposeId)! })), call.channel, policyVersion, now)),
        });
        await m.insert(ConsentReceipt, receipt);
      }
      if (events.length > 0) await m.insert(ConsentEvent, events);
      if (call.idempotencyKey) {
        await m.insert(IdempotencyRecord, { subjectId: subject.id, caller, idempotencyKey: call.idempotencyKey, requestHash: hash, result: { receiptId }, createdAt: now } as never);
      }
      await appendAudit(m, [...creation, {
        actor: caller, action: `consent.${call.operation}`, entityType: "Subject", entityId: subject.id,
        detail: { events: events.map((e) => e.id), receipt: receiptId, ...(subjectChanged ? { gpc: next.gpc, jurisdiction: next.jurisdictionCode } : {}) },
      }], now);
      // After the audit head is locked: whatever listeners append (partner signals) then gets its
      // sequence numbers in commit order, so a feed read by sequence never skips a row.
      for (const listener of this.listeners) {
        const then = await listener.afterChange(m, { subjectId: subject.id, at: now, changes: changed.map(({ a, b }) => ({ purposeId: a.purposeId, before: b.status, after: a.status, source: a.source })) });
        if (then) afterCommit.push(then);
      }
      if (subjectChanged) next.updatedAt = now;
      return { subject: next, receipt };
    });
    for (const then of afterCommit) then();
    return result;
  }

  /** The same key with the same input returns the first result; with another input, CONFLICT. */
  private async replay(m: EntityManager, subject: Subject, caller: string, key: string, requestHash: string): Promise<ConsentResult | null> {
    const record = await m.findOneBy(IdempotencyRecord, { subjectId: subject.id, caller, idempotencyKey: key });
    if (!record) return null;
    if (record.createdAt.getTime() < Date.now() - IDEMPOTENCY_HOURS * 3600_000) {
      // Kept 24 hours: after that the key starts afresh.
      await m.delete(IdempotencyRecord, { subjectId: subject.id, caller, idempotencyKey: key });
      return null;
    }
    if (record.requestHash !== requestHash) throw new DomainError("CONFLICT", "This idempotencyKey was already used with a different input", ["input", "idempotencyKey"]);
    const receiptId = record.result.receiptId as string | null;
    return { subject, receipt: receiptId ? await m.findOneBy(ConsentReceipt, { id: receiptId }) : null };
  }

  private async policyVersionInForce(m: EntityManager, at: Date): Promise<number> {
    const [current] = await m.getRepository(PrivacyPolicy).createQueryBuilder("p").select(["p.version"])
      .where("p.effective_at <= :at", { at }).orderBy("p.version", "DESC").limit(1).getMany();
    return current?.version ?? 0;
  }

  /** ISO/IEC TS 27560-aligned: record id, controller, subject, jurisdiction, policy, channel, purposes. */
  private receiptPayload(
    id: string, subject: Subject, changes: Array<{ a: EffectiveConsent; b: EffectiveConsent; purpose: ConsentCatalog["purposes"][number]; eventId: string }>,
    channel: Channel, policyVersion: number, at: Date,
  ): Record<string, unknown> {
    return {
      schema: "ISO/IEC TS 27560:2023 consent record",
      recordId: toGlobalId("ConsentReceipt", id),
      issuedAt: at.toISOString(),
      controller: { name: this.config.controllerName },
      subject: { id: toGlobalId("Subject", subject.id), externalId: subject.externalId },
      jurisdiction: this.subjects.rules(subject).code,
      policyVersion,
      channel,
      globalPrivacyControl: subject.gpc,
      purposes: changes.map(({ a, b, purpose, eventId }) => ({
        purpose: purpose.key,
        name: purpose.name,
        dpvIri: purpose.dpvIri,
        legalBasis: purpose.legalBasis,
        status: a.status,
        previousStatus: b.status,
        source: a.source,
        event: toGlobalId("ConsentEvent", eventId),
      })),
    };
  }
}
