import type { GpcScope } from "../../config";
import { AgeBracket, ConsentMode, isChild, isMinor, RegulatedUse, type Jurisdiction } from "../catalog";
import { ConsentSource, ConsentStatus } from "./consent.enums";

// The rules of DESIGN §5 and §9, in order, as one pure function: everything that decides a
// person's consent for a purpose is an argument, so each rule is testable on its own.

/** Uses that a Global Privacy Control signal opts out of. */
export const GPC_USES: readonly RegulatedUse[] = [
  RegulatedUse.SALE,
  RegulatedUse.CROSS_CONTEXT_BEHAVIORAL_ADVERTISING,
  RegulatedUse.TARGETED_ADVERTISING,
];

/** Uses that build on a profile of the person: off for a child under 13, whoever says yes. */
const PROFILING_USES: readonly RegulatedUse[] = [
  RegulatedUse.PROFILING,
  RegulatedUse.CROSS_CONTEXT_BEHAVIORAL_ADVERTISING,
  RegulatedUse.TARGETED_ADVERTISING,
];

export interface PurposeFacts {
  id: string;
  defaultMode: ConsentMode;
  regulatedUses: RegulatedUse[];
  /** True when one of its data categories is sensitive. */
  usesSensitiveData: boolean;
  /** Profiling whose end is marketing (its DPV purpose is advertising or marketing). */
  profilingForAds: boolean;
}

export interface ExplicitChoice {
  status: ConsentStatus;
  source: ConsentSource;
  gpcOverridden: boolean;
  updatedAt: Date;
  policyVersion: number;
}

export interface PersonFacts {
  rules: Jurisdiction;
  ageBracket: AgeBracket;
  gpc: boolean;
  gpcAt: Date | null;
}

export interface EffectiveConsent {
  purposeId: string;
  status: ConsentStatus;
  source: ConsentSource;
  gpcOverridden: boolean;
  policyVersion: number | null;
  updatedAt: Date | null;
}

export const isGpcPurpose = (p: Pick<PurposeFacts, "regulatedUses">) =>
  p.regulatedUses.some((u) => GPC_USES.includes(u));

/**
 * Sale and advertising as an opt-in law sees them: sale, sharing for ads, targeted ads, and
 * profiling for marketing (Art. 21(2) GDPR names profiling for direct marketing with it).
 */
const isAdvertising = (p: PurposeFacts) =>
  isGpcPurpose(p) || (p.profilingForAds && p.regulatedUses.includes(RegulatedUse.PROFILING));

/** What GPC objects to: sale and ads; where they are opt-in, profiling for ads too (Art. 21(5) GDPR). */
export const gpcCovers = (p: PurposeFacts, person: Pick<PersonFacts, "rules">) =>
  person.rules.optInForSaleAndAdvertising ? isAdvertising(p) : isGpcPurpose(p);

/** A child under 13: no profiling at all, so no grant can turn it on. */
export const offForChild = (p: Pick<PurposeFacts, "regulatedUses">, person: Pick<PersonFacts, "ageBracket">) =>
  isChild(person.ageBracket) && p.regulatedUses.some((u) => PROFILING_USES.includes(u));

/** Whether the law makes this refusable purpose wait for a yes, for this person. */
function needsOptIn(p: PurposeFacts, person: PersonFacts): boolean {
  const { rules } = person;
  if (rules.optInForEverything) return true;
  if (rules.optInForSaleAndAdvertising && isAdvertising(p)) return true;
  if (isMinor(person.ageBracket, rules.minorOptInAge) && isGpcPurpose(p)) return true;
  return p.usesSensitiveData && rules.sensitiveDataMode === ConsentMode.OPT_IN;
}

export function gpcApplies(person: PersonFacts, scope: GpcScope): boolean {
  return person.gpc && (scope === "everywhere" || person.rules.honorsGlobalPrivacyControl);
}

export function effectiveConsent(
  purpose: PurposeFacts,
  person: PersonFacts,
  choice: ExplicitChoice | undefined,
  scope: GpcScope,
): EffectiveConsent {
  const base = {
    purposeId: purpose.id,
    gpcOverridden: false,
    policyVersion: choice?.policyVersion ?? null,
    updatedAt: choice?.updatedAt ?? null,
  };
  // 1. Essential purposes are always on.
  if (purpose.defaultMode === ConsentMode.ESSENTIAL) {
    return {
      ...base,
      status: ConsentStatus.GRANTED,
      source: ConsentSource.DEFAULT,
      policyVersion: null,
      updatedAt: null,
    };
  }
  // 1b. A child under 13 is not profiled: the law's default, that no choice can change.
  if (offForChild(purpose, person)) return { ...base, status: ConsentStatus.DENIED, source: ConsentSource.DEFAULT };
  // 2. Global Privacy Control opts out of sale and advertising, unless the person confirmed a
  //    grant after the signal was recorded.
  if (gpcApplies(person, scope) && gpcCovers(purpose, person)) {
    const overridden =
      choice?.status === ConsentStatus.GRANTED &&
      choice.gpcOverridden &&
      person.gpcAt !== null &&
      choice.updatedAt >= person.gpcAt;
    return overridden
      ? { ...base, status: ConsentStatus.GRANTED, source: ConsentSource.USER, gpcOverridden: true }
      : {
          ...base,
          status: ConsentStatus.DENIED,
          source: ConsentSource.GLOBAL_PRIVACY_CONTROL,
          updatedAt: person.gpcAt,
        };
  }
  // 3. The latest explicit choice.
  if (choice) return { ...base, status: choice.status, source: choice.source };
  // 4. The default: opt-in where the law needs it (sensitive data; sale and ads under an opt-in
  //    law or for a minor; everything in an unknown place), else the purpose's own mode.
  const granted = purpose.defaultMode === ConsentMode.OPT_OUT && !needsOptIn(purpose, person);
  return { ...base, status: granted ? ConsentStatus.GRANTED : ConsentStatus.DENIED, source: ConsentSource.DEFAULT };
}
