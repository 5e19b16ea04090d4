import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { CatalogApplyService } from "../src/modules/catalog/catalog-apply.service";
import { CatalogFileError } from "../src/modules/catalog/catalog-file";
import { UPDATE } from "./helpers/consent";
import { startTestServer, type TestServer } from "./helpers/server";

// Issue 11, defects 1–4: a published policy version never changes, a change to what it describes
// comes with a new version, every difference is told in one plain sentence, "since you chose"
// starts where the person chose, and generated text states facts kept elsewhere.

const demoSource = readFileSync(join(__dirname, "..", "catalog", "demo.yaml"), "utf8");
const laws = JSON.parse(readFileSync(join(__dirname, "..", "catalog", "us-state-laws.json"), "utf8"));

const POLICY = `query Policy($v: Int) {
  privacyPolicy(version: $v) {
    version summary
    sections { key heading body generated }
    dataPractices { dataCategory { key } retentionDays recipients { key } disclosures { partner { key } sold sharedForAdvertising retentionDays } }
  }
}`;
const CHANGES = `{ me { policyChangesSinceConsent { fromVersion toVersion changes { kind entity key text } } } }`;

/** The demo catalog with Pixel Co and browsing history kept two years: the reproduction. */
function withPixelCo(c: any): void {
  c.dataCategories.find((d: any) => d.key === "user.behavior.browsing_history").retentionDays = 730;
  const ads = c.partners.find((p: any) => p.key === "summit-ad-network");
  c.partners.push({
    ...ads,
    key: "pixel-co",
    name: "Pixel Co",
    agreements: ads.agreements.map((a: any) => ({ ...a, key: "pixel-retargeting" })),
  });
}

/** A new version of the demo policy, with what changed in a rewritten section said in one sentence. */
function nextVersion(c: any, version: number): void {
  c.policy.version = version;
  c.policy.effectiveAt = new Date(Date.now() - 1000).toISOString();
  const keep = c.policy.sections.find((s: any) => s.key === "how-long-we-keep-it");
  keep.body = keep.body.replace("for one year", "for two years");
  keep.changeSummary = "We now keep the pages you view for two years.";
  keep.translations.es.body = keep.translations.es.body.replace("un año", "dos años");
}

