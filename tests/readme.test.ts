import { readFileSync } from "node:fs";
import { join } from "node:path";
import { recordDemoDecisions } from "../src/app/demo/demo-decisions";
import { startTestServer, type TestServer } from "./helpers/server";

// Every query the README shows must run, through the real server and its query limits, with the
// credential its `# as:` line names (anonymous and admin otherwise).
const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
const queries = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
const roleOf = (query: string) => /^# as: (\w+)/m.exec(query)?.[1] ?? "anyone";

describe("README queries", () => {
  let t: TestServer;
  let purposeId: string;
  let credentials: Record<string, Array<string | undefined>>;
  let variables: Record<string, string>;
  const answers: Record<string, any> = {};
  beforeAll(async () => {
    // No signal lag: the partner's pull sees at once the signals the steps before it produce.
    t = await startTestServer({ env: { CANDOR_SIGNAL_LAG_MS: "0" } });
    await recordDemoDecisions(t.services);
    purposeId = (await t.gql("{ purposes { id } }")).body.data!.purposes[0].id;
    credentials = {
      anyone: [undefined, await t.adminToken()],
      subject: [await t.subjectToken("demo-person-1")],
      service: [await t.serviceKey(["consent:read", "consent:write", "decisions:write", "sharing:write"])],
      partner: [await t.partnerKey("open-range-data")],
      admin: [await t.adminToken()],
    };
    const agreements = (await t.gql('{ sharingDisclosures(partner: "open-range-data") { id } }')).body.data!
      .sharingDisclosures;
    variables = { id: purposeId, agreement: agreements[0].id };
  });
  afterAll(() => t.close());

  it("are there to test", () => {
    expect(queries.length).toBeGreaterThanOrEqual(8);
  });

  it.each(queries.map((q) => [q.split("\n").find((l) => !l.startsWith("#")), q]))(
    "%s runs without errors",
    async (_name, query) => {
      const tokens = credentials[roleOf(query)];
      expect(tokens).toBeDefined();
      for (const token of tokens) {
        const wanted = Object.fromEntries(Object.entries(variables).filter(([k]) => query.includes(`$${k}`)));
        const r = await t.gql(query, wanted, { token });
        expect(r.body.errors).toBeUndefined();
        expect(r.status).toBe(200);
        expect(JSON.stringify(r.body.data)).not.toContain('"userErrors":[{');
        answers[/^(?:query|mutation) (\w+)/m.exec(query)?.[1] ?? "anonymous"] = r.body.data;
      }
      // The partner acknowledges the signal it pulled.
      const pulled = answers.PullSignals?.partnerSignals.edges[0];
      if (pulled) variables.signal = pulled.node.id;
    },
  );

  it("show where every variable comes from: each is named in the text or a query before its example", () => {
    for (const query of queries.filter((q) => /^(query|mutation) \w+\(/m.test(q))) {
      const before = readme.slice(0, readme.indexOf(query));
      const shown = before.slice(before.lastIndexOf("```", before.length - 12));
      for (const [, name] of query.matchAll(/\$(\w+):/g)) expect(shown).toContain(`"${name}"`);
    }
  });

  it("give the partner a signal to pull: the steps before its pull produce one, about the README's own sharing", () => {
    const signals = answers.PullSignals?.partnerSignals.edges.map((e: any) => e.node) ?? [];
    const sale = expect.objectContaining({ agreement: { key: "audience-data-sale" } });
    expect(signals).toEqual(expect.arrayContaining([sale]));
    expect(answers.ActedOn?.acknowledgePartnerSignals.acknowledged).toBe(1);
  });
});

describe("the README's sample answers", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    await recordDemoDecisions(t.services);
  });
  afterAll(() => t.close());

  it("is what the server really answers", async () => {
    const query = queries.find((q) => q.includes("query WhyThisAd"))!;
    const shown = JSON.parse(/The real answer[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)![1]);
    const real = (await t.gql(query, {}, { token: await t.subjectToken("demo-person-1") })).body.data!.whyAmISeeing;
    expect(shown.itemLabel).toBe(real.itemLabel);
    expect(shown.explanation.headline).toBe(real.explanation.headline);
    expect(shown.explanation.readingGrade).toBe(real.explanation.readingGrade);
    expect(shown.explanation.factors.map((f: any) => f.text)).toEqual(real.explanation.factors.map((f: any) => f.text));
    expect(shown.explanation.controls).toEqual(real.explanation.controls);
    expect(shown.explanation.partnersInvolved).toEqual(real.explanation.partnersInvolved);
    // The Spanish one, with its counterfactual.
    const spanishQuery = queries.find((q) => q.includes("query WhyTheseBoots"))!;
    const spanishShown = JSON.parse(/Spanish[\s\S]*?The real answer:\n\n```json\n([\s\S]*?)```/.exec(readme)![1]);
    const spanish = (await t.gql(spanishQuery, {}, { token: await t.subjectToken("demo-person-1") })).body.data!
      .whyAmISeeing.explanation;
    expect(spanishShown).toEqual(spanish);
  });

  it("show the summary of demo-person-1's first copy as the server writes it", async () => {
    const query = queries.find((q) => q.includes("mutation CopyOfMyData"))!;
    const shown = /The summary of demo-person-1's first copy[\s\S]*?```text\n([\s\S]*?)```/.exec(readme)![1];
    const real = (await t.gql(query, {}, { token: await t.subjectToken("demo-person-1") })).body.data!.submitDataRequest
      .dataRequest.summary;
    expect(shown.replace(/\s+/g, " ").trim()).toBe(real);
  });
});
