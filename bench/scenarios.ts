import { recommendation } from "../tests/helpers/decisions";

// The scenarios of `npm run bench`, each as Candor's GraphQL request and the reference server's
// route (bench/limit-server.ts). A scenario's body may depend on the call number, so that writes
// touch different people per call: call k of a run starting at `offset` uses the seeded people
// from (offset + k) * size on, wrapping around the pool of seeded people.

export type Caller = "anonymous" | "subject" | "service";

export interface Scenario {
  name: string;
  caller: Caller;
  /** Units of work per request: decisions per call for recordDecisions, else 1. */
  perRequest: number;
  /** Candor's GraphQL body for call `k`. */
  candor(k: number): object;
  /** The reference server's route and body for call `k`. */
  reference(k: number): { route: string; body: object };
}

export interface ScenarioContext {
  /** How many seeded people (`seed-person-<n>`) the database holds. */
  pool: number;
  /** The person whose token the subject scenarios use. */
  person: string;
}

const WIDGET =
  'query WhyThisAd { whyAmISeeing(surface: "product-page-ads", itemRef: "ad-summit-tents") { itemLabel sponsor { onBehalfOf paidBy } ' +
  'explanation(locale: "en") { headline readingGrade factors { text factor { share purpose { name } dataCategory { name } } } ' +
  "partnersInvolved { name } controls { kind label active } } } }";
const WIDGETS =
  '{ me { decisions(first: 5) { edges { node { itemLabel sponsor { onBehalfOf paidBy } explanation(locale: "en") { headline ' +
  "factors { text factor { share purpose { name } dataCategory { name } } } controls { kind label active } } } } } } }";
const CONSENT_SCREEN = "{ me { consents { purpose { key name description benefit } status source } } }";
const CATALOG =
  "{ purposes { key name description benefit dataCategories { key name } } partners { key name agreements { key reason purpose { key } dataCategories { key } } } }";
const CHECKS =
  "query Checks($people: [String!]!, $purposes: [String!]!) { consentChecks(subjectExternalIds: $people, purposes: $purposes) " +
  "{ subjectExternalId allGranted consents { purpose { key } status } recommenderModes { mode } } }";
const RECORD =
  "mutation Record($input: RecordDecisionsInput!) { recordDecisions(input: $input) { results { index decision { id } userErrors { code } } userErrors { code } } }";
const UPDATE =
  "mutation Update($input: UpdateConsentsInput!) { updateConsents(input: $input) { receipt { id } userErrors { code message } } }";

const CHECKED_PURPOSES = ["personalized-recommendations", "targeted-advertising", "email-offers"];

const person = (ctx: ScenarioContext, n: number) => `seed-person-${n % ctx.pool}`;

/** The tests' valid home-feed recommendation, for person `externalId`, item k. */
const decision = (externalId: string, k: number) =>
  recommendation(externalId, { itemRef: `sku-${k % 1000}`, itemLabel: `Bench item ${k % 1000}` });

function recording(ctx: ScenarioContext, size: number, offset: number): Scenario {
  const decisions = (k: number) =>
    Array.from({ length: size }, (_, i) => decision(person(ctx, (offset + k) * size + i), k * size + i));
  return {
    name: `recordDecisions, ${size} per call`,
    caller: "service",
    perRequest: size,
    candor: (k) => ({ query: RECORD, variables: { input: { decisions: decisions(k) } } }),
    reference: (k) => ({ route: "recordDecisions", body: { decisions: decisions(k) } }),
  };
}

/** Every scenario by its key (BENCH_SCENARIOS takes a comma-separated list of keys). */
export function scenarios(ctx: ScenarioContext, offset = 0): Record<string, Scenario> {
  const checked = Array.from({ length: 500 }, (_, i) => person(ctx, i));
  // updateConsents: call k changes person k's "email-offers" (no decision here uses it), flipping
  // it on each pass over the pool so that every call changes something.
  const change = (k: number) => {
    const n = offset + k;
    return {
      subjectExternalId: person(ctx, n),
      channel: "WEB",
      changes: [{ purpose: "email-offers", granted: Math.floor(n / ctx.pool) % 2 === 1 }],
    };
  };
  return {
    widget: {
      name: "WhyThisAd widget (README)",
      caller: "subject",
      perRequest: 1,
      candor: () => ({ query: WIDGET }),
      reference: () => ({ route: "widget", body: { surface: "product-page-ads", itemRef: "ad-summit-tents" } }),
    },
    widgets: {
      name: "five widgets: me.decisions(first: 5)",
      caller: "subject",
      perRequest: 1,
      candor: () => ({ query: WIDGETS }),
      reference: () => ({ route: "widgets", body: {} }),
    },
    consents: {
      name: "consent screen",
      caller: "subject",
      perRequest: 1,
      candor: () => ({ query: CONSENT_SCREEN }),
      reference: () => ({ route: "consents", body: {} }),
    },
    catalog: {
      name: "catalog page (anonymous)",
      caller: "anonymous",
      perRequest: 1,
      candor: () => ({ query: CATALOG }),
      reference: () => ({ route: "catalog", body: {} }),
    },
    checks: {
      name: "consentChecks, 500 people",
      caller: "service",
      perRequest: 1,
      candor: () => ({ query: CHECKS, variables: { people: checked, purposes: CHECKED_PURPOSES } }),
      reference: () => ({ route: "consentChecks", body: { subjectExternalIds: checked, purposes: CHECKED_PURPOSES } }),
    },
    record1: recording(ctx, 1, offset),
    record1000: recording(ctx, 1000, offset),
    updateConsents: {
      name: "updateConsents (one purpose)",
      caller: "service",
      perRequest: 1,
      candor: (k) => ({ query: UPDATE, variables: { input: change(k) } }),
      reference: (k) => ({ route: "updateConsents", body: change(k) }),
    },
  };
}
