import type { TestServer } from "./server";

export const RECORD = `mutation Record($input: RecordDecisionsInput!) {
  recordDecisions(input: $input) {
    results { index decision { id kind mode integrityHash factors { kind share contribution purpose { key } } } userErrors { field message code } }
    userErrors { field message code }
  }
}`;

/** A valid recommendation for `person` on the demo catalog; override what a test needs. */
export function recommendation(person: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subjectExternalId: person,
    surface: "home-feed",
    kind: "RECOMMENDATION",
    itemRef: "sku-boots",
    itemLabel: "Ridgeline hiking boots",
    algorithm: "product-recommender",
    algorithmVersion: "2",
    channel: "WEB",
    factors: [
      {
        kind: "BEHAVIORAL",
        purpose: "personalized-recommendations",
        dataCategory: "user.behavior.browsing_history",
        sourceClass: "OBSERVED",
        share: 0.7,
        evidence: [
          { key: "item", value: "hiking boots" },
          { key: "count", value: "3" },
          { key: "days", value: "7" },
        ],
      },
      {
        kind: "POPULARITY",
        purpose: "store-operation",
        dataCategory: "user.behavior.current_visit",
        sourceClass: "CONTEXTUAL",
        share: 0.3,
      },
    ],
    ...extra,
  };
}

/** A factor on this visit alone: usable anywhere, even without profiling. */
export const visitFactor = (extra: Record<string, unknown> = {}) => ({
  kind: "POPULARITY",
  purpose: "store-operation",
  dataCategory: "user.behavior.current_visit",
  sourceClass: "CONTEXTUAL",
  share: 1,
  ...extra,
});

export async function record(t: TestServer, key: string, decisions: Array<Record<string, unknown>>) {
  const r = await t.gql(RECORD, { input: { decisions } }, { token: key });
  if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
  return {
    ...r,
    payload: r.body.data!.recordDecisions as {
      results: Array<{ index: number; decision: any; userErrors: any[] }>;
      userErrors: any[];
    },
  };
}

export async function decisionWrites(t: TestServer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ["decision", "decision_factor", "audit_log"])
    out[table] = Number((await t.services.db.manager.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  return out;
}
