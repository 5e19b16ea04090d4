import { registerEnumType } from "type-graphql";

// Closed sets of the catalog, shared by the GraphQL schema, the catalog file checker and the
// services. Values are stored as these strings.

export enum LegalBasis {
  CONSENT = "CONSENT",
  LEGITIMATE_INTEREST = "LEGITIMATE_INTEREST",
  CONTRACT = "CONTRACT",
  LEGAL_OBLIGATION = "LEGAL_OBLIGATION",
}

export enum ConsentMode {
  OPT_IN = "OPT_IN",
  OPT_OUT = "OPT_OUT",
  ESSENTIAL = "ESSENTIAL",
}

export enum RegulatedUse {
  SALE = "SALE",
  CROSS_CONTEXT_BEHAVIORAL_ADVERTISING = "CROSS_CONTEXT_BEHAVIORAL_ADVERTISING",
  TARGETED_ADVERTISING = "TARGETED_ADVERTISING",
  PROFILING = "PROFILING",
  SENSITIVE_DATA = "SENSITIVE_DATA",
}

export enum RecommenderMode {
  PERSONALIZED = "PERSONALIZED",
  NON_PROFILING = "NON_PROFILING",
}

export enum DecisionKind {
  RECOMMENDATION = "RECOMMENDATION",
  RANKING = "RANKING",
  DYNAMIC_CONTENT = "DYNAMIC_CONTENT",
  DYNAMIC_PRICE = "DYNAMIC_PRICE",
  AD = "AD",
  EMAIL_OFFER = "EMAIL_OFFER",
  SEARCH_RESULT = "SEARCH_RESULT",
}

export enum HumanInvolvement {
  NONE = "NONE",
  REVIEWED = "REVIEWED",
  INVOLVED = "INVOLVED",
}

export enum PartnerRole {
  SERVICE_PROVIDER = "SERVICE_PROVIDER",
  CONTRACTOR = "CONTRACTOR",
  THIRD_PARTY = "THIRD_PARTY",
  DATA_BROKER = "DATA_BROKER",
  ADVERTISER = "ADVERTISER",
}

export enum Safeguard {
  CONTRACT = "CONTRACT",
  ENCRYPTION_IN_TRANSIT = "ENCRYPTION_IN_TRANSIT",
  ENCRYPTION_AT_REST = "ENCRYPTION_AT_REST",
  PSEUDONYMIZATION = "PSEUDONYMIZATION",
  AGGREGATION = "AGGREGATION",
  ACCESS_CONTROLS = "ACCESS_CONTROLS",
  DELETION_ON_REQUEST = "DELETION_ON_REQUEST",
  AUDIT_RIGHTS = "AUDIT_RIGHTS",
}

registerEnumType(LegalBasis, { name: "LegalBasis" });
registerEnumType(ConsentMode, {
  name: "ConsentMode",
  description: "How a purpose is switched on before the person chooses.",
  valuesConfig: {
    OPT_IN: { description: "Off until the person says yes." },
    OPT_OUT: { description: "On until the person says no." },
    ESSENTIAL: { description: "Needed to provide the service; cannot be refused, only disclosed." },
  },
});
registerEnumType(RegulatedUse, {
  name: "RegulatedUse",
  description: "How US state privacy laws classify a use of data.",
});
registerEnumType(RecommenderMode, { name: "RecommenderMode" });
registerEnumType(DecisionKind, { name: "DecisionKind" });
registerEnumType(HumanInvolvement, { name: "HumanInvolvement" });
registerEnumType(PartnerRole, { name: "PartnerRole" });
registerEnumType(Safeguard, { name: "Safeguard" });
