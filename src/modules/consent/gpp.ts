import { GppModel } from "@iabgpp/cmpapi";
import { RegulatedUse } from "../catalog";
import { ConsentStatus } from "./consent.enums";
import type { EffectiveConsent } from "./effective-consent";

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
}

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
  set("KnownChildSensitiveDataConsents", [0, 0, 0]);
  set("PersonalDataConsents", 0);
  set("MspaCoveredTransaction", input.mspaCoveredTransaction ? 1 : 2);
  set("MspaOptOutOptionMode", 0);
  set("MspaServiceProviderMode", 0);
  set("GpcSegmentIncluded", true);
  set("Gpc", input.gpc);
  return model.encode();
}
