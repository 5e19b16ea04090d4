import { registerEnumType } from "type-graphql";

export enum FactorKind {
  BEHAVIORAL = "BEHAVIORAL",
  PREDICTIVE = "PREDICTIVE",
  GEOGRAPHIC = "GEOGRAPHIC",
  DEMOGRAPHIC = "DEMOGRAPHIC",
  CONTEXTUAL = "CONTEXTUAL",
  SOCIAL = "SOCIAL",
  POPULARITY = "POPULARITY",
  RECENCY = "RECENCY",
  ADVERTISER_TARGETING = "ADVERTISER_TARGETING",
  BUSINESS_RULE = "BUSINESS_RULE",
}

/** Where the data behind a factor came from. */
export enum SourceClass {
  DECLARED = "DECLARED",
  OBSERVED = "OBSERVED",
  INFERRED = "INFERRED",
  PARTNER_PROVIDED = "PARTNER_PROVIDED",
  CONTEXTUAL = "CONTEXTUAL",
}

export enum ControlKind {
  WITHDRAW_CONSENT = "WITHDRAW_CONSENT",
  SWITCH_TO_NON_PROFILING = "SWITCH_TO_NON_PROFILING",
  REQUEST_DELETION = "REQUEST_DELETION",
  REQUEST_CORRECTION = "REQUEST_CORRECTION",
}

registerEnumType(FactorKind, { name: "FactorKind" });
registerEnumType(SourceClass, { name: "SourceClass", description: "Where the data behind a factor came from." });
registerEnumType(ControlKind, { name: "ControlKind" });
