import { GppModel } from "@iabgpp/cmpapi";
import { UPDATE, writes } from "./helpers/consent";
import {
  expectedDefault,
  expectedRules,
  gpcCovers,
  isAdvertising,
  PURPOSE_FIELDS,
  type CatalogPurpose,
} from "./helpers/laws";
import { startTestServer, type TestServer } from "./helpers/server";

// Where a person lives decides their defaults, what GPC does, and how long the business has to
// answer them. Every expectation is computed from catalog/us-state-laws.json and
// catalog/world-privacy-laws.json (tests/helpers/laws.ts), so a change of law is a change of data.

const SUBMIT = `mutation($input: SubmitDataRequestInput!) { submitDataRequest(input: $input) {
  dataRequest { id receivedAt dueAt } userErrors { code message } } }`;
const EXTEND = `mutation($input: ExtendDataRequestInput!) { extendDataRequest(input: $input) {
  dataRequest { dueAt extendedDueAt } userErrors { field code message } } }`;
const RULES = `minorOptInAge optInForSaleAndAdvertising inForce sensitiveDataMode honorsGlobalPrivacyControl
  requestResponseDays requestExtensionDays`;
const DAY = 24 * 3600_000;
const days = (from: string, to: string) => Math.round((new Date(to).getTime() - new Date(from).getTime()) / DAY);

const PLACES = ["US-CA", "US-CO", "US-VA", "US-TX", "US-NJ", "US-IA", "US-WY"];
const WORLD = ["DE", "FR", "GB", "BR", "CA-QC"];

describe("Jurisdictions: each person's defaults, GPC and deadlines follow the law tables", () => {
  let t: TestServer;
  let admin: string;
  let purposes: CatalogPurpose[];
  beforeAll(async () => {
    // GPC applied only where the law requires it, so that the tables decide what it does.
    t = await startTestServer({ env: { CANDOR_GPC_SCOPE: "required", CANDOR_DEFAULT_JURISDICTION: "" } });
    admin = await t.adminToken();
    purposes = (await t.gql(`{ purposes ${PURPOSE_FIELDS} }`)).body.data!.purposes;
  });
  afterAll(() => t.close());

  const refusable = () => purposes.filter((p) => p.defaultMode !== "ESSENTIAL");

  it.each([...PLACES, ...WORLD, "UNKNOWN"])(
    "%s: rules, defaults, GPC, GPP, deadline and extension as the data says",
    async (code) => {
      const rules = expectedRules(code);
      const { everythingOptIn, ...shown } = rules;
      const answered = (await t.gql(`{ jurisdiction(code: "${code}") { code ${RULES} } }`)).body.data!.jurisdiction;
      expect(answered).toEqual({ code, ...shown });
      expect(everythingOptIn).toBe(!rules.inForce);

      // A person first seen with this jurisdiction in their token.
      const token = await t.subjectToken(`person-in-${code}`, { jurisdiction: code });
      const me = (await t.gql(`{ me { jurisdiction consents { purpose { key } status source } } }`, {}, { token })).body
        .data!.me;
      expect(me.jurisdiction).toBe(rules.inForce ? code : "UNKNOWN");
      expect(me.consents.map((c: any) => [c.purpose.key, c.status, c.source])).toEqual(
        purposes.map((p) => [p.key, expectedDefault(p, rules), "DEFAULT"]),
      );

      // The person says yes to everything they may refuse, then their browser sends GPC.
      const yes = refusable().map((p) => ({ purpose: p.key, granted: true }));
      expect(
        (await t.gql(UPDATE, { input: { channel: "WEB", changes: yes } }, { token })).body.data!.updateConsents
          .userErrors,
      ).toEqual([]);
      await t.gql("{ viewer { role } }", {}, { token, headers: { "sec-gpc": "1" } });
      const after = (await t.gql(`{ me { consents { purpose { key } status source } } }`, {}, { token })).body.data!.me
        .consents;
      expect(after.map((c: any) => [c.purpose.key, `${c.status}/${c.source}`])).toEqual(
        purposes.map((p) => [
          p.key,
          p.defaultMode === "ESSENTIAL"
            ? "GRANTED/DEFAULT"
            : rules.honorsGlobalPrivacyControl && gpcCovers(p, rules)
              ? "DENIED/GLOBAL_PRIVACY_CONTROL"
              : "GRANTED/USER",
        ]),
      );

      // usnat for US places and unknown ones; the header alone elsewhere (DESIGN §9).
      const gpp = (await t.gql(`{ me { gppString } }`, {}, { token })).body.data!.me.gppString;
      const us = code.startsWith("US-") || code === "UNKNOWN";
      expect(new GppModel(gpp).getHeader().SectionIds).toEqual(us ? [7] : []);
      if (!us) expect(gpp).toBe("DBAA");

      // A request is due in the law's days; one extension within the law's limit, or none.
      const request = (await t.gql(SUBMIT, { input: { kind: "CORRECT", details: "Fix my name." } }, { token })).body
        .data!.submitDataRequest.dataRequest;
      expect(days(request.receivedAt, request.dueAt)).toBe(rules.requestResponseDays);
      const extend = (n: number) =>
        t.gql(EXTEND, { input: { id: request.id, days: n, reason: "We need the records." } }, { token: admin });
      const limit = rules.requestExtensionDays;
      if (limit === null) {
        const refused = (await extend(10)).body.data!.extendDataRequest.userErrors;
        expect(refused).toEqual([
          { field: ["input", "days"], code: "INVALID", message: "The person's jurisdiction allows no extension" },
        ]);
      } else {
        expect((await extend(limit + 1)).body.data!.extendDataRequest.userErrors[0].code).toBe("INVALID");
        const extended = (await extend(limit)).body.data!.extendDataRequest.dataRequest;
        expect(days(extended.dueAt, extended.extendedDueAt)).toBe(limit);
      }
    },
  );

  it("each EEA country is under the EU's rules, and EU names them too", async () => {
    const eu = expectedRules("EU");
    const r = (
      await t.gql(`{ eu: jurisdiction(code: "EU") { law ${RULES} } no: jurisdiction(code: "NO") { law ${RULES} } }`)
    ).body.data!;
    expect(r.no).toEqual(r.eu);
    expect(r.eu).toMatchObject({ optInForSaleAndAdvertising: true, requestResponseDays: eu.requestResponseDays });
  });
});

