// The access export (ACCESS data requests): what is held about a person, organised by topic, with
// a name beside every id and none of Candor's own bookkeeping. Rights owns its shape, its JSON
// Schema and its summary; gathering it needs every domain's records (and app's read models such
// as data use), so app/ implements `AccessExporter` and services.ts wires it in.

import type { Subject } from "../people";

export const EXPORT_LOCALES = ["en", "es"] as const;
export type ExportLocale = (typeof EXPORT_LOCALES)[number];

/** "es", "es-MX", "ES_es" → es; anything else (or nothing) → en, as Explanation.locale does. */
export const exportLocale = (asked: string | null | undefined): ExportLocale =>
  (asked ?? "").toLowerCase().split(/[-_]/)[0] === "es" ? "es" : "en";

/** Where the export's JSON Schema is served (src/http). */
export const ACCESS_EXPORT_SCHEMA_PATH = "/schemas/access-export.json";

/** A catalog object (or a person's own record) named by global id, stable key and human name. */
export interface Named {
  id: string;
  key: string;
  name: string;
}

export interface ExportedChoice {
  at: string;
  status: string;
  previousStatus: string | null;
  source: string;
  channel: string;
  policyVersion: number;
  /** The signed receipt of this change (in `receipts`), if one was issued. */
  receiptId: string | null;
}

export interface ExportedConsent {
  purpose: Named & { description: string };
  status: string;
  /** USER, SERVICE, ADMIN, GPC or DEFAULT: who or what set the status. */
  source: string;
  since: string | null;
  history: ExportedChoice[];
}

export interface ExportedReason {
  text: string;
  share: number;
  direction: string;
  purpose: Named;
  dataCategory: Named;
  sourcePartner: Named | null;
  evidence: Array<{ key: string; value: string }>;
}

export interface ExportedDecision {
  id: string;
  kind: string;
  surface: Named;
  item: { ref: string; label: string };
  occurredAt: string;
  mode: string;
  sponsor: { onBehalfOf: string; paidBy: string | null } | null;
  algorithm: Named;
  explanation: { locale: ExportLocale; headline: string; reasons: ExportedReason[]; counterfactual: string | null };
}

export interface ExportedDataUse {
  dataCategory: Named & { description: string };
  purposes: Named[];
  decisions: number;
  firstUsedAt: string;
  lastUsedAt: string;
  sourcePartners: Named[];
  sharedWith: Named[];
}

export interface ExportedSharing {
  id: string;
  partner: Named & { country: string };
  agreement: { id: string; key: string; reason: string; purpose: Named };
  dataCategories: Named[];
  occurredAt: string;
}

export interface ExportedSignal {
  id: string;
  partner: Named;
  kind: string;
  purpose: Named | null;
  sentAt: string;
  acknowledgedAt: string | null;
}

export interface ExportedReceipt {
  id: string;
  issuedAt: string;
  /** The signed payload, decoded, so the person can read it without tools. */
  content: Record<string, unknown>;
  /** Compact JWS, verifiable with the keys at /.well-known/jwks.json. */
  jws: string;
}

export interface ExportedRequest {
  id: string;
  kind: string;
  status: string;
  receivedAt: string;
  dueAt: string;
  extendedDueAt: string | null;
  completedAt: string | null;
  details: string | null;
  statusReason: string | null;
  extensionReason: string | null;
}

export interface ExportedBreachNotice {
  id: string;
  incident: {
    id: string;
    title: string;
    description: string;
    status: string;
    occurredFrom: string;
    occurredTo: string;
    discoveredAt: string;
    whatWeAreDoing: string;
    whatYouCanDo: string;
  };
  affectedDataCategories: Named[];
  notifiedAt: string;
  acknowledgedAt: string | null;
}

export const EXPORT_TOPICS = [
  "profile",
  "consents",
  "decisions",
  "dataUse",
  "sharing",
  "receipts",
  "requests",
  "breachNotices",
] as const;
export type ExportTopic = (typeof EXPORT_TOPICS)[number];

export interface AccessExport {
  about: {
    format: "candor-access-export";
    version: 1;
    schema: string;
    generatedAt: string;
    locale: ExportLocale;
    /** One plain sentence per topic: what it holds. */
    topics: Record<ExportTopic, string>;
  };
  profile: {
    id: string;
    externalId: string;
    jurisdiction: { code: string; law: string | null };
    globalPrivacyControl: boolean;
    globalPrivacyControlSince: string | null;
    firstSeenAt: string;
    recommenderModes: Array<{ surface: Named; mode: string }>;
    hiddenSponsors: Array<{ sponsor: string; hiddenAt: string }>;
  };
  consents: ExportedConsent[];
  decisions: ExportedDecision[];
  dataUse: ExportedDataUse[];
  sharing: { events: ExportedSharing[]; signals: ExportedSignal[] };
  receipts: ExportedReceipt[];
  requests: ExportedRequest[];
  breachNotices: ExportedBreachNotice[];
}

/** Everything but `about`, which rights adds. */
export type AccessExportBody = Omit<AccessExport, "about">;

/** Gathers what is held about one person, only their rows (app/ implements it: it reads every domain's records). */
export interface AccessExporter {
  gather(subject: Subject, locale: ExportLocale): Promise<AccessExportBody>;
}

const TOPICS: Record<ExportLocale, Record<ExportTopic, string>> = {
  en: {
    profile: "Who you are to us: your ID, your state or country, and your privacy signals.",
    consents: "Each way we may use your data, your choice for it now, and every change you made.",
    decisions: "Each time we picked an ad or an item for you, and why, in plain words.",
    dataUse: "Each kind of data we used about you, what for, and when.",
    sharing: "Each time we gave your data to a partner, and what we told partners to do.",
    receipts: "Signed records of your consent choices.",
    requests: "Your privacy requests and our answers.",
    breachNotices: "Notices about breaches that touched your data.",
  },
  es: {
    profile: "Quién eres para nosotros: tu ID, tu estado o país y tus señales de privacidad.",
    consents: "Cada uso que podemos dar a tus datos, tu decisión actual y cada cambio que hiciste.",
    decisions: "Cada vez que elegimos un anuncio o un artículo para ti, y por qué, con palabras claras.",
    dataUse: "Cada tipo de dato que usamos sobre ti, para qué y cuándo.",
    sharing: "Cada vez que dimos tus datos a un socio, y lo que pedimos a los socios.",
    receipts: "Registros firmados de tus decisiones de consentimiento.",
    requests: "Tus solicitudes de privacidad y nuestras respuestas.",
    breachNotices: "Avisos sobre brechas que afectaron tus datos.",
  },
};

export function aboutExport(locale: ExportLocale, generatedAt: Date): AccessExport["about"] {
  return {
    format: "candor-access-export",
    version: 1,
    schema: ACCESS_EXPORT_SCHEMA_PATH,
    generatedAt: generatedAt.toISOString(),
    locale,
    topics: TOPICS[locale],
  };
}
