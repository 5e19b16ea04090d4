import type { EntityManager } from "typeorm";
import type { Config } from "../../config";
import { appendAudit } from "../../kernel/audit/audit-log";
import type { Database } from "../../kernel/db/database";
import { DomainError, ForbiddenError } from "../../kernel/errors";
import { requestFingerprint } from "../../kernel/idempotency/fingerprint";
import { withIdempotency } from "../../kernel/idempotency/idempotency";
import { newId } from "../../kernel/ids";
import type { PersonalDataHolder } from "../../kernel/personal-data";
import { actorOf, type Principal, Role } from "../../kernel/principal";
import type { ReceiptSigner } from "../../kernel/signer";
import { DEFAULT_LOCALE, resolveLocale } from "../../kernel/text/locale";
import { ConsentMode, PersonalizationLevel, PrivacyPolicy, type AgeBracket, type Purpose } from "../catalog";
import { isKnownJurisdictionCode, type PeopleService, type PersonRef, Subject } from "../people";
import { choiceMap, diff, eventsOf, evaluateAll, type ConsentDiff, type Plan, type Snapshot } from "./consent-change";
import { ConsentEvent } from "./consent-event.entity";
import { buildReceipt } from "./consent-receipt";
import { ConsentReceipt } from "./consent-receipt.entity";
import { ConsentState } from "./consent-state.entity";
import { Channel, ConsentSource, ConsentStatus } from "./consent.enums";
import { loadConsentCatalog } from "./consent.loaders";
import { gpcApplies, gpcCovers, offForChild } from "./effective-consent";

export { choiceMap, evaluateAll };
export type { PersonRef };