describe("Defect 5: every law with a 45-day extension allows it", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it.each(["US-CO", "US-CT", "US-NJ", "US-OR", "US-IA"])("%s: one 45-day extension is granted", async (code) => {
    expect(expectedRules(code).requestExtensionDays).toBe(45);
    const token = await t.subjectToken(`extended-${code}`, { jurisdiction: code });
    const request = (await t.gql(SUBMIT, { input: { kind: "CORRECT", details: "Wrong address." } }, { token })).body
      .data!.submitDataRequest.dataRequest;
    const r = await t.gql(
      EXTEND,
      { input: { id: request.id, days: 45, reason: "The request is complex." } },
      { token: await t.adminToken() },
    );
    expect(r.body.data!.extendDataRequest.userErrors).toEqual([]);
    expect(days(request.dueAt, r.body.data!.extendDataRequest.dataRequest.extendedDueAt)).toBe(45);
  });
});

describe("Defect 6: people outside the US, and people nowhere known", () => {
  let t: TestServer;
  let engine: string;
  let purposes: CatalogPurpose[];
  beforeAll(async () => {
    t = await startTestServer({ env: { CANDOR_DEFAULT_JURISDICTION: "" } });
    engine = await t.serviceKey(["consent:read", "consent:write"]);
    purposes = (await t.gql(`{ purposes ${PURPOSE_FIELDS} }`)).body.data!.purposes;
  });
  afterAll(() => t.close());

  const UPSERT = `mutation($input: UpsertSubjectInput!) { upsertSubject(input: $input) {
    subject { externalId jurisdiction consents { purpose { key } status source } } userErrors { field code message } } }`;
  const statuses = (consents: any[]) => Object.fromEntries(consents.map((c) => [c.purpose.key, c.status]));

  it.each(["DE", "EU", "GB", "BR", "CA-QC"])(
    "upsertSubject accepts %s: sale, ads and profiling for ads wait for a yes",
    async (code) => {
      const r = await t.gql(UPSERT, { input: { externalId: `in-${code}`, jurisdiction: code } }, { token: engine });
      const { subject, userErrors } = r.body.data!.upsertSubject;
      expect(userErrors).toEqual([]);
      expect(subject.jurisdiction).toBe(code);
      const status = statuses(subject.consents);
      const ads = purposes.filter(isAdvertising);
      expect(ads.map((p) => p.key)).toEqual(
        expect.arrayContaining(["targeted-advertising", "sale-to-data-partners", "email-offers"]),
      );
      for (const p of ads) expect(status[p.key]).toBe("DENIED");
      expect(status["personalized-recommendations"]).toBe("GRANTED");
    },
  );

  it("a code that names no country or region is a clear userError, and nothing is written", async () => {
    for (const code of ["XX", "de", "UK", "US-ZZ", "Atlantis", ""]) {
      const before = await writes(t);
      const r = await t.gql(UPSERT, { input: { externalId: "nowhere-person", jurisdiction: code } }, { token: engine });
      expect(r.body.data!.upsertSubject.subject).toBeNull();
      expect(r.body.data!.upsertSubject.userErrors).toEqual([
        {
          field: ["input", "jurisdiction"],
          code: "INVALID",
          message: expect.stringContaining(`"${code}" is not a country or region code`),
        },
      ]);
      expect(await writes(t)).toEqual(before);
    }
  });

  it("a country without a law in the tables is accepted and treated as UNKNOWN", async () => {
    const r = await t.gql(UPSERT, { input: { externalId: "in-japan", jurisdiction: "JP" } }, { token: engine });
    expect(r.body.data!.upsertSubject.subject.jurisdiction).toBe("UNKNOWN");
  });

  it("UNKNOWN: every purpose that can be refused is DENIED until the person says yes", async () => {
    const check = await t.gql(
      `query($p: [String!]!) { consentCheck(subjectExternalId: "never-seen", purposes: $p) { consents { purpose { key } status source } } }`,
      { p: purposes.map((p) => p.key) },
      { token: engine },
    );
    expect(check.body.data!.consentCheck.consents.map((c: any) => [c.purpose.key, c.status])).toEqual(
      purposes.map((p) => [p.key, p.defaultMode === "ESSENTIAL" ? "GRANTED" : "DENIED"]),
    );
  });

  it("in the EU a grant stands until GPC, which is an objection (Art. 21(5) GDPR); the GPP string is the header alone", async () => {
    const token = await t.subjectToken("berliner", { jurisdiction: "DE" });
    const granted = await t.gql(
      UPDATE,
      {
        input: {
          channel: "WEB",
          changes: [
            { purpose: "targeted-advertising", granted: true },
            { purpose: "email-offers", granted: true },
          ],
        },
      },
      { token },
    );
    const status = statuses(granted.body.data!.updateConsents.subject.consents);
    expect([status["targeted-advertising"], status["email-offers"]]).toEqual(["GRANTED", "GRANTED"]);
    await t.gql("{ viewer { role } }", {}, { token, headers: { "sec-gpc": "1" } });
    const me = (await t.gql(`{ me { gppString consents { purpose { key } status source } } }`, {}, { token })).body
      .data!.me;
    const source = Object.fromEntries(me.consents.map((c: any) => [c.purpose.key, `${c.status}/${c.source}`]));
    expect(source["targeted-advertising"]).toBe("DENIED/GLOBAL_PRIVACY_CONTROL");
    expect(source["email-offers"]).toBe("DENIED/GLOBAL_PRIVACY_CONTROL");
    expect(me.gppString).toBe("DBAA");
    // Turning it back on is the person's own confirmed choice, as in the US.
    const again = await t.gql(
      UPDATE,
      { input: { channel: "WEB", changes: [{ purpose: "email-offers", granted: true }] } },
      { token },
    );
    expect(again.body.data!.updateConsents.userErrors[0].code).toBe("GPC_CONFIRMATION_REQUIRED");
  });
});

describe("the README's EU person and minor", () => {
  it("are what the server really answers", async () => {
    const { readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
    const t = await startTestServer();
    try {
      const key = await t.serviceKey(["consent:read", "consent:write"]);
      for (const name of ["EuropeanDefaults", "MinorDefaults"]) {
        const [, query, shown] = new RegExp(
          "```graphql\\n(# as: service\\nmutation " + name + "[\\s\\S]*?)```[\\s\\S]*?```json\\n([\\s\\S]*?)```",
        ).exec(readme)!;
        expect((await t.gql(query, {}, { token: key })).body.data).toEqual(JSON.parse(shown));
      }
    } finally {
      await t.close();
    }
  });
});
