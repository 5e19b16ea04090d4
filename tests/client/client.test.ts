import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SignJWT } from "jose";
import {
  ConsentHistoryDocument,
  ConsentScreenDocument,
  createClient,
  HideSponsorDocument,
  SetRecommenderModeDocument,
  UpdateConsentsDocument,
  WhyDocument,
  type CandorClientOptions,
} from "../../clients/js/src";
import * as generated from "../../clients/js/src/generated/graphql";
import { DEMO_DECISIONS, DEMO_PERSON, recordDemoDecisions } from "../../src/app/demo/demo-decisions";
import { record, recommendation } from "../helpers/decisions";
import { startTestServer, TEST_JWT_SECRET, type TestServer } from "../helpers/server";

// @candor/client against the real server: typed results for every way a call can end, the
// widget's controls as the client sends them, and automatic persisted queries.

const manifest = JSON.parse(
  readFileSync(join(__dirname, "..", "..", "clients", "js", "persisted-operations.json"), "utf8"),
);

describe("@candor/client", () => {
  let t: TestServer;
  let engine: string;
  beforeAll(async () => {
    t = await startTestServer();
    engine = await t.serviceKey(["decisions:write"], "engine");
    await recordDemoDecisions(t.services);
  });
  afterAll(() => t.close());

  /** A client for `person` that counts its requests and its calls of getToken. */
  function clientFor(person: string | null, options: Partial<CandorClientOptions> = {}) {
    const counts = { requests: 0, tokens: 0, bodies: [] as any[] };
    const client = createClient({
      endpoint: t.url,
      getToken: async () => {
        counts.tokens++;
        return person ? t.subjectToken(person) : null;
      },
      fetch: async (input, init) => {
        counts.requests++;
        counts.bodies.push(JSON.parse(String(init?.body)));
        return fetch(input, init);
      },
      ...options,
    });
    return { client, counts };
  }

  it("answer typed data, asking the host for the token on every request", async () => {
    const { client, counts } = clientFor(DEMO_PERSON);
    const why = await client.request(WhyDocument, { surface: "home-feed", item: "sku-boots-ridgeline", locale: "es" });
    if (!why.ok) throw new Error(why.message);
    expect(why.data.whyAmISeeing?.explanation.headline).toContain("las botas de montaña Ridgeline");
    const screen = await client.request(ConsentScreenDocument, { locale: "en" });
    expect(screen.ok && screen.data.me?.consents.map((c) => c.purpose.key)).toContain("personalized-recommendations");
    expect(counts).toMatchObject({ requests: 2, tokens: 2 });
    expect(counts.bodies.map((b) => b.operationName)).toEqual(["Why", "ConsentScreen"]);
  });

  it("tell an expired token, a network failure, a refused document and refused input apart", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ role: "subject" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(DEMO_PERSON)
      .setExpirationTime(now - 60)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const vars = { surface: "home-feed", item: "sku-boots-ridgeline" };
    const stale = await createClient({ endpoint: t.url, getToken: () => expired }).request(WhyDocument, vars);
    expect(stale).toMatchObject({ ok: false, kind: "unauthenticated" });

    const offline = await createClient({ endpoint: "http://127.0.0.1:9/graphql" }).request(WhyDocument, vars);
    expect(offline).toMatchObject({ ok: false, kind: "network" });

    const { client } = clientFor(DEMO_PERSON);
    const tooMany = await client.request(ConsentHistoryDocument, { first: 1000 });
    expect(tooMany).toMatchObject({ ok: false, kind: "graphql" });
    expect(!tooMany.ok && tooMany.kind === "graphql" && tooMany.errors[0].message).toMatch(/exceeds the limit/); // the query cost of 1000 events

    const unknown = await client.request(UpdateConsentsDocument, {
      input: { changes: [{ purpose: "no-such-purpose", granted: false }], channel: "WEB" },
    });
    expect(unknown).toMatchObject({
      ok: false,
      kind: "userErrors",
      userErrors: [{ code: "NOT_FOUND", field: ["input", "changes", "0", "purpose"] }],
    });
  });

  it("send each of the widget's controls, after which the engine's next decision is refused", async () => {
    const person = "client-controls";
    const demoAd = DEMO_DECISIONS.find((d) => d.kind === "AD")!;
    const ad = { ...JSON.parse(JSON.stringify(demoAd)), subjectExternalId: person, itemRef: "ad-client" };
    expect((await record(t, engine, [ad])).payload.results[0].userErrors).toEqual([]);
    const { client } = clientFor(person);

    const hidden = await client.request(HideSponsorDocument, { input: { sponsor: demoAd.sponsor!.onBehalfOf } });
    expect(hidden.ok && hidden.data.hideSponsor.subject?.hiddenSponsors).toEqual(["Summit Tents"]);
    expect((await record(t, engine, [ad])).payload.results[0].userErrors[0].code).toBe("SPONSOR_HIDDEN");

    const mode = await client.request(SetRecommenderModeDocument, {
      input: { surface: "home-feed", mode: "NON_PROFILING" },
    });
    expect(mode.ok && mode.data.setRecommenderMode.subject?.recommenderModes).toContainEqual({
      surface: { key: "home-feed" },
      mode: "NON_PROFILING",
    });
    const next = await record(t, engine, [recommendation(person)]);
    expect(next.payload.results[0].userErrors[0].code).toBe("PROFILING_NOT_ALLOWED");

    const withdrawn = await client.request(UpdateConsentsDocument, {
      input: { changes: [{ purpose: "personalized-recommendations", granted: false }], channel: "WEB" },
    });
    expect(withdrawn.ok && withdrawn.data.updateConsents.receipt?.jws.split(".")).toHaveLength(3);
    const afterWithdrawal = await record(t, engine, [recommendation(person, { surface: "search" })]);
    expect(afterWithdrawal.payload.results[0].userErrors[0].code).toBe("CONSENT_REQUIRED");
  });

  it("use automatic persisted queries: the hash alone once the server has seen the document", async () => {
    const { client, counts } = clientFor(DEMO_PERSON, { persistedQueries: true });
    const vars = { surface: "search", item: "sku-trail-runner", locale: "en" };
    const first = await client.request(WhyDocument, vars);
    expect(first.ok).toBe(true);
    const second = await client.request(WhyDocument, vars);
    expect(second).toEqual(first);
    // Unknown hash, then hash with document; then the hash alone.
    expect(counts.bodies.map((b) => Boolean(b.query))).toEqual([false, true, false]);
    const hash = createHash("sha256").update(WhyDocument.toString()).digest("hex");
    expect(counts.bodies[2].extensions.persistedQuery.sha256Hash).toBe(hash);
  });

  it("ship a manifest with every operation the client sends, keyed by the hash APQ sends", () => {
    const documents = Object.entries(generated)
      .filter(([name]) => name.endsWith("Document"))
      .map(([, doc]) => String(doc));
    expect(manifest.operations).toHaveLength(documents.length);
    for (const body of documents) {
      const id = createHash("sha256").update(body).digest("hex");
      expect(manifest.operations).toContainEqual(expect.objectContaining({ id, body }));
    }
    expect(manifest.format).toBe("apollo-persisted-query-manifest");
  });
});
