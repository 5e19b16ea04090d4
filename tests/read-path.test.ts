import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { parse, stringify } from "yaml";
import { recordDemoDecisions } from "../src/app/demo/demo-decisions";
import { CatalogApplyService } from "../src/modules/catalog/catalog-apply.service";
import { record, recommendation } from "./helpers/decisions";
import { startMain, type Started } from "./helpers/process";
import { readmeQuery } from "./helpers/readme";
import { startTestServer, TEST_DEFAULT_JURISDICTION, TEST_JWT_SECRET, type TestServer } from "./helpers/server";

// The read path (issue 13): the catalog is served from memory at its current version, the caller's
// person is read once, a person's consent and mode state comes in one statement, and an
// explanation's words are rendered once per (decision, locale, catalog version). Counts are
// deterministic, the same on SQLite and MariaDB.

const WIDGETS =
  "{ me { decisions(first: 5) { edges { node { itemLabel factors { share purpose { key } controls { kind active } } explanation { headline factors { text } } } } } } }";
const CHECKS = `query($ids: [String!]!) { consentChecks(subjectExternalIds: $ids, purposes: ["personalized-recommendations", "targeted-advertising"]) { subjectExternalId allGranted consents { purpose { key } status source } } }`;
const WHY_AD = readmeQuery("WhyThisAd");
const demoCatalog = () => parse(readFileSync(join(__dirname, "..", "catalog", "demo.yaml"), "utf8"));

/** The demo catalog with one surface renamed (English): not a practice, so no new policy version is needed. */
function renamed(surface: string, name: string): string {
  const file = demoCatalog();
  file.surfaces.find((s: { key: string }) => s.key === surface).name = name;
  return stringify(file);
}

