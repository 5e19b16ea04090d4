import { GppModel } from "@iabgpp/cmpapi";
import { RegulatedUse } from "../catalog";
import { ConsentStatus } from "./consent.enums";
import { isGpcPurpose, type EffectiveConsent } from "./effective-consent";

// The IAB Global Privacy Platform string with the US National section (usnat, section 7,
// version 2) and its GPC sub-section, encoded with IAB Tech Lab's own library. Values per the
// usnat spec: notices 1 = given, 0 = not applicable; opt-outs 1 = opted out, 2 = did not,
// 0 = not applicable; sensitive-data slots 1 = no consent, 2 = consent, 0 = not processed.

export interface GppInputs {
  purposes: Array<{ id: string; regulatedUses: RegulatedUse[]; sensitiveSlots: number[] }>;
  consents: EffectiveConsent[];
  hasSharingAgreements: boolean;
  gpc: boolean;
  mspaCoveredTransaction: boolean;
  /** A known minor under their law: which KnownChildSensitiveDataConsents slot is theirs. */
  childSlot: ChildSlot | null;
}

/** usnat v2 KnownChildSensitiveDataConsents, in the spec's order: ages 13-16, under 13, 16-17. */
export enum ChildSlot {
  AGE_13_TO_16 = 0,
  UNDER_13 = 1,
  AGE_16_TO_17 = 2,
}

/** The GPP string with no section: for people outside the US, whom usnat does not cover. */
export const HEADER_ONLY_GPP = new GppModel().encode();

export function usnatGppString(input: GppInputs): string {
  const status = new Map(input.consents.map((c) => [c.purposeId, c.status]));
  const withUse = (use: RegulatedUse) => input.purposes.filter((p) => p.regulatedUses.includes(use));
  const notice = (use: RegulatedUse) => (withUse(use).length > 0 ? 1 : 0);
  const optOut = (use: RegulatedUse) => {
    const purposes = withUse(use);
    if (purposes.length === 0) return 0;
    return purposes.some((p) => status.get(p.id) === ConsentStatus.DENIED) ? 1 : 2;
  };
  const slots = Array.from({ length: 16 }, (_, i) => {
    const users = input.purposes.filter((p) => p.sensitiveSlots.includes(i + 1));
    if (users.length === 0) return 0;
    return users.some((p) => status.get(p.id) === ConsentStatus.GRANTED) ? 2 : 1;
  });

  const model = new GppModel();
  const set = (field: string, value: unknown) => model.setFieldValue("usnat", field, value);
  set("SharingNotice", input.hasSharingAgreements ? 1 : 0);
  set("SaleOptOutNotice", notice(RegulatedUse.SALE));
  set("SharingOptOutNotice", notice(RegulatedUse.CROSS_CONTEXT_BEHAVIORAL_ADVERTISING));
  set("TargetedAdvertisingOptOutNotice", notice(RegulatedUse.TARGETED_ADVERTISING));
  set("SensitiveDataProcessingOptOutNotice", notice(RegulatedUse.SENSITIVE_DATA));
  set("SensitiveDataLimitUseNotice", notice(RegulatedUse.SENSITIVE_DATA));
  set("SaleOptOut", optOut(RegulatedUse.SALE));
  set("SharingOptOut", optOut(RegulatedUse.CROSS_CONTEXT_BEHAVIORAL_ADVERTISING));
  set("TargetedAdvertisingOptOut", optOut(RegulatedUse.TARGETED_ADVERTISING));
  set("SensitiveDataProcessing", slots);
  set("KnownChildSensitiveDataConsents", childConsents(input, status));
  set("PersonalDataConsents", 0);
  set("MspaCoveredTransaction", input.mspaCoveredTransaction ? 1 : 2);
  set("MspaOptOutOptionMode", 0);
  set("MspaServiceProviderMode", 0);
  set("GpcSegmentIncluded", true);
  set("Gpc", input.gpc);
  return model.encode();
}

/**
 * 0 (not applicable) except the known minor's own slot: 2 when they (or a parent) said yes to a
 * sale or advertising purpose, which their law makes opt-in for them, else 1.
 */
function childConsents(input: GppInputs, status: Map<string, ConsentStatus>): number[] {
  const slots = [0, 0, 0];
  if (input.childSlot === null) return slots;
  const optIn = input.purposes.filter(isGpcPurpose);
  slots[input.childSlot] = optIn.some((p) => status.get(p.id) === ConsentStatus.GRANTED) ? 2 : 1;
  return slots;
}
