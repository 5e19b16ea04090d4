import type { TestServer } from "./server";

export const RECORD_SHARING = `mutation Share($input: RecordSharingEventsInput!) {
  recordSharingEvents(input: $input) {
    results { index event { id subjectRef occurredAt partner { key } agreement { key } dataCategories { key } } userErrors { field message code } }
    userErrors { field message code }
  }
}`;

export const SIGNALS = `query Signals($first: Int!, $after: String, $since: DateTimeISO) {
  partnerSignals(first: $first, after: $after, since: $since) {
    totalCount
    edges { cursor node { id kind subjectRef occurredAt acknowledgedAt purpose { key } agreement { key } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Global ids of the demo agreements, by key. */
export async function agreementIds(t: TestServer): Promise<Record<string, string>> {
  const r = await t.gql("{ partners { agreements { id key } } }");
  return Object.fromEntries(
    (r.body.data!.partners as any[]).flatMap((p) => p.agreements.map((a: any) => [a.key, a.id])),
  );
}

export async function share(t: TestServer, key: string, events: Array<Record<string, unknown>>) {
  const r = await t.gql(RECORD_SHARING, { input: { events } }, { token: key });
  if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
  return {
    ...r,
    payload: r.body.data!.recordSharingEvents as {
      results: Array<{ index: number; event: any; userErrors: any[] }>;
      userErrors: any[];
    },
  };
}
