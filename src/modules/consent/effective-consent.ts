import type { GpcScope } from "../../config";
import { ConsentMode, RegulatedUse, type Jurisdiction } from "../catalog";
import { ConsentSource, ConsentStatus } from "./consent.enums";

// The four rules of DESIGN §5, in order, as one pure function: everything that decides a
// person's consent for a purpose is an argument, so each rule is testable on its own.

/** Uses that a Global Privacy Control signal opts out of. */
export const GPC_USES: readonly RegulatedUse[] = [
  RegulatedUse.SALE,
  RegulatedUse.CROSS_CONTEXT_BEHAVIORAL_ADVERTISING,
  RegulatedUse.TARGETED_ADVERTISING,
];

export interface PurposeFacts {
  id: string;
  defaultMode: ConsentMode;
  regulatedUses: RegulatedUse[];
  /** True when one of its data categories is sensitive. */
  usesSensitiveData: boolean;
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
  // 2. Global Privacy Control opts out of sale and advertising, unless the person confirmed a
  //    grant after the signal was recorded.
  if (gpcApplies(person, scope) && isGpcPurpose(purpose)) {
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
  // 4. The default, with opt-in for sensitive data where the law (or an unknown place) needs it.
  const sensitiveOptIn = purpose.usesSensitiveData && person.rules.sensitiveDataMode === ConsentMode.OPT_IN;
  const granted = purpose.defaultMode === ConsentMode.OPT_OUT && !sensitiveOptIn;
  return { ...base, status: granted ? ConsentStatus.GRANTED : ConsentStatus.DENIED, source: ConsentSource.DEFAULT };
}
