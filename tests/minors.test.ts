import { GppModel } from "@iabgpp/cmpapi";
import { UPDATE, writes } from "./helpers/consent";
import { expectedRules, isSaleOrAds, PURPOSE_FIELDS, type CatalogPurpose } from "./helpers/laws";
import { startTestServer, type TestServer } from "./helpers/server";

// Minors (issue 11, defect 7): the business tells Candor a person's age bracket; below their
// jurisdiction's minorOptInAge (from the law files) sale and ads wait for a yes, under 13 nothing
// profiles them, and the GPP string says so.

const UPSERT = `mutation($input: UpsertSubjectInput!) { upsertSubject(input: $input) {
  subject { externalId consents { purpose { key } status source } } userErrors { field code message } } }`;
const ME = `{ me { ageBracket gppString consents { purpose { key } status source } } }`;
const LOWEST: Record<string, number> = { UNDER_13: 0, AGE_13_15: 13, AGE_16_17: 16, ADULT: 18 };
const BRACKETS = Object.keys(LOWEST);

const statusOf = (consents: any[]) =>
  Object.fromEntries(consents.map((c) => [c.purpose.key, `${c.status}/${c.source}`])) as Record<string, string>;

/** usnat's KnownChildSensitiveDataConsents: [13-16, under 13, 16-17]. */
const childConsents = (gpp: string) =>
  (new GppModel(gpp).getSection("usnat") as Record<string, any>).KnownChildSensitiveDataConsents;

