import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startTestServer, type TestServer } from "./helpers/server";

// The public catalog, read as a privacy page or a consent screen would, on the demo catalog.
describe("Catalog: a privacy page or a consent screen reads the purposes, data, surfaces, partners and rules", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it("lists purposes covering every consent mode and regulated use, with their data categories", async () => {
    const r = await t.gql(
      "{ purposes { id key name description benefit legalBasis defaultMode regulatedUses dpvIri dataCategories { key sensitive } } }",
    );
    const purposes = r.body.data!.purposes as any[];
    expect(purposes.length).toBeGreaterThanOrEqual(8);
    expect(new Set(purposes.map((p) => p.defaultMode))).toEqual(new Set(["OPT_IN", "OPT_OUT", "ESSENTIAL"]));
    expect(new Set(purposes.flatMap((p) => p.regulatedUses))).toEqual(
      new Set(["SALE", "CROSS_CONTEXT_BEHAVIORAL_ADVERTISING", "TARGETED_ADVERTISING", "PROFILING", "SENSITIVE_DATA"]),
    );
    for (const p of purposes) {
      expect(p.name && p.description && p.benefit).toBeTruthy();
      // The consistency rule: a purpose that uses sensitive data says so.
      if (p.dataCategories.some((d: any) => d.sensitive)) expect(p.regulatedUses).toContain("SENSITIVE_DATA");
    }
  });

  it("lists data categories, sensitive ones with their GPP slot", async () => {
    const r = await t.gql("{ dataCategories { key sensitive retentionDays gppSensitiveSlot dpvIri } }");
    const categories = r.body.data!.dataCategories as any[];
    expect(categories.length).toBeGreaterThanOrEqual(12);
    const sensitive = categories.filter((c) => c.sensitive);
    expect(sensitive.map((c) => c.key)).toEqual(
      expect.arrayContaining(["user.location.precise", "user.health.fitness_activity"]),
    );
    for (const c of sensitive) expect(c.gppSensitiveSlot).toBeGreaterThanOrEqual(1);
    expect(categories.find((c) => c.key === "user.location.precise").gppSensitiveSlot).toBe(8);
    expect(categories.find((c) => c.key === "user.health.fitness_activity").gppSensitiveSlot).toBe(3);
  });

  it("lists nested personalization levels", async () => {
    const levels = (await t.gql("{ personalizationLevels { level name purposes { key } } }")).body.data!
      .personalizationLevels as any[];
    expect(levels.map((l) => l.level)).toEqual([...levels.map((l) => l.level)].sort((a, b) => a - b));
    levels.slice(1).forEach((l, i) => {
      const keys = l.purposes.map((p: any) => p.key);
      for (const k of levels[i].purposes.map((p: any) => p.key)) expect(keys).toContain(k);
    });
  });

  it("lists surfaces with main parameters, algorithm cards per version, partners and agreements", async () => {
    const r = await t.gql(`{
      surfaces { key name mainParameters { name description } modes }
      algorithms { key version name decisionKinds plainLanguageLogic humanInvolvement evaluation validFrom validTo inputs { key } purposes { key } }
      partners { key role country iabVendorId agreements { key isSale isSharingForAdvertising safeguards retentionDays purpose { key regulatedUses } dataCategories { key } partner { key } } }
    }`);
    const { surfaces, algorithms, partners } = r.body.data as any;
    expect(surfaces.length).toBeGreaterThanOrEqual(3);
    expect(surfaces.map((s: any) => s.key)).toEqual(expect.arrayContaining(["product-page-ads", "email-offers"]));
    for (const s of surfaces) expect(s.mainParameters.length).toBeGreaterThan(0);

    const versions = new Map<string, string[]>();
    for (const a of algorithms) versions.set(a.key, [...(versions.get(a.key) ?? []), a.version]);
    expect(versions.size).toBeGreaterThanOrEqual(3);
    for (const v of versions.values()) expect(v.length).toBeGreaterThanOrEqual(2);
    for (const a of algorithms) expect(a.inputs.length * a.purposes.length).toBeGreaterThan(0);

    expect(partners.length).toBeGreaterThanOrEqual(4);
    expect(new Set(partners.map((p: any) => p.role)).size).toBeGreaterThanOrEqual(4);
    const agreements = partners.flatMap((p: any) => p.agreements.map((a: any) => ({ ...a, role: p.role })));
    expect(
      agreements.some((a: any) => a.role === "DATA_BROKER" && a.isSale && a.purpose.regulatedUses.includes("SALE")),
    ).toBe(true);
    expect(agreements.some((a: any) => a.role === "ADVERTISER" && a.isSharingForAdvertising)).toBe(true);
    for (const p of partners) for (const a of p.agreements) expect(a.partner.key).toBe(p.key);
  });

  it("reads sharing disclosures, filtered by partner or purpose; an unknown key is NOT_FOUND", async () => {
    const all = (await t.gql("{ sharingDisclosures { key partner { key } purpose { key } } }")).body.data!
      .sharingDisclosures as any[];
    expect(all.length).toBeGreaterThanOrEqual(2);
    const broker = (await t.gql('{ sharingDisclosures(partner: "open-range-data") { key isSale partner { key } } }'))
      .body.data!.sharingDisclosures as any[];
    expect(broker.length).toBeGreaterThan(0);
    expect(broker.every((a) => a.partner.key === "open-range-data")).toBe(true);
    const ads = (await t.gql('{ sharingDisclosures(purpose: "targeted-advertising") { purpose { key } } }')).body.data!
      .sharingDisclosures as any[];
    expect(ads.length).toBeGreaterThan(0);
    expect(ads.every((a) => a.purpose.key === "targeted-advertising")).toBe(true);
    const missing = await t.gql('{ sharingDisclosures(partner: "no-such-partner") { key } }');
    expect(missing.body.errors?.[0]?.extensions).toEqual({ code: "NOT_FOUND", field: ["partner"] });
    expect(missing.body.errors?.[0]?.message).toContain("no-such-partner");
  });

  it("publishes the privacy policy in plain language", async () => {
    const r = await t.gql(
      "{ privacyPolicy { version effectiveAt summary readingGrade sections { key heading body readingGrade } } v1: privacyPolicy(version: 1) { version } v9: privacyPolicy(version: 9) { version } }",
    );
    const policy = r.body.data!.privacyPolicy;
    expect(policy.version).toBe(2);
    expect(policy.sections.length).toBeGreaterThanOrEqual(5);
    expect(policy.readingGrade).toBeLessThanOrEqual(8);
    for (const s of policy.sections) expect(s.readingGrade).toBeLessThanOrEqual(8);
    expect(r.body.data!.v1.version).toBe(1);
    expect(r.body.data!.v9).toBeNull();
  });

  it("answers each jurisdiction with the rules in force today", async () => {
    const q = `{ ca: jurisdiction(code: "US-CA") { ...J } va: jurisdiction(code: "US-VA") { ...J } co: jurisdiction(code: "US-CO") { ...J }
      ut: jurisdiction(code: "US-UT") { ...J } vt: jurisdiction(code: "US-VT") { ...J } unknown: jurisdiction(code: "UNKNOWN") { ...J }
      none: jurisdiction(code: "US-XX") { ...J } }
      fragment J on Jurisdiction { code inForce sensitiveDataMode honorsGlobalPrivacyControl requestResponseDays requestExtensionDays }`;
    const j = (await t.gql(q)).body.data as any;
    expect(j.ca).toEqual({
      code: "US-CA",
      inForce: true,
      sensitiveDataMode: "OPT_OUT",
      honorsGlobalPrivacyControl: true,
      requestResponseDays: 45,
      requestExtensionDays: 45,
    });
    expect(j.va).toMatchObject({
      sensitiveDataMode: "OPT_IN",
      honorsGlobalPrivacyControl: false,
      requestExtensionDays: 45,
    });
    expect(j.co).toMatchObject({
      sensitiveDataMode: "OPT_IN",
      honorsGlobalPrivacyControl: true,
      // As researched (catalog/us-state-laws.json, a copy of ../shared/data): read, not restated.
      requestExtensionDays: stateLaw("CO").extensionDays ?? null,
    });
    expect(j.ut).toMatchObject({ sensitiveDataMode: "OPT_OUT", honorsGlobalPrivacyControl: false });
    // Vermont's law takes effect in 2028: until then, the strict UNKNOWN treatment.
    expect(j.vt).toEqual({
      code: "US-VT",
      inForce: false,
      sensitiveDataMode: "OPT_IN",
      honorsGlobalPrivacyControl: true,
      requestResponseDays: 45,
      requestExtensionDays: null,
    });
    expect(j.unknown).toMatchObject({
      code: "UNKNOWN",
      sensitiveDataMode: "OPT_IN",
      honorsGlobalPrivacyControl: true,
      requestResponseDays: 45,
    });
    expect(j.none).toBeNull();
  });

  it("resolves every catalog object by global id through node, and nothing for a bad id", async () => {
    const r = await t.gql(
      `{ purposes { id key } dataCategories { id key } surfaces { id key } algorithms { id key } partners { id key } sharingDisclosures { id key } privacyPolicy { id version } }`,
    );
    const d = r.body.data as any;
    const objects = [
      d.purposes[0],
      d.dataCategories[0],
      d.surfaces[0],
      d.algorithms[0],
      d.partners[0],
      d.sharingDisclosures[0],
      d.privacyPolicy,
    ];
    for (const o of objects) {
      const n = await t.gql(
        "query($id: ID!) { node(id: $id) { id __typename ... on Purpose { key } ... on DataCategory { key } ... on Surface { key } ... on AlgorithmCard { key } ... on Partner { key } ... on SharingAgreement { key } ... on PrivacyPolicy { version } } }",
        { id: o.id },
      );
      expect(n.body.data!.node).toMatchObject(o);
    }
    expect(new Set(objects.map((o) => o.id)).size).toBe(objects.length);
    const bogus = [
      "nope",
      "",
      Buffer.from("Purpose:not-a-uuid").toString("base64url"),
      Buffer.from("Purpose:01900000-0000-7000-8000-000000000000").toString("base64url"),
      Buffer.from("Secret:01900000-0000-7000-8000-000000000000").toString("base64url"),
    ];
    for (const id of bogus) {
      const n = await t.gql("query($id: ID!) { node(id: $id) { id } }", { id });
      expect(n.body.errors).toBeUndefined();
      expect(n.body.data!.node).toBeNull();
    }
  });

  it("costs no SQL statement however wide the catalog is: it is served from memory", async () => {
    // The catalog of the current version is held in memory (DESIGN §9, "Catalog version").
    expect((await t.gql("{ purposes { key dataCategories { key } } }")).sqlCount).toBe(0);
    expect(
      (await t.gql("{ partners { key agreements { key purpose { key } partner { key } dataCategories { key } } } }"))
        .sqlCount,
    ).toBe(0);
    expect(
      (await t.gql("{ algorithms { key inputs { key } purposes { key dataCategories { key } } } }")).sqlCount,
    ).toBe(0);
    expect((await t.gql("{ personalizationLevels { level purposes { key } } }")).sqlCount).toBe(0);
  });
});

/** One state's row of the law data the project keeps (catalog/us-state-laws.json). */
function stateLaw(state: string): { extensionDays: number | null } {
  const laws = JSON.parse(readFileSync(join(__dirname, "..", "catalog", "us-state-laws.json"), "utf8")) as Array<{
    state: string;
    extensionDays: number | null;
  }>;
  return laws.find((law) => law.state === state)!;
}
