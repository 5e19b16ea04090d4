import { recommendation, RECORD } from "../../tests/helpers/decisions";
import type { TestServer } from "../../tests/helpers/server";
import { agreementIds, RECORD_SHARING, SIGNALS } from "../../tests/helpers/sharing";
import type { StatementRecorder } from "./capture";

// The scripted mix the routing simulation replays: what one person's day costs (the widget, the
// consent screen, the engine's calls about them, a rights request), then the operations that
// cross people by nature (admin lists, the partner feed, the data audit, a breach, figures).
// Queries are the README's, so the statements are the ones Candor really issues for them.

export type Scope = "person" | "cross-person";

export interface Operation {
  name: string;
  scope: Scope;
}

const CONSENT_SCREEN = `query ConsentScreen { me { jurisdiction globalPrivacyControl personalizationLevel
  consents { purpose { key name description benefit } status source gpcOverridden updatedAt } } }`;

const WIDGET = `query WhyThisItem($surface: String!, $item: String!) {
  whyAmISeeing(surface: $surface, itemRef: $item) {
    itemLabel sponsor { onBehalfOf paidBy }
    explanation(locale: "en") {
      headline readingGrade
      factors { text factor { share purpose { name } dataCategory { name } } }
      partnersInvolved { name }
      controls { kind label active }
    }
  }
}`;

const MY_DECISIONS = `query MyDecisions { me { decisions(first: 20, surface: "home-feed") { totalCount
  edges { node { id occurredAt kind itemRef itemLabel score mode integrityHash surface { key name }
    algorithm { key name version } factors { kind share purpose { name } dataCategory { name } sourceClass }
    explanation(locale: "en") { headline } } } pageInfo { hasNextPage endCursor } } } }`;

const DECISION_BY_ID = `query One($id: ID!) { decision(id: $id) { id itemLabel factors { share } } }`;

const WITHDRAW_SALE = `mutation StopTheSale { updateConsents(input: {
  changes: [{ purpose: "sale-to-data-partners", granted: false }], channel: WEB }) {
  subject { consent(purpose: "sale-to-data-partners") { status } } receipt { id } userErrors { code } } }`;

const ACCESS = `mutation CopyOfMyData { submitDataRequest(input: { kind: ACCESS, locale: "en" }) {
  dataRequest { status dueAt } userErrors { code } } }`;

const CONSENT_CHECK = `query Check($who: String!) { consentCheck(subjectExternalId: $who,
  purposes: ["personalized-recommendations", "targeted-advertising"]) { allGranted consents { purpose { key } status } } }`;

const CONSENT_CHECKS = `query Checks($who: [String!]!) { consentChecks(subjectExternalIds: $who,
  purposes: ["personalized-recommendations"]) { subjectExternalId allGranted } }`;

const REQUESTS_DUE = `query RequestsDueSoon { dataRequests(first: 20, status: RECEIVED) { totalCount
  edges { node { id kind dueAt subject { externalId jurisdiction } } } } }`;

const CHECK_THE_LOG = `query CheckTheLog { verifyAuditLog { valid checkedEntries firstBrokenSeq }
  auditLogHead { seq hash } auditLog(first: 5) { edges { node { seq action entityType entityId } } } }`;

const AUDIT = `mutation Audit { runDataAudit { dataAudit { purgedRecords findings { kind count } } userErrors { code } } }`;

const BREACH = `mutation ReportBreach { reportBreachIncident(input: {
  title: "Copied page views", description: "A test server kept a copy of page views."
  discoveredAt: "2026-11-20T10:00:00Z", occurredFrom: "2000-01-01T00:00:00Z", occurredTo: "2100-01-01T00:00:00Z"
  dataCategories: ["user.behavior.browsing_history"]
  whatWeAreDoing: "We deleted the copy.", whatYouCanDo: "Nothing." }) { notified userErrors { code } } }`;

const FIGURES = `query RequestFigures { privacyPolicy { requestMetrics(year: 2026) { kind received medianDaysToRespond } } }`;

export const OPERATIONS: Operation[] = [
  ...[
    "consent screen",
    "consent check (engine)",
    "recordDecisions",
    "recordSharingEvents",
    "widget (whyAmISeeing)",
    "decisions list",
    "decision by id",
    "updateConsents",
    "access request",
  ].map((name) => ({ name, scope: "person" as const })),
  ...[
    "engine bulk consentChecks",
    "partner feed",
    "admin data-request list",
    "admin audit log",
    "breach matching",
    "data audit",
    "request metrics",
  ].map((name) => ({ name, scope: "cross-person" as const })),
];

export const scopeOf = (operation: string | null): Scope | "background" =>
  OPERATIONS.find((o) => o.name === operation)?.scope ?? "background";

/** Fails loudly: a mix whose calls are refused would measure the wrong statements. */
async function call(t: TestServer, query: string, variables: Record<string, unknown>, token: string) {
  const r = await t.gql(query, variables, { token });
  const problems = r.body.errors ?? findUserErrors(r.body.data);
  if (r.status !== 200 || problems.length > 0)
    throw new Error(`${query.slice(0, 60)}…: HTTP ${r.status} ${JSON.stringify(problems)}`);
  return r.body.data as Record<string, any>;
}

function findUserErrors(data: unknown): unknown[] {
  if (data === null || typeof data !== "object") return [];
  return Object.entries(data).flatMap(([key, value]) =>
    key === "userErrors" && Array.isArray(value) ? value : findUserErrors(value),
  );
}

/** Runs the mix for `people` people through the real server, each operation tagged for the recorder. */
export async function runMix(t: TestServer, recorder: StatementRecorder, people: number): Promise<void> {
  const service = await t.serviceKey(["consent:read", "consent:write", "decisions:write", "sharing:write"]);
  const partner = await t.partnerKey("open-range-data");
  const admin = await t.adminToken();
  const sale = (await agreementIds(t))["audience-data-sale"];
  const names = Array.from({ length: people }, (_, i) => `sim-person-${i + 1}`);
  const op = (name: string, query: string, variables: Record<string, unknown>, token: string) =>
    recorder.as(name, () => call(t, query, variables, token));

  for (const person of names) {
    const token = await t.subjectToken(person);
    await op("consent screen", CONSENT_SCREEN, {}, token);
    await op("consent check (engine)", CONSENT_CHECK, { who: person }, service);
    const recorded = await op("recordDecisions", RECORD, { input: { decisions: [recommendation(person)] } }, service);
    const share = { subjectExternalId: person, agreement: sale, dataCategories: ["user.behavior.purchase_history"] };
    await op("recordSharingEvents", RECORD_SHARING, { input: { events: [share] } }, service);
    await op("widget (whyAmISeeing)", WIDGET, { surface: "home-feed", item: "sku-boots" }, token);
    await op("decisions list", MY_DECISIONS, {}, token);
    const id = recorded.recordDecisions.results[0].decision.id;
    await op("decision by id", DECISION_BY_ID, { id }, token);
    await op("updateConsents", WITHDRAW_SALE, {}, token);
    await op("access request", ACCESS, {}, token);
  }

  await op("engine bulk consentChecks", CONSENT_CHECKS, { who: names }, service);
  await op("partner feed", SIGNALS, { first: 100 }, partner);
  await op("admin data-request list", REQUESTS_DUE, {}, admin);
  await op("admin audit log", CHECK_THE_LOG, {}, admin);
  await op("breach matching", BREACH, {}, admin);
  await op("data audit", AUDIT, {}, admin);
  await op("request metrics", FIGURES, {}, admin);
}
