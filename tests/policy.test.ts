import { ConsentState } from "../src/modules/consent/consent-state.entity";
import { DataCategory } from "../src/modules/catalog/data-category.entity";
import { UPDATE } from "./helpers/consent";
import { startTestServer, type TestServer } from "./helpers/server";

/** A section with its Spanish: the server refuses a policy a person cannot read whole in Spanish. */
const es = (section: Record<string, string>, heading: string, body: string) => ({
  ...section,
  translations: [{ locale: "es", heading, body }],
});

const PUBLISH = `mutation($input: PublishPrivacyPolicyInput!) { publishPrivacyPolicy(input: $input) { privacyPolicy { version readingGrade sections { key readingGrade } } warnings userErrors { field code } } }`;
const CHANGES = `{ me { policyChangesSinceConsent { fromVersion toVersion changes { kind entity key text } } } }`;

// The privacy policy: versions, data practices generated from the catalog, and what changed.
describe("Privacy policy: people read what is done with their data and what changed since they chose", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it("generates its data practices from the catalog: every category, why it is used, who gets it, how long it is kept", async () => {
    const r = await t.gql(
      "{ privacyPolicy { version dataPractices { dataCategory { key } purposes { key } recipients { key } retentionDays } } dataCategories { key retentionDays } }",
    );
    const { privacyPolicy, dataCategories } = r.body.data as any;
    expect(privacyPolicy.dataPractices.map((d: any) => d.dataCategory.key)).toEqual(
      dataCategories.map((c: any) => c.key),
    );
    const purchases = privacyPolicy.dataPractices.find(
      (d: any) => d.dataCategory.key === "user.behavior.purchase_history",
    );
    expect(purchases.purposes.map((p: any) => p.key)).toEqual(
      expect.arrayContaining(["order-fulfillment", "sale-to-data-partners"]),
    );
    expect(purchases.recipients.map((p: any) => p.key)).toEqual(expect.arrayContaining(["open-range-data"]));
    for (const d of privacyPolicy.dataPractices)
      expect(d.retentionDays).toBe(dataCategories.find((c: any) => c.key === d.dataCategory.key).retentionDays);
  });

  it("shows a person who last chose under version 1 what changed since, in plain sentences", async () => {
    const token = await t.subjectToken("chose-in-2025");
    expect((await t.gql(CHANGES, {}, { token })).body.data!.me.policyChangesSinceConsent).toBeNull(); // never chose
    await t.gql(
      UPDATE,
      { input: { channel: "WEB", changes: [{ purpose: "email-offers", granted: false }] } },
      { token },
    );
    // As if that choice had been made in 2025, under version 1.
    const me = (await t.services.people.find("chose-in-2025"))!;
    await t.services.db.transaction((m) => m.update(ConsentState, { subjectId: me.id }, { policyVersion: 1 }));
    const diff = (await t.gql(CHANGES, {}, { token })).body.data!.me.policyChangesSinceConsent;
    expect(diff).toMatchObject({ fromVersion: 1, toVersion: 2 });
    const keyed = diff.changes.map((c: any) => `${c.kind} ${c.entity} ${c.key}`);
    expect(keyed).toEqual(
      expect.arrayContaining([
        "ADDED PURPOSE fitness-recommendations",
        "ADDED DATA_CATEGORY user.health.fitness_activity",
        "ADDED PARTNER campfire-social",
        "CHANGED RETENTION user.behavior.browsing_history",
        "CHANGED SECTION what-we-collect",
      ]),
    );
    for (const c of diff.changes) expect(c.text).toMatch(/^[A-Z].*\.$/);
  });

  it("publishes a new version (admins only), snapshots the catalog, and warns about hard reading", async () => {
    const admin = await t.adminToken();
    const hard =
      "Notwithstanding contractual indemnification obligations, organizational administrative representatives systematically communicate comprehensive informational documentation.";
    const r = await t.gql(
      PUBLISH,
      {
        input: {
          summary: "We changed how long we keep data.",
          summaryTranslations: [{ locale: "es", text: "Cambiamos cuánto tiempo guardamos los datos." }],
          sections: [
            es(
              { key: "retention", heading: "How long we keep data", body: "We keep page views for a year." },
              "Cuánto tiempo guardamos los datos",
              "Guardamos las páginas que ves durante un año.",
            ),
            es({ key: "legal", heading: "Legal", body: hard }, "Aviso legal", "Texto legal."),
          ],
        },
      },
      { token: admin },
    );
    const out = r.body.data!.publishPrivacyPolicy;
    expect(out.privacyPolicy.version).toBe(3);
    expect(out.warnings).toEqual([expect.stringContaining('Section "legal" reads at grade')]);
    // A catalog change after version 3 shows in the live data practices, and in the next diff.
    const token = await t.subjectToken("chose-under-3");
    await t.gql(
      UPDATE,
      { input: { channel: "WEB", changes: [{ purpose: "email-offers", granted: false }] } },
      { token },
    );
    await t.services.db.transaction((m) =>
      m.update(DataCategory, { key: "user.contact.email" }, { retentionDays: 99 }),
    );
    await t.gql(
      PUBLISH,
      {
        input: {
          summary: "Email is kept 99 days now.",
          summaryTranslations: [{ locale: "es", text: "Ahora guardamos el correo 99 días." }],
          sections: [
            es(
              {
                key: "retention",
                heading: "How long we keep data",
                body: "We keep email for 99 days.",
                changeSummary: "We now say how long we keep email",
              },
              "Cuánto tiempo guardamos los datos",
              "Guardamos el correo durante 99 días.",
            ),
          ],
        },
      },
      { token: admin },
    );
    const diff = (await t.gql(CHANGES, {}, { token })).body.data!.me.policyChangesSinceConsent;
    expect(diff).toMatchObject({ fromVersion: 3, toVersion: 4 });
    expect(diff.changes.map((c: any) => `${c.kind} ${c.entity} ${c.key}`)).toEqual(
      expect.arrayContaining([
        "CHANGED RETENTION user.contact.email",
        "CHANGED SECTION retention",
        "REMOVED SECTION legal",
      ]),
    );
    // A rewritten section is told in the publisher's own words.
    expect(diff.changes.find((c: any) => c.entity === "SECTION" && c.key === "retention").text).toBe(
      'In "How long we keep data": We now say how long we keep email.',
    );
    const dup = await t.gql(
      PUBLISH,
      {
        input: {
          summary: "x",
          summaryTranslations: [{ locale: "es", text: "x" }],
          sections: [
            es({ key: "a", heading: "A", body: "a" }, "A", "a"),
            es({ key: "a", heading: "B", body: "b" }, "B", "b"),
          ],
        },
      },
      { token: admin },
    );
    expect(dup.body.data!.publishPrivacyPolicy.userErrors).toEqual([
      { field: ["input", "sections", "1", "key"], code: "INVALID" },
    ]);
    const bySubject = await t.gql(
      PUBLISH,
      { input: { summary: "x", sections: [{ key: "a", heading: "A", body: "a" }] } },
      { token },
    );
    expect(bySubject.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("refuses a policy without its Spanish, naming what is missing, and publishes nothing", async () => {
    const admin = await t.adminToken();
    const count = async () =>
      Number((await t.services.db.manager.query("SELECT COUNT(*) AS n FROM privacy_policy"))[0].n);
    const before = await count();
    const section = { key: "a", heading: "How long we keep data", body: "We keep page views for a year." };
    const attempts: Array<[Record<string, unknown>, string[]]> = [
      [{ summary: "We changed it.", sections: [es(section, "Cuánto", "Un año.")] }, ["input", "summaryTranslations"]],
      [
        {
          summary: "We changed it.",
          summaryTranslations: [{ locale: "es", text: "Lo cambiamos." }],
          sections: [section],
        },
        ["input", "sections", "0", "translations"],
      ],
      [
        {
          summary: "We changed it.",
          summaryTranslations: [{ locale: "fr", text: "Nous l'avons changé." }],
          sections: [es(section, "Cuánto", "Un año.")],
        },
        ["input", "summaryTranslations", "0", "locale"],
      ],
    ];
    for (const [input, field] of attempts) {
      const r = await t.gql(PUBLISH, { input }, { token: admin });
      expect(r.body.data!.publishPrivacyPolicy.userErrors).toEqual([{ field, code: "INVALID" }]);
    }
    expect(await count()).toBe(before);
    const ok = await t.gql(
      PUBLISH,
      {
        input: {
          summary: "We changed it.",
          summaryTranslations: [{ locale: "es-MX", text: "Lo cambiamos." }],
          sections: [es(section, "Cuánto tiempo", "Un año.")],
        },
      },
      { token: admin },
    );
    const version = ok.body.data!.publishPrivacyPolicy.privacyPolicy.version;
    const read = await t.gql(
      `query($v: Int) { privacyPolicy(version: $v) { summary(locale: "es") sections { generated heading(locale: "es") body(locale: "es") } } }`,
      { v: version },
    );
    const { summary, sections } = read.body.data!.privacyPolicy;
    expect(summary).toBe("Lo cambiamos.");
    expect(sections.filter((s: any) => !s.generated)).toEqual([
      { generated: false, heading: "Cuánto tiempo", body: "Un año." },
    ]);
    // The generated sections are in Spanish too.
    for (const s of sections.filter((x: any) => x.generated))
      expect(s.body).toMatch(/^(Respondemos|Vendemos|No vendemos)/);
  });
});
