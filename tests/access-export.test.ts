import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { BOOKKEEPING_TABLES, EXPORT_TABLES } from "../src/app/access-export";
import { readabilityOf } from "../src/kernel/text/readability";
import { UPDATE } from "./helpers/consent";
import { subjectTables } from "./helpers/database";
import { record, recommendation } from "./helpers/decisions";
import { demoBrands, demoCatalogNames, englishWordsIn } from "./helpers/language";
import { startTestServer, type TestServer } from "./helpers/server";
import { agreementIds, share } from "./helpers/sharing";

const SUBMIT = `mutation($input: SubmitDataRequestInput!) { submitDataRequest(input: $input) {
  dataRequest { id kind status export summary } userErrors { field code message } } }`;
const WHY = `query($item: String!, $locale: String!) { whyAmISeeing(surface: "home-feed", itemRef: $item) {
  explanation(locale: $locale) { headline factors { text } counterfactual } } }`;
const TOPICS = ["profile", "consents", "decisions", "dataUse", "sharing", "receipts", "requests", "breachNotices"];
// Candor's own bookkeeping: none of it belongs in what a person reads about themselves.
const BOOKKEEPING =
  /^(subjectId|subjectRef|integrityHash|recordedBy|recordedAt|submittedBy|seq|requestHash|exportData|idempotency.*|.*_.*)$/;

/** Every [key, value, parent] of a JSON value, depth first. */
function* walk(value: unknown, parent: Record<string, unknown> | null = null): Generator<[string, unknown, any]> {
  if (Array.isArray(value)) for (const v of value) yield* walk(v, parent);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      yield [k, v, value];
      yield* walk(v, value as Record<string, unknown>);
    }
}
const typeOf = (globalId: string) => Buffer.from(globalId, "base64url").toString().split(":")[0];

