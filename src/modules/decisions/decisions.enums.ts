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
  HIDE_SPONSOR = "HIDE_SPONSOR",
}

/** Whether a factor pushed the decision towards showing the item, or away from it. */
export enum FactorDirection {
  RAISED = "RAISED",
  LOWERED = "LOWERED",
}

registerEnumType(FactorKind, { name: "FactorKind" });
registerEnumType(FactorDirection, {
  name: "FactorDirection",
  description: "Whether a factor pushed the decision towards showing the item, or away from it.",
});
registerEnumType(SourceClass, { name: "SourceClass", description: "Where the data behind a factor came from." });
registerEnumType(ControlKind, { name: "ControlKind" });
