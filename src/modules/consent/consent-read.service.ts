import type { EntityManager, FindOptionsWhere } from "typeorm";
import type { Config } from "../../config";
import { pageOf } from "../../kernel/graphql/connection";
import { DomainError, notFound } from "../../kernel/errors";
import type { Loaders } from "../../kernel/context";
import { AgeBracket, ConsentMode, isMinor, isUsPlace, UNKNOWN_JURISDICTION } from "../catalog";
import { ConsentEvent } from "./consent-event.entity";
import { ConsentState } from "./consent-state.entity";
import { ConsentStatus } from "./consent.enums";
import { choiceMap, evaluateAll } from "./consent-change";
import { Consent, ConsentCheck, type ConsentEventConnection } from "./consent.types";
import type { EffectiveConsent } from "./effective-consent";
import { ChildSlot, HEADER_ONLY_GPP, usnatGppString } from "./gpp";
import type { PeopleService, Subject } from "../people";

export const MAX_CHECK_PEOPLE = 500;

/** usnat's child slots by bracket (13-16 is the spec's band for 13-15). */
const CHILD_SLOT: Partial<Record<AgeBracket, ChildSlot>> = {
  [AgeBracket.UNDER_13]: ChildSlot.UNDER_13,
  [AgeBracket.AGE_13_15]: ChildSlot.AGE_13_TO_16,
  [AgeBracket.AGE_16_17]: ChildSlot.AGE_16_TO_17,
};
export const MAX_CHECK_PURPOSES = 100;

/** Reads of consent state, batched through the request's loaders (no statement per person). */
export class ConsentReader {
  constructor(
    private readonly config: Config,
    private readonly people: PeopleService,
    private readonly manager: () => EntityManager,
  ) {}

  /** The policy version in force when the person last chose anything; null if they never chose. */
  async policyVersionOfLastChoice(subjectId: string): Promise<number | null> {
    const order = { policyVersion: "DESC" } as const;
    const [last] = await this.manager().find(ConsentState, { where: { subjectId }, order, take: 1 });
    return last?.policyVersion ?? null;
  }

  /** Effective consent for every purpose, in catalog order. */
  async consentsOf(loaders: Loaders, subject: Subject | null): Promise<EffectiveConsent[]> {
    const [catalog, choices] = await Promise.all([
      loaders.consent.catalog(),
      subject ? loaders.consent.choices.load(subject.id) : [],
    ]);
    return evaluateAll(catalog, this.people.person(subject), choiceMap(choices), this.config);
  }

  async consentFor(loaders: Loaders, subject: Subject, purposeKey: string): Promise<Consent> {
    const catalog = await loaders.consent.catalog();
    const purpose = catalog.byKey.get(purposeKey);
    if (!purpose) throw notFound("purpose", purposeKey, ["purpose"]);
    return Consent.of((await this.consentsOf(loaders, subject)).find((c) => c.purposeId === purpose.id)!);
  }

  /**
   * For the engine: each person's consent for the purposes asked about. An unknown person gets the
   * defaults (jurisdiction UNKNOWN unless configured) and nothing is created.
   */
  async check(loaders: Loaders, externalIds: string[], purposeKeys: string[]): Promise<ConsentCheck[]> {
    if (externalIds.length > MAX_CHECK_PEOPLE)
      throw new DomainError("LIMIT_EXCEEDED", `At most ${MAX_CHECK_PEOPLE} people per call`, ["subjectExternalIds"]);
    if (purposeKeys.length > MAX_CHECK_PURPOSES)
      throw new DomainError("LIMIT_EXCEEDED", `At most ${MAX_CHECK_PURPOSES} purposes per call`, ["purposes"]);
    if (purposeKeys.length === 0) throw new DomainError("INVALID", "Name at least one purpose", ["purposes"]);
    const catalog = await loaders.consent.catalog();
    const ids = purposeKeys.map((key, i) => {
      const purpose = catalog.byKey.get(key);
      if (!purpose) throw notFound("purpose", key, ["purposes", String(i)]);
      return purpose.id;
    });
    const people = await loaders.people.subjectByExternalId.loadMany(externalIds);
    return Promise.all(
      externalIds.map(async (externalId, i) => {
        const subject = people[i] instanceof Error ? null : (people[i] as Subject | null);
        const all = await this.consentsOf(loaders, subject);
        const consents = ids.map((id) => Consent.of(all.find((c) => c.purposeId === id)!));
        return Object.assign(new ConsentCheck(), {
          subjectExternalId: externalId,
          consents,
          allGranted: consents.every((c) => c.status === ConsentStatus.GRANTED),
        });
      }),
    );
  }

  /** Newest first. */
  async history(
    loaders: Loaders,
    subject: Subject,
    first: number,
    after: string | null | undefined,
    purposeKey: string | null | undefined,
  ): Promise<ConsentEventConnection> {
    const where: FindOptionsWhere<ConsentEvent> = { subjectId: subject.id };
    if (purposeKey) {
      const purpose = (await loaders.consent.catalog()).byKey.get(purposeKey);
      if (!purpose) throw notFound("purpose", purposeKey, ["purpose"]);
      where.purposeId = purpose.id;
    }
    return pageOf(this.manager(), ConsentEvent, where, first, after);
  }

  /** The level whose purposes are exactly the granted refusable ones, else null. */
  async personalizationLevel(loaders: Loaders, subject: Subject): Promise<number | null> {
    const [consents, catalog] = await Promise.all([this.consentsOf(loaders, subject), loaders.consent.catalog()]);
    const refusable = new Set(catalog.purposes.filter((p) => p.defaultMode !== ConsentMode.ESSENTIAL).map((p) => p.id));
    const granted = consents
      .filter((c) => refusable.has(c.purposeId) && c.status === ConsentStatus.GRANTED)
      .map((c) => c.purposeId)
      .sort();
    const levels = (await loaders.catalog.catalog()).levels.list;
    const members = await loaders.catalog.levelPurposes.loadMany(levels.map((l) => l.id));
    const match = levels.find((_, i) => {
      const ids = members[i].map((p) => p.id).sort();
      return ids.length === granted.length && ids.every((id, j) => id === granted[j]);
    });
    return match?.level ?? null;
  }

  /**
   * usnat for people in the US, and for those whose place is unknown (who may be: the strict
   * values then say no to everything); the header alone (DESIGN §9) for people elsewhere.
   */
  async gppString(loaders: Loaders, subject: Subject): Promise<string> {
    const person = this.people.person(subject);
    if (!isUsPlace(person.place) && person.place !== UNKNOWN_JURISDICTION) return HEADER_ONLY_GPP;
    const [consents, catalog, live] = await Promise.all([
      this.consentsOf(loaders, subject),
      loaders.consent.catalog(),
      loaders.catalog.catalog(),
    ]);
    const categories = await loaders.catalog.purposeDataCategories.loadMany(catalog.purposes.map((p) => p.id));
    return usnatGppString({
      purposes: catalog.purposes.map((p, i) => ({
        id: p.id,
        regulatedUses: p.regulatedUses,
        sensitiveSlots: categories[i].map((c) => c.gppSensitiveSlot).filter((s): s is number => s !== null),
      })),
      consents,
      hasSharingAgreements: live.agreements.list.length > 0,
      gpc: subject.gpc,
      mspaCoveredTransaction: this.config.mspaCoveredTransaction,
      childSlot: isMinor(person.ageBracket, person.rules.minorOptInAge)
        ? (CHILD_SLOT[person.ageBracket] ?? null)
        : null,
    });
  }
}