// A person asks for a copy of their data and can read it: by topic, names beside ids, decisions
// explained in their language, a short summary on top, and a JSON Schema anyone can check it with.
describe("The access export: a person gets a readable copy of what is held about them, and nobody else's", () => {
  let t: TestServer;
  let engine: string;
  let admin: string;
  let validate: ValidateFunction;
  beforeAll(async () => {
    t = await startTestServer({ env: { CANDOR_SIGNAL_LAG_MS: "0" } });
    engine = await t.serviceKey(["decisions:write", "sharing:write"]);
    admin = await t.adminToken();
    const served = await fetch(new URL("/schemas/access-export.json", t.url));
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toContain("application/schema+json");
    // Strict, with formats checked (date-time): a loose validator would let a bad export through.
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(ajv);
    validate = ajv.compile((await served.json()) as object);
  });
  afterAll(() => t.close());

  /** A person with a decision, a sale of their data, a consent choice, a hidden sponsor and a surface mode. */
  const living = async (person: string) => {
    const token = await t.subjectToken(person);
    await record(t, engine, [recommendation(person, { itemRef: `sku-${person}`, itemLabel: `Boots for ${person}` })]);
    const ids = await agreementIds(t);
    const shared = await share(t, engine, [
      {
        subjectExternalId: person,
        agreement: ids["audience-data-sale"],
        dataCategories: ["user.behavior.purchase_history"],
      },
    ]);
    expect(shared.payload.results[0].userErrors).toEqual([]);
    // Saying no to the sale after it happened signals the partner that bought the data.
    const choice = {
      channel: "WEB",
      changes: [
        { purpose: "email-offers", granted: false },
        { purpose: "sale-to-data-partners", granted: false },
      ],
    };
    expect((await t.gql(UPDATE, { input: choice }, { token })).body.data!.updateConsents.userErrors).toEqual([]);
    await t.gql(
      `mutation { hideSponsor(input: { sponsor: "Peak Outfitters" }) { userErrors { code } } }`,
      {},
      { token },
    );
    await t.gql(
      `mutation { setRecommenderMode(input: { surface: "home-feed", mode: NON_PROFILING }) { userErrors { code } } }`,
      {},
      { token },
    );
    return token;
  };
  const access = async (token: string, input: Record<string, unknown> = {}) => {
    const r = await t.gql(SUBMIT, { input: { kind: "ACCESS", ...input } }, { token });
    expect(r.body.errors).toBeUndefined();
    return r;
  };

  it("is JSON by topic that validates against the served schema, names beside every id, no bookkeeping, nobody else's data", async () => {
    const token = await living("reader");
    await living("neighbour");
    const breach = await t.gql(
      `mutation($input: ReportBreachIncidentInput!) { reportBreachIncident(input: $input) { notified userErrors { code } } }`,
      {
        input: {
          title: "Copied page views",
          description: "A test server kept a copy of page views.",
          discoveredAt: new Date().toISOString(),
          occurredFrom: new Date(Date.now() - 3600_000).toISOString(),
          occurredTo: new Date(Date.now() + 60_000).toISOString(),
          dataCategories: ["user.behavior.browsing_history"],
          whatWeAreDoing: "We deleted the copy.",
          whatYouCanDo: "Nothing: no passwords were in it.",
        },
      },
      { token: admin },
    );
    expect(breach.body.data!.reportBreachIncident.notified).toBeGreaterThanOrEqual(2);

    const request = (await access(token)).body.data!.submitDataRequest.dataRequest;
    expect(request).toMatchObject({ kind: "ACCESS", status: "COMPLETED" });
    const data = JSON.parse(request.export);
    expect(validate(data) ? [] : validate.errors).toEqual([]);
    expect(Object.keys(data)).toEqual(["about", ...TOPICS]);
    expect(data.about).toMatchObject({
      format: "candor-access-export",
      locale: "en",
      schema: "/schemas/access-export.json",
    });

    // What the API says, the export says, with names.
    const api = (
      await t.gql(
        `{ me { id jurisdiction consents { purpose { id key name } status } sharingEvents(first: 10) { edges { node { id partner { name } } } }
          breachNotices { id incident { title } } } }`,
        {},
        { token },
      )
    ).body.data!.me;
    expect(data.profile).toMatchObject({ id: api.id, externalId: "reader", jurisdiction: { code: api.jurisdiction } });
    expect(data.profile.hiddenSponsors.map((h: any) => h.sponsor)).toEqual(["Peak Outfitters"]);
    expect(data.profile.recommenderModes).toEqual([
      { surface: expect.objectContaining({ key: "home-feed", name: expect.any(String) }), mode: "NON_PROFILING" },
    ]);
    expect(data.consents.map((c: any) => [c.purpose.id, c.purpose.name, c.status])).toEqual(
      api.consents.map((c: any) => [c.purpose.id, c.purpose.name, c.status]),
    );
    const email = data.consents.find((c: any) => c.purpose.key === "email-offers");
    expect(email.history).toHaveLength(1);
    expect(email.history[0]).toMatchObject({ status: "DENIED", source: "USER", channel: "WEB" });
    expect(data.receipts.map((r: any) => r.id)).toContain(email.history[0].receiptId);
    expect(data.receipts[0].content).toEqual(expect.any(Object));
    const why = (await t.gql(WHY, { item: "sku-reader", locale: "en" }, { token })).body.data!.whyAmISeeing;
    expect(data.decisions).toHaveLength(1);
    expect(data.decisions[0].item).toEqual({ ref: "sku-reader", label: "Boots for reader" });
    expect(data.decisions[0].explanation.headline).toBe(why.explanation.headline);
    expect(data.decisions[0].explanation.reasons.map((r: any) => r.text)).toEqual(
      why.explanation.factors.map((f: any) => f.text),
    );
    expect(data.dataUse.map((u: any) => u.dataCategory.key).sort()).toEqual([
      "user.behavior.browsing_history",
      "user.behavior.current_visit",
      "user.behavior.purchase_history",
    ]);
    expect(data.sharing.events.map((e: any) => [e.id, e.partner.name])).toEqual(
      api.sharingEvents.edges.map((e: any) => [e.node.id, e.node.partner.name]),
    );
    expect(data.sharing.events[0].agreement.purpose.name).toEqual(expect.any(String));
    expect(data.sharing.signals.length).toBeGreaterThan(0);
    expect(data.sharing.signals[0]).toMatchObject({
      partner: { name: data.sharing.events[0].partner.name },
      purpose: { key: "sale-to-data-partners", name: expect.any(String) },
    });
    expect(data.breachNotices.map((n: any) => [n.id, n.incident.title])).toEqual(
      api.breachNotices.map((n: any) => [n.id, n.incident.title]),
    );
    expect(data.requests.map((r: any) => r.id)).toContain(request.id);

    for (const [key, value, parent] of walk({ ...data, receipts: [] })) {
      // No internal bookkeeping, no bare foreign keys: a reference is an object with a name.
      expect(key).not.toMatch(BOOKKEEPING);
      if (!["receiptId", "externalId"].includes(key)) expect(key).not.toMatch(/Ids?$/);
      // Catalog objects (purposes, data categories, partners, surfaces, algorithms) carry their names.
      if (
        key === "id" &&
        ["Purpose", "DataCategory", "Partner", "Surface", "AlgorithmCard"].includes(typeOf(value as string))
      )
        expect(parent.name).toEqual(expect.any(String));
    }
    // Not a raw database id anywhere but inside the signed receipts.
    expect(JSON.stringify({ ...data, receipts: [] })).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/);

    // Nothing of the neighbour, though they share partners, purposes and the breach.
    const neighbour = (await t.services.people.find("neighbour"))!;
    const theirs = (
      await t.gql(
        `{ me { id decisions(first: 5) { edges { node { id } } } sharingEvents(first: 5) { edges { node { id } } }
          breachNotices { id } } }`,
        {},
        { token: await t.subjectToken("neighbour") },
      )
    ).body.data!.me;
    const text = JSON.stringify(data);
    for (const foreign of [
      "neighbour",
      neighbour.id,
      theirs.id,
      ...theirs.decisions.edges.map((e: any) => e.node.id),
      ...theirs.sharingEvents.edges.map((e: any) => e.node.id),
      ...theirs.breachNotices.map((n: any) => n.id),
    ])
      expect(text).not.toContain(foreign);
  });

  it("covers every table that holds a person's id, or names it bookkeeping", async () => {
    const covered = new Set([...Object.values(EXPORT_TABLES).flat(), ...BOOKKEEPING_TABLES]);
    const tables = await subjectTables(t);
    expect(tables.length).toBeGreaterThan(5);
    for (const table of tables) expect([table, covered.has(table)]).toEqual([table, true]);
  });

  it("is refused by the schema when it carries something the schema does not describe", () => {
    const token = t.subjectToken("tamper");
    return token.then(async (tok) => {
      const data = JSON.parse((await access(tok)).body.data!.submitDataRequest.dataRequest.export);
      expect(validate(data)).toBe(true);
      expect(validate({ ...data, idempotency_record: [] })).toBe(false);
      expect(validate({ ...data, profile: { ...data.profile, subjectRef: "abc" } })).toBe(false);
      const { consents: _dropped, ...partial } = data;
      expect(validate(partial)).toBe(false);
    });
  });

  it("explains decisions and sums up in the person's language, at reading grade 8 or below", async () => {
    const token = await living("lector");
    const en = (await access(token)).body.data!.submitDataRequest.dataRequest;
    const es = (await access(token, { locale: "es-MX" })).body.data!.submitDataRequest.dataRequest;
    const [enData, esData] = [JSON.parse(en.export), JSON.parse(es.export)];
    expect(validate(esData) ? [] : validate.errors).toEqual([]);
    expect([enData.about.locale, esData.about.locale]).toEqual(["en", "es"]);
    expect(esData.about.topics.consents).not.toBe(enData.about.topics.consents);
    const why = (await t.gql(WHY, { item: "sku-lector", locale: "es" }, { token })).body.data!.whyAmISeeing;
    expect(esData.decisions[0].explanation).toMatchObject({ locale: "es", headline: why.explanation.headline });
    expect(esData.decisions[0].explanation.headline).not.toBe(enData.decisions[0].explanation.headline);

    // The summary: what is held and why, from the export itself, short enough to read.
    const partner = enData.sharing.events[0].partner.name;
    expect(en.summary).toContain(partner);
    expect(en.summary).toContain(`${enData.decisions.length} ad or item`);
    expect(en.summary).toContain(enData.dataUse[0].dataCategory.name.toLowerCase());
    expect(es.summary).toContain(partner);
    expect(es.summary).toMatch(/^Este archivo/);
    // Spanish through and through: catalog names from the catalog's translations, no English word.
    expect(es.summary).toContain(esData.dataUse[0].dataCategory.name.toLowerCase());
    expect(esData.consents.map((c: any) => c.purpose.name)).not.toEqual(
      enData.consents.map((c: any) => c.purpose.name),
    );
    expect(englishWordsIn(es.summary, demoCatalogNames(), demoBrands())).toEqual([]);
    expect(readabilityOf(en.summary, "en").grade).toBeLessThanOrEqual(8);
    expect(readabilityOf(es.summary, "es").grade).toBeLessThanOrEqual(8);
    // Only an ACCESS request has one.
    const optOut = await t.gql(SUBMIT, { input: { kind: "OPT_OUT_OF_SALE" } }, { token });
    expect(optOut.body.data!.submitDataRequest.dataRequest.summary).toBeNull();
    const mine = (await t.gql(`{ me { dataRequests { kind summary } } }`, {}, { token })).body.data!.me.dataRequests;
    expect(mine.filter((r: any) => r.summary).map((r: any) => r.kind)).toEqual(["ACCESS", "ACCESS"]);
  });

  it("refuses a locale that is not a language tag, with a typed error, and writes nothing; a retry keeps its locale", async () => {
    const token = await t.subjectToken("bad-locale");
    const count = async () =>
      Number((await t.services.db.manager.query("SELECT COUNT(*) AS n FROM data_request"))[0].n);
    const before = await count();
    const r = await t.gql(SUBMIT, { input: { kind: "ACCESS", locale: "en; DROP" } }, { token });
    expect(r.body.data!.submitDataRequest).toMatchObject({
      dataRequest: null,
      userErrors: [{ field: ["input", "locale"], code: "INVALID" }],
    });
    expect(await count()).toBe(before);
    // A retry is the same request: the same locale answers the first export, another is a conflict.
    const input = { kind: "ACCESS", locale: "es", idempotencyKey: "copy-1" };
    const first = (await t.gql(SUBMIT, { input }, { token })).body.data!.submitDataRequest.dataRequest;
    const again = (await t.gql(SUBMIT, { input }, { token })).body.data!.submitDataRequest.dataRequest;
    expect(again.id).toBe(first.id);
    const other = await t.gql(SUBMIT, { input: { ...input, locale: "en" } }, { token });
    expect(other.body.data!.submitDataRequest.userErrors[0]).toMatchObject({ code: "CONFLICT" });
    expect(await count()).toBe(before + 1);
  });

  it("costs the same SQL statements for 2 decisions as for 8", async () => {
    const token = await t.subjectToken("steady");
    const some = (n: number, tag: string) =>
      Array.from({ length: n }, (_, i) => recommendation("steady", { itemRef: `${tag}-${i}` }));
    await record(t, engine, some(2, "a"));
    const two = await access(token);
    await record(t, engine, some(6, "b"));
    const eight = await access(token);
    expect(JSON.parse(eight.body.data!.submitDataRequest.dataRequest.export).decisions).toHaveLength(8);
    expect(eight.sqlCount).toBe(two.sqlCount);
  });
});