/** The input as a retry would send it: a spelled-out default (confirmGpcOverride: false, locale: "en") is no different call. */
function requestHash(operation: string, input: Record<string, unknown>): string {
  const { confirmGpcOverride, locale, ...rest } = input;
  const given = { ...rest, ...(confirmGpcOverride ? { confirmGpcOverride } : {}) };
  return requestFingerprint({ operation, input: locale && locale !== DEFAULT_LOCALE ? { ...given, locale } : given });
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

const SOURCE_OF: Partial<Record<Role, ConsentSource>> = {
  [Role.SUBJECT]: ConsentSource.USER,
  [Role.SERVICE]: ConsentSource.SERVICE,
  [Role.ADMIN]: ConsentSource.ADMIN,
};

/**
 * Every consent change: validates, computes the effective state before and after by the rules of
 * DESIGN §5, and writes — in one transaction, with the person's row locked — one event per
 * purpose whose status or source changes, one signed receipt, and one audit entry. A call that
 * changes nothing writes nothing.
 */
export class ConsentService implements PersonalDataHolder {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly people: PeopleService,
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
      if (subjectExternalId && subjectExternalId !== principal.externalId)
        throw new ForbiddenError("A person can only change their own consent");
      return { externalId: principal.externalId!, jurisdiction: principal.jurisdiction ?? null };
    }
    if (!subjectExternalId)
      throw new DomainError("INVALID", "Name the person with subjectExternalId", ["input", "subjectExternalId"]);
    return { externalId: subjectExternalId, jurisdiction: null };
  }

  updateConsents(
    call: Call,
    subject: PersonRef,
    changes: Array<{ purpose: string; granted: boolean }>,
    confirmGpcOverride: boolean,
  ): Promise<ConsentResult> {
    return this.commit(call, subject, (s) => {
      const seen = new Set<string>();
      const wanted = changes.map((change, i) => {
        const field = ["input", "changes", String(i), "purpose"];
        const purpose = s.catalog.byKey.get(change.purpose);
        if (!purpose) throw new DomainError("NOT_FOUND", `No purpose with key "${change.purpose}"`, field);
        if (seen.has(purpose.key))
          throw new DomainError("INVALID", `Purpose "${purpose.key}" appears more than once`, field);
        seen.add(purpose.key);
        if (purpose.defaultMode === ConsentMode.ESSENTIAL)
          throw new DomainError("INVALID", `"${purpose.key}" is essential to the service and cannot be changed`, field);
        return { purposeId: purpose.id, granted: change.granted };
      });
      return this.choices(call, s, wanted, confirmGpcOverride, ["input", "changes"]);
    });
  }

  async setPersonalizationLevel(
    call: Call,
    subject: PersonRef,
    level: number,
    confirmGpcOverride: boolean,
  ): Promise<ConsentResult> {
    const found = await this.db.manager.findOne(PersonalizationLevel, {
      where: { level },
      relations: { purposes: true },
    });
    if (!found) throw new DomainError("NOT_FOUND", `No personalization level ${level}`, ["input", "level"]);
    const included = new Set(found.purposes!.map((p) => p.id));
    return this.commit(call, subject, (s) =>
      this.choices(
        call,
        s,
        this.refusable(s).map((p) => ({ purposeId: p.id, granted: included.has(p.id) })),
        confirmGpcOverride,
        ["input", "level"],
      ),
    );
  }

  optOutOfAll(call: Call, subject: PersonRef): Promise<ConsentResult> {
    return this.commit(call, subject, (s) =>
      this.choices(
        call,
        s,
        this.refusable(s).map((p) => ({ purposeId: p.id, granted: false })),
        false,
        ["input"],
      ),
    );
  }

  /** Sets or clears the person's Global Privacy Control signal. */
  recordGpc(call: Call, subject: PersonRef, enabled: boolean): Promise<ConsentResult> {
    return this.commit(call, subject, () => ({ choices: new Map(), gpc: enabled }));
  }

  /** A subject's request carrying Sec-GPC: 1: sets the signal (channel WEB) unless already set. */
  async applyGpcSignal(principal: Principal): Promise<Subject> {
    const existing = await this.people.find(principal.externalId!);
    if (existing?.gpc) return existing;
    return (
      await this.recordGpc(
        { principal, operation: "globalPrivacyControl", input: { enabled: true }, channel: Channel.WEB },
        this.target(principal, null),
        true,
      )
    ).subject;
  }

  /** Where the person lives and how old they are, as the business knows it; defaults follow. */
  setFacts(
    call: Call,
    subject: PersonRef,
    facts: { jurisdiction?: string | null; ageBracket?: AgeBracket | null },
  ): Promise<ConsentResult> {
    const { jurisdiction: jurisdictionCode, ageBracket } = facts;
    if (typeof jurisdictionCode === "string" && !isKnownJurisdictionCode(jurisdictionCode)) {
      const hint = "use an ISO 3166-1 alpha-2 country code (DE), a US state (US-CA), CA-QC, EU, or UNKNOWN";
      const message = `"${jurisdictionCode}" is not a country or region code Candor knows; ${hint}`;
      throw new DomainError("INVALID", message, ["input", "jurisdiction"]);
    }
    return this.commit(call, subject, () => ({ choices: new Map(), jurisdictionCode, ageBracket }));
  }

  /**
   * Withdraws, as the person's own choice, every refusable purpose that `matches` (a data request
   * to opt out of sale, or to limit sensitive data). Writes nothing when none matches.
   */
  async optOutWhere(
    principal: Principal,
    subject: Pick<Subject, "externalId" | "jurisdictionCode">,
    operation: string,
    matches: (purpose: Purpose, usesSensitiveData: boolean) => boolean,
  ): Promise<void> {
    const catalog = await loadConsentCatalog(this.db.manager);
    const keys = catalog.purposes
      .filter((p, i) => p.defaultMode !== ConsentMode.ESSENTIAL && matches(p, catalog.facts[i].usesSensitiveData))
      .map((p) => p.key);
    if (keys.length === 0) return;
    await this.updateConsents(
      { principal, operation, input: { keys }, channel: Channel.API },
      { externalId: subject.externalId, jurisdiction: subject.jurisdictionCode },
      keys.map((purpose) => ({ purpose, granted: false })),
      false,
    );
  }

  /** Deletion: the person's consent history goes; their refusals stay, so a "no" stands. */
  async forgetPerson(m: EntityManager, subjectId: string): Promise<void> {
    await m.delete(ConsentEvent, { subjectId });
    await m.delete(ConsentReceipt, { subjectId });
    await m.delete(ConsentState, { subjectId, status: ConsentStatus.GRANTED });
  }

  private refusable(s: Snapshot) {
    return s.catalog.purposes.filter((p) => p.defaultMode !== ConsentMode.ESSENTIAL);
  }

  /** Explicit choices; a grant that would override GPC needs the person's own confirmation. */
  private choices(
    call: Call,
    s: Snapshot,
    wanted: Array<{ purposeId: string; granted: boolean }>,
    confirm: boolean,
    field: string[],
  ): Plan {
    const gpcOn = gpcApplies(s.person, this.config.gpcScope);
    const plan: Plan = { choices: new Map() };
    for (const { purposeId, granted } of wanted) {
      const facts = s.catalog.facts.find((f) => f.id === purposeId)!;
      const key = s.catalog.purposes.find((p) => p.id === purposeId)!.key;
      if (granted && offForChild(facts, s.person))
        throw new DomainError("INVALID", `"${key}" profiles the person and stays off for a child under 13`, field);
      const overridesGpc = granted && gpcOn && gpcCovers(facts, s.person);
      if (overridesGpc && !(confirm && call.principal.role === Role.SUBJECT)) {
        throw new DomainError(
          "GPC_CONFIRMATION_REQUIRED",
          call.principal.role === Role.SUBJECT
            ? `Your browser's Global Privacy Control signal opts you out of "${key}"; to turn it on anyway, confirm with confirmGpcOverride: true`
            : `The person's Global Privacy Control signal opts them out of "${key}"; only the person can confirm turning it on`,
          ["input", "confirmGpcOverride"],
        );
      }
      plan.choices.set(purposeId, {
        status: granted ? ConsentStatus.GRANTED : ConsentStatus.DENIED,
        gpcOverridden: overridesGpc,
      });
    }
    return plan;
  }

  /** One consent call, in named steps, inside one transaction with the person's row locked. */
  private async commit(call: Call, who: PersonRef, planner: (s: Snapshot) => Plan): Promise<ConsentResult> {
    const caller = actorOf(call.principal);
    const afterCommit: Array<() => void> = [];
    const result = await this.db.transaction(async (m) => {
      const { subject, created } = await this.people.lockOrCreate(m, who, new Date());
      const creation = this.people.creationEntries(caller, created ? [subject] : []);
      return withIdempotency(m, {
        caller,
        subjectId: subject.id,
        key: call.idempotencyKey,
        requestHash: requestHash(call.operation, call.input),
        field: ["input", "idempotencyKey"],
        replay: async (stored) => this.replay(m, subject, stored.receiptId as string | null),
        run: async (remember) => {
          const snapshot = await this.snapshot(m, subject);
          const change = await this.diff(m, call, snapshot, planner(snapshot));
          if (change.isEmpty) {
            await appendAudit(m, creation, change.now);
            return { subject, receipt: null };
          }
          const { receipt, events } = await this.write(m, call, change);
          await remember({ receiptId: receipt?.id ?? null });
          await appendAudit(m, [...creation, this.auditEntry(caller, call, change, events, receipt)], change.now);
          afterCommit.push(...(await this.notifyListeners(m, change)));
          return { subject: change.next, receipt };
        },
      });
    });
    for (const then of afterCommit) then();
    return result;
  }

  /** The same key with the same input returns the first result. */
  private async replay(m: EntityManager, subject: Subject, receiptId: string | null): Promise<ConsentResult> {
    return { subject, receipt: receiptId ? await m.findOneBy(ConsentReceipt, { id: receiptId }) : null };
  }

  private async snapshot(m: EntityManager, subject: Subject): Promise<Snapshot> {
    const catalog = await loadConsentCatalog(m);
    const choices = choiceMap(await m.findBy(ConsentState, { subjectId: subject.id }));
    const person = this.people.person(subject);
    return { subject, catalog, person, choices, before: evaluateAll(catalog, person, choices, this.config) };
  }

  private async diff(m: EntityManager, call: Call, snapshot: Snapshot, plan: Plan): Promise<ConsentDiff> {
    const now = new Date();
    const context = {
      now,
      policyVersion: await this.policyVersionInForce(m, now),
      source: SOURCE_OF[call.principal.role] ?? ConsentSource.USER,
      config: this.config,
    };
    return diff(snapshot, plan, context, (s) => this.people.person(s));
  }

  /** The person's row, their choices, one receipt for the changed purposes and one event each. */
  private async write(m: EntityManager, call: Call, d: ConsentDiff) {
    const { next, now } = d;
    if (d.subjectChanged) {
      const { gpc, gpcAt, jurisdictionCode, ageBracket } = next;
      const fields = { gpc, gpcAt, jurisdictionCode, ageBracket, updatedAt: now };
      await m.update(Subject, { id: next.id }, fields);
    }
    // The person's choices are kept whenever the call writes anything, even those that GPC
    // currently hides, so that clearing the signal brings back what the person chose.
    if (d.newChoices.length > 0) await m.upsert(ConsentState, d.newChoices, ["subjectId", "purposeId"]);
    const receiptId = d.needsReceipt ? newId() : null;
    const events = eventsOf(d, call.channel, receiptId);
    let receipt: ConsentReceipt | null = null;
    if (receiptId) {
      const jws = await this.signer.sign(
        await buildReceipt(m, {
          id: receiptId,
          diff: d,
          events,
          channel: call.channel,
          actor: actorOf(call.principal),
          jurisdiction: this.people.rules(next),
          locale: resolveLocale(call.input.locale as string | null | undefined),
        }),
      );
      receipt = Object.assign(new ConsentReceipt(), { id: receiptId, subjectId: next.id, issuedAt: now, jws });
      await m.insert(ConsentReceipt, receipt);
    }
    if (events.length > 0) await m.insert(ConsentEvent, events);
    return { receipt, events };
  }

  private auditEntry(
    caller: string,
    call: Call,
    d: ConsentDiff,
    events: ConsentEvent[],
    receipt: ConsentReceipt | null,
  ) {
    const { gpc, jurisdictionCode: jurisdiction, ageBracket } = d.next;
    const subjectFields = d.subjectChanged ? { gpc, jurisdiction, ageBracket } : {};
    return {
      actor: caller,
      action: `consent.${call.operation}`,
      entityType: "Subject",
      entityId: d.next.id,
      detail: { events: events.map((e) => e.id), receipt: receipt?.id ?? null, ...subjectFields },
    };
  }

  /**
   * After the audit head is locked: whatever listeners append (partner signals) then gets its
   * sequence numbers in commit order, so a feed read by sequence never skips a row.
   */
  private async notifyListeners(m: EntityManager, d: ConsentDiff): Promise<Array<() => void>> {
    const change: ConsentChange = {
      subjectId: d.next.id,
      at: d.now,
      changes: d.changed.map(({ after: a, before: b }) => ({
        purposeId: a.purposeId,
        before: b.status,
        after: a.status,
        source: a.source,
      })),
    };
    const then: Array<() => void> = [];
    for (const listener of this.listeners) {
      const work = await listener.afterChange(m, change);
      if (work) then.push(work);
    }
    return then;
  }

  private async policyVersionInForce(m: EntityManager, at: Date): Promise<number> {
    const [current] = await m
      .getRepository(PrivacyPolicy)
      .createQueryBuilder("p")
      .select(["p.version"])
      .where("p.effective_at <= :at", { at })
      .orderBy("p.version", "DESC")
      .limit(1)
      .getMany();
    return current?.version ?? 0;
  }
}
