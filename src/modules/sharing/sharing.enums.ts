import { registerEnumType } from "type-graphql";

/** A signal a partner must act on for a person whose data it received. */
export enum PartnerSignalKind {
  OPT_OUT_OF_SALE = "OPT_OUT_OF_SALE",
  OPT_OUT_OF_SHARING = "OPT_OUT_OF_SHARING",
  CONSENT_WITHDRAWN = "CONSENT_WITHDRAWN",
  DELETION_REQUESTED = "DELETION_REQUESTED",
  GPC_RECEIVED = "GPC_RECEIVED",
}

registerEnumType(PartnerSignalKind, {
  name: "PartnerSignalKind",
  description: "A signal a partner must act on for a person whose data it received.",
});