describe("The read path: a widget, a consent screen, the catalog page and the engine's checks, in few statements", () => {
  let t: TestServer;
  let token: string;
  beforeAll(async () => {
    t = await startTestServer();
    await recordDemoDecisions(t.services);
    token = await t.subjectToken("demo-person-1");
    await t.gql("{ me { id } }", {}, { token });
  });
  afterAll(() => t.close());

  it("answers the README's WhyThisAd in 4 statements — person, decision, factors, the person's state — and none for the catalog", async () => {
    const r = await t.gql(WHY_AD, {}, { token });
    expect(r.body.errors).toBeUndefined();
    const why = r.body.data!.whyAmISeeing;
    expect(why.sponsor).toEqual({ onBehalfOf: "Summit Tents", paidBy: "Summit Tents" });
    expect(why.explanation.factors[0].text).toBe(
      "Summit Tents asked to reach people who looked at tents. Data used: pages you view.",
    );
    expect(why.explanation.partnersInvolved).toEqual([{ name: "Campfire Social" }]);
    expect(why.explanation.controls.map((c: any) => `${c.kind}:${c.active}`)).toEqual([
      "WITHDRAW_CONSENT:false",
      "SWITCH_TO_NON_PROFILING:false",
      "HIDE_SPONSOR:false",
    ]);
    expect(r.sqlCount).toBe(4);
  });

  it("shows five widgets in 4 statements, a consent screen in 2, the anonymous catalog pages in 0", async () => {
    const widgets = await t.gql(WIDGETS, {}, { token });
    expect(widgets.body.errors).toBeUndefined();
    expect(widgets.body.data!.me.decisions.edges).toHaveLength(5);
    expect(widgets.sqlCount).toBe(4);

    const screen = await t.gql(readmeQuery("ConsentScreen"), {}, { token });
    expect(screen.body.errors).toBeUndefined();
    expect(screen.body.data!.me.consents.length).toBeGreaterThan(5);
    expect(screen.sqlCount).toBe(2);

    for (const page of ["PrivacyPage", "HowPersonalizationWorks"]) {
      const r = await t.gql(readmeQuery(page));
      expect(r.body.errors).toBeUndefined();
      expect(r.sqlCount).toBe(0);
    }
  });

  it("answers the engine's consentChecks for 500 people in 3 statements (its key, the people, their state), as for 5", async () => {
    const key = await t.serviceKey(["consent:read"], "read-path-engine");
    const ids = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? "demo-person-1" : `read-path-${i}`));
    const five = await t.gql(CHECKS, { ids: ids(5) }, { token: key });
    const many = await t.gql(CHECKS, { ids: ids(500) }, { token: key });
    expect(many.body.data!.consentChecks).toHaveLength(500);
    expect(many.body.data!.consentChecks[0].subjectExternalId).toBe("demo-person-1");
    expect([five.sqlCount, many.sqlCount]).toEqual([3, 3]);
  });

  it("keeps an explanation's words but never its controls' state: a withdrawal shows at once, and is what the signature says", async () => {
    const person = await t.subjectToken("read-path-withdrawer");
    const engine = await t.serviceKey(["decisions:write", "consent:write"], "read-path-recorder");
    const recorded = await record(t, engine, [
      recommendation("read-path-withdrawer", { itemRef: "sku-kept", itemLabel: "the kept item" }),
    ]);
    expect(recorded.payload.results[0].userErrors).toEqual([]);
    const q = `{ whyAmISeeing(surface: "home-feed", itemRef: "sku-kept") { explanation { headline factors { text } controls { kind active } jws } } }`;
    const before = await t.gql(q, {}, { token: person });
    const withdraw = before.body.data!.whyAmISeeing.explanation.controls.find(
      (c: any) => c.kind === "WITHDRAW_CONSENT",
    );
    expect(withdraw.active).toBe(false);
    const off = await t.gql(
      `mutation { updateConsents(input: { channel: WEB, changes: [{ purpose: "personalized-recommendations", granted: false }] }) { userErrors { code } } }`,
      {},
      { token: person },
    );
    expect(off.body.data!.updateConsents.userErrors).toEqual([]);
    const after = await t.gql(q, {}, { token: person });
    const explanation = after.body.data!.whyAmISeeing.explanation;
    expect(explanation.headline).toBe(before.body.data!.whyAmISeeing.explanation.headline);
    expect(explanation.factors).toEqual(before.body.data!.whyAmISeeing.explanation.factors);
    expect(explanation.controls.find((c: any) => c.kind === "WITHDRAW_CONSENT").active).toBe(true);
    const signed = decodeJwt(explanation.jws) as { controls: Array<{ kind: string; active: boolean }>; iat: number };
    expect(signed.controls.find((c) => c.kind === "WITHDRAW_CONSENT")!.active).toBe(true);
    expect(signed.iat).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 60);
  });

  it("serves a catalog change applied in this process at once: in the catalog, and in explanations already rendered", async () => {
    const label = async () =>
      (await t.gql(WHY_AD, {}, { token })).body.data!.whyAmISeeing.explanation.controls.find(
        (c: any) => c.kind === "SWITCH_TO_NON_PROFILING",
      ).label;
    expect(await label()).toBe('Show "Ads on product pages" without using my profile');
    const version = t.services.catalogVersion.current!;
    await new CatalogApplyService(t.services.db).applyFile(
      "demo.yaml",
      renamed("product-page-ads", "Shop ads"),
      "test",
    );
    expect(t.services.catalogVersion.current).toBe(version + 1);
    expect((await t.gql(`{ surfaces { key name } }`)).body.data!.surfaces).toContainEqual({
      key: "product-page-ads",
      name: "Shop ads",
    });
    expect(await label()).toBe('Show "Shop ads" without using my profile');
    await new CatalogApplyService(t.services.db).applyFile("demo.yaml", stringify(demoCatalog()), "test");
    expect(await label()).toBe('Show "Ads on product pages" without using my profile');
  });
});

describe("Several processes on one database", () => {
  let t: TestServer;
  let other: Started;
  beforeAll(async () => {
    t = await startTestServer();
    other = await startMain({
      DATABASE_URL: t.services.config.databaseUrl,
      CANDOR_JWT_SECRET: TEST_JWT_SECRET,
      CANDOR_DEFAULT_JURISDICTION: TEST_DEFAULT_JURISDICTION,
      NODE_ENV: "test",
    });
  }, 120_000);
  afterAll(async () => {
    await other?.stop();
    await t.close();
  });

  it("each notices another's catalog change within about a second, and serves it", async () => {
    expect(other.url).not.toBeNull();
    const nameThere = async () => {
      const r = await fetch(other.url!, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ surfaces { key name } }" }),
      });
      const body = (await r.json()) as { data: { surfaces: Array<{ key: string; name: string }> } };
      return body.data.surfaces.find((s) => s.key === "home-feed")!.name;
    };
    expect(await nameThere()).toBe("Home page picks");
    // Applied through this test's process; the other one learns of it only from the database.
    await new CatalogApplyService(t.services.db).applyFile("demo.yaml", renamed("home-feed", "Picks for you"), "test");
    // Poll with a generous deadline: the assertion is on what it serves, not on a time.
    const deadline = Date.now() + 15_000;
    let seen = await nameThere();
    while (seen !== "Picks for you" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await nameThere();
    }
    expect(seen).toBe("Picks for you");
  }, 60_000);
});