describe("Policy versions: what a published version says never changes under it", () => {
  let t: TestServer;
  let apply: (source: string) => Promise<unknown>;
  const variant = (mutate: (c: any) => void) => {
    const c = parse(demoSource);
    mutate(c);
    return stringify(c);
  };
  const policy = async (v?: number) => (await t.gql(POLICY, { v })).body.data!.privacyPolicy;
  const choose = async (person: string) => {
    const token = await t.subjectToken(person);
    const r = await t.gql(
      UPDATE,
      { input: { channel: "WEB", changes: [{ purpose: "email-offers", granted: false }] } },
      { token },
    );
    expect(r.body.data!.updateConsents.userErrors).toEqual([]);
    return token;
  };
  beforeAll(async () => {
    t = await startTestServer();
    const service = new CatalogApplyService(t.services.db);
    apply = (source) => service.applyFile("demo.yaml", source, "test");
  });
  afterAll(() => t.close());

  it("refuses a practice change under a published version, listing each difference, and writes nothing", async () => {
    const before = await policy(2);
    const error = await apply(variant(withPixelCo)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CatalogFileError);
    const problems = (error as CatalogFileError).problems;
    expect(problems[0]).toMatch(/version 2 is published .* need a new version \(3\)/);
    expect(problems).toEqual(
      expect.arrayContaining([
        "policy: We now keep pages you view for 2 years instead of 1 year.",
        "policy: We now share data with Pixel Co in United States.",
        expect.stringMatching(
          /^policy: We now share .* with Pixel Co for ads, for "Ads based on what you do", and it keeps it for 90 days\.$/,
        ),
      ]),
    );
    expect(await policy(2)).toEqual(before);
    expect((await t.gql("{ partners { key } }")).body.data!.partners.map((p: any) => p.key)).not.toContain("pixel-co");
  });

  it("applies it with a new version, and the old version still says what it said", async () => {
    const early = await choose("chose-under-2");
    expect(await apply(variant((c) => (withPixelCo(c), nextVersion(c, 3))))).toMatchObject({
      added: expect.any(Number),
    });
    const v2 = await policy(2);
    const v3 = await policy(3);
    const browsing = (p: any) =>
      p.dataPractices.find((d: any) => d.dataCategory.key === "user.behavior.browsing_history");
    expect(browsing(v2).retentionDays).toBe(365);
    expect(browsing(v2).recipients.map((r: any) => r.key)).not.toContain("pixel-co");
    expect(v2.sections.find((s: any) => s.key === "how-long-we-keep-it").body).toContain("for one year");
    expect(browsing(v3).retentionDays).toBe(730);
    expect(browsing(v3).recipients.map((r: any) => r.key)).toContain("pixel-co");
    expect(await policy()).toEqual(v3);

    // Since you chose: from the version in force then; nothing for a person who chose under this one.
    const diff = (await t.gql(CHANGES, {}, { token: early })).body.data!.me.policyChangesSinceConsent;
    expect(diff).toMatchObject({ fromVersion: 2, toVersion: 3 });
    expect(diff.changes.map((c: any) => c.text)).toEqual(
      expect.arrayContaining([
        "We now share data with Pixel Co in United States.",
        "We now keep pages you view for 2 years instead of 1 year.",
        'In "How long we keep it": We now keep the pages you view for two years.',
      ]),
    );
    // The README shows this very diff.
    const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
    const shown = JSON.parse(/keeps page views two years[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)![1]);
    expect(diff.changes).toEqual(expect.arrayContaining(shown.changes));
    const late = await choose("chose-under-3");
    expect((await t.gql(CHANGES, {}, { token: late })).body.data!.me.policyChangesSinceConsent).toBeNull();
  });

  it("tells every material change in a plain sentence: what it was and what it is now", async () => {
    const early = await choose("chose-under-3-too");
    await apply(
      variant((c) => {
        withPixelCo(c);
        nextVersion(c, 4);
        const parcel = c.partners.find((p: any) => p.key === "ridgeline-parcel");
        parcel.agreements[0].retentionDays = 3650;
        c.partners.find((p: any) => p.key === "clearview-analytics").country = "CN";
        c.purposes.find((p: any) => p.key === "email-offers").regulatedUses.push("SALE");
        c.purposes.find((p: any) => p.key === "product-improvement").legalBasis = "CONSENT";
      }),
    );
    const diff = (await t.gql(CHANGES, {}, { token: early })).body.data!.me.policyChangesSinceConsent;
    expect(diff).toMatchObject({ fromVersion: 3, toVersion: 4 });
    expect(diff.changes.map((c: any) => [c.entity, c.key, c.text])).toEqual(
      expect.arrayContaining([
        [
          "AGREEMENT",
          "ridgeline-parcel/deliveries",
          "Ridgeline Parcel now keeps your data for 10 years instead of 90 days.",
        ],
        [
          "PARTNER_COUNTRY",
          "clearview-analytics",
          "Clearview Analytics now handles your data in China instead of Canada.",
        ],
        ["REGULATED_USE", "email-offers", '"Offer emails" now counts as a sale of your data; before, it did not.'],
        [
          "LEGAL_BASIS",
          "product-improvement",
          'For "Make our site better" we now rely on your consent instead of our legitimate interest.',
        ],
      ]),
    );
    for (const c of diff.changes) expect(c.text).toMatch(/^[A-Z"].*[.!?]$/);
  });

  it("states deadlines from the jurisdiction table and who buys the data from the agreements, never by hand", async () => {
    const current = await policy();
    const written = current.sections.filter((s: any) => !s.generated);
    for (const s of written) expect(s.body).not.toMatch(/never later than \d+ days/);
    const answer = current.sections.find((s: any) => s.key === "how-fast-we-answer");
    expect(answer.generated).toBe(true);
    const iowa = laws.find((l: any) => l.state === "IA");
    expect(answer.body).toMatch(new RegExp(`We take at most ${iowa.responseDays} days in [^.]*Iowa[^.]*\\.`));
    const buyers = current.sections.find((s: any) => s.key === "who-buys-your-data");
    const broker = parse(demoSource).partners.find((p: any) => p.key === "open-range-data");
    expect(buyers.body).toContain(`We sell some of your data to ${broker.name} (`);
    const purchases = current.dataPractices.find((d: any) => d.dataCategory.key === "user.behavior.purchase_history");
    expect(purchases.disclosures).toEqual(
      expect.arrayContaining([
        { partner: { key: "open-range-data" }, sold: true, sharedForAdvertising: false, retentionDays: 365 },
      ]),
    );
  });

  it("refuses a rewritten section without a sentence on what changed, naming it", async () => {
    const error = await apply(
      variant((c) => {
        withPixelCo(c);
        nextVersion(c, 5);
        c.policy.sections[0].body += " We also keep notes.";
      }),
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as CatalogFileError).problems).toEqual([
      "policy.sections[0] (what-we-collect).changeSummary: the body changed since version 4; say what changed in one sentence",
    ]);
  });
});