describe("Minors: an age bracket makes sale and ads opt-in below the law's age, and stops profiling under 13", () => {
  let t: TestServer;
  let purposes: CatalogPurpose[];
  const profiles = (p: CatalogPurpose) =>
    p.regulatedUses.some((u) =>
      ["PROFILING", "TARGETED_ADVERTISING", "CROSS_CONTEXT_BEHAVIORAL_ADVERTISING"].includes(u),
    );
  beforeAll(async () => {
    t = await startTestServer();
    purposes = (await t.gql(`{ purposes ${PURPOSE_FIELDS} }`)).body.data!.purposes;
  });
  afterAll(() => t.close());

  async function personIn(code: string, name: string, ageBracket: string) {
    const token = await t.subjectToken(name, { jurisdiction: code });
    const r = await t.gql(UPSERT, { input: { externalId: name, ageBracket } }, { token });
    expect(r.body.data!.upsertSubject.userErrors).toEqual([]);
    return { token, me: (await t.gql(ME, {}, { token })).body.data!.me };
  }

  it.each(["US-CA", "US-NJ", "US-TX", "DE", "GB", "BR"])(
    "%s: each bracket's defaults follow the law file's minorOptInAge",
    async (code) => {
      const minorAge = expectedRules(code).minorOptInAge!;
      for (const bracket of BRACKETS) {
        const { me } = await personIn(code, `${code}-${bracket}`, bracket);
        expect(me.ageBracket).toBe(bracket);
        const status = statusOf(me.consents);
        const minor = LOWEST[bracket] < minorAge;
        for (const p of purposes.filter((x) => x.defaultMode !== "ESSENTIAL")) {
          const seen = `${bracket} ${p.key}: ${status[p.key]}`;
          if (bracket === "UNDER_13" && profiles(p)) expect(seen).toBe(`${bracket} ${p.key}: DENIED/DEFAULT`);
          if (minor && isSaleOrAds(p)) expect(seen).toBe(`${bracket} ${p.key}: DENIED/DEFAULT`);
        }
        // An adult's sale and ads follow the place's own rule (on in the US, off where opt-in).
        const adultSale = expectedRules(code).optInForSaleAndAdvertising ? "DENIED/DEFAULT" : "GRANTED/DEFAULT";
        if (!minor) expect(`${bracket} ${status["sale-to-data-partners"]}`).toBe(`${bracket} ${adultSale}`);
        if (bracket !== "UNDER_13")
          expect(`${bracket} ${status["personalized-recommendations"]}`).toBe(`${bracket} GRANTED/DEFAULT`);
      }
    },
  );

  it("says so in the GPP string: the minor's own child slot is 1 until a yes, 2 after, others 0", async () => {
    const teen = await personIn("US-CA", "gpp-teen", "AGE_13_15");
    expect(childConsents(teen.me.gppString)).toEqual([1, 0, 0]);
    await t.gql(
      UPDATE,
      { input: { channel: "WEB", changes: [{ purpose: "sale-to-data-partners", granted: true }] } },
      { token: teen.token },
    );
    expect(childConsents((await t.gql(ME, {}, { token: teen.token })).body.data!.me.gppString)).toEqual([2, 0, 0]);
    expect(childConsents((await personIn("US-CA", "gpp-child", "UNDER_13")).me.gppString)).toEqual([0, 1, 0]);
    // New Jersey's age is 17: a 16-year-old is a minor there, not in California.
    expect(childConsents((await personIn("US-NJ", "gpp-nj-16", "AGE_16_17")).me.gppString)).toEqual([0, 0, 1]);
    expect(childConsents((await personIn("US-CA", "gpp-ca-16", "AGE_16_17")).me.gppString)).toEqual([0, 0, 0]);
    expect(childConsents((await personIn("US-CA", "gpp-adult", "ADULT")).me.gppString)).toEqual([0, 0, 0]);
  });

  it("a change of bracket re-derives defaults, keeps the choices that stay lawful, and is audited", async () => {
    const name = "growing-up";
    const token = await t.subjectToken(name, { jurisdiction: "US-CA" });
    const chosen = await t.gql(
      UPDATE,
      {
        input: {
          channel: "WEB",
          changes: [
            { purpose: "sale-to-data-partners", granted: true },
            { purpose: "personalized-recommendations", granted: true },
          ],
        },
      },
      { token },
    );
    expect(chosen.body.data!.updateConsents.userErrors).toEqual([]);
    const before = await writes(t);

    const teen = await t.gql(UPSERT, { input: { externalId: name, ageBracket: "AGE_13_15" } }, { token });
    const status = statusOf(teen.body.data!.upsertSubject.subject.consents);
    expect(status["sale-to-data-partners"]).toBe("GRANTED/USER"); // the person's own yes stands
    expect(status["targeted-advertising"]).toBe("DENIED/DEFAULT"); // no yes: opt-in now
    const after = await writes(t);
    expect(after).toEqual({
      ...before,
      subject: before.subject,
      consent_event: before.consent_event + 1,
      audit_log: before.audit_log + 1,
    });
    const subject = (await t.services.people.find(name))!;
    const [entry] = await t.services.db.manager.query(
      "SELECT action, detail FROM audit_log WHERE entity_id = ? ORDER BY seq DESC LIMIT 1",
      [subject.id],
    );
    const detail = typeof entry.detail === "string" ? JSON.parse(entry.detail) : entry.detail;
    expect(entry.action).toBe("consent.upsertSubject");
    expect(detail).toMatchObject({ ageBracket: "AGE_13_15", jurisdiction: "US-CA", receipt: null });
    const history = (
      await t.gql(
        `{ me { consentHistory(first: 1) { edges { node { purpose { key } status source } } } } }`,
        {},
        { token },
      )
    ).body.data!.me.consentHistory.edges[0].node;
    expect(history).toEqual({ purpose: { key: "targeted-advertising" }, status: "DENIED", source: "DEFAULT" });

    // The same bracket again changes nothing and writes nothing.
    await t.gql(UPSERT, { input: { externalId: name, ageBracket: "AGE_13_15" } }, { token });
    expect(await writes(t)).toEqual(after);

    // Under 13: profiling is off whatever was chosen, and a new yes is refused, writing nothing.
    const child = await t.gql(UPSERT, { input: { externalId: name, ageBracket: "UNDER_13" } }, { token });
    expect(statusOf(child.body.data!.upsertSubject.subject.consents)["personalized-recommendations"]).toBe(
      "DENIED/DEFAULT",
    );
    const childWrites = await writes(t);
    const refused = await t.gql(
      UPDATE,
      { input: { channel: "WEB", changes: [{ purpose: "personalized-recommendations", granted: true }] } },
      { token },
    );
    expect(refused.body.data!.updateConsents.userErrors).toEqual([
      {
        field: ["input", "changes"],
        code: "INVALID",
        message: expect.stringContaining("stays off for a child under 13"),
      },
    ]);
    expect(await writes(t)).toEqual(childWrites);

    // Told the person is an adult after all: the earlier yes to recommendations is lawful again.
    const adult = await t.gql(UPSERT, { input: { externalId: name, ageBracket: "ADULT" } }, { token });
    expect(statusOf(adult.body.data!.upsertSubject.subject.consents)["personalized-recommendations"]).toBe(
      "GRANTED/USER",
    );
  });

  it("a service with consent:write may set the bracket; one without it is refused and nothing is written", async () => {
    const writer = await t.serviceKey(["consent:write"], "age-writer");
    const set = await t.gql(
      UPSERT,
      { input: { externalId: "told-by-service", ageBracket: "AGE_13_15" } },
      { token: writer },
    );
    expect(set.body.data!.upsertSubject.userErrors).toEqual([]);
    expect(statusOf(set.body.data!.upsertSubject.subject.consents)["targeted-advertising"]).toBe("DENIED/DEFAULT");
    const admin = await t.adminToken();
    const read = await t.gql(`{ subject(externalId: "told-by-service") { ageBracket } }`, {}, { token: admin });
    expect(read.body.data!.subject.ageBracket).toBe("AGE_13_15");

    const engine = await t.serviceKey(["decisions:write", "consent:read"], "age-reader");
    const before = await writes(t);
    const refused = await t.gql(
      UPSERT,
      { input: { externalId: "told-by-service", ageBracket: "ADULT" } },
      { token: engine },
    );
    expect(refused.body.data).toBeNull();
    expect(refused.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await writes(t)).toEqual(before);
    expect(
      (await t.gql(`{ subject(externalId: "told-by-service") { ageBracket } }`, {}, { token: admin })).body.data!
        .subject.ageBracket,
    ).toBe("AGE_13_15");
  });

  it("UNKNOWN is the bracket of a person never told, and clears one told", async () => {
    const token = await t.subjectToken("ageless");
    expect((await t.gql(ME, {}, { token })).body.data!.me.ageBracket).toBe("UNKNOWN");
    await t.gql(UPSERT, { input: { externalId: "ageless", ageBracket: "AGE_16_17" } }, { token });
    await t.gql(UPSERT, { input: { externalId: "ageless", ageBracket: "UNKNOWN" } }, { token });
    expect((await t.gql(ME, {}, { token })).body.data!.me.ageBracket).toBe("UNKNOWN");
  });
});
