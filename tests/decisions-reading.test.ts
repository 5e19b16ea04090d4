import { AuditLog } from "../src/kernel/audit/audit-log.entity";
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from "jose";
import { DecisionFactor } from "../src/modules/decisions/decision-factor.entity";
import { Decision } from "../src/modules/decisions/decision.entity";
import { decisionIntegrityHash } from "../src/modules/decisions/integrity";
import { DEMO_DECISIONS, DEMO_PERSON, recordDemoDecisions } from "../src/app/demo/demo-decisions";
import { UPDATE } from "./helpers/consent";
import { record, recommendation } from "./helpers/decisions";
import { startTestServer, type TestServer } from "./helpers/server";

const WIDGET = `query Why($surface: String!, $item: String!, $locale: String) {
  whyAmISeeing(surface: $surface, itemRef: $item) {
    id itemLabel kind score baseScore integrityHash sponsor { onBehalfOf paidBy }
    factors { kind share contribution purpose { key } dataCategory { key } sourcePartner { key } controls { kind active purpose { key } } }
    explanation(locale: $locale) {
      decisionId locale headline readingGrade
      factors { text factor { kind share purpose { key } } }
      dataUsed { key } partnersInvolved { key } algorithm { key version }
      controls { kind label active purpose { key } }
    }
  }
}`;

const rawId = (globalId: string) => Buffer.from(globalId, "base64url").toString().split(":")[1];

// "Why am I seeing this?" as a widget reads it: complete, faithful, plain, with controls that work.
describe("Explanations: the decisions a person reads, and the controls on them", () => {
  let t: TestServer;
  let engine: string;
  let person: string;
  beforeAll(async () => {
    t = await startTestServer();
    engine = await t.serviceKey(["decisions:write", "consent:read"], "engine");
    expect(await recordDemoDecisions(t.services)).toBe(DEMO_DECISIONS.length);
    person = await t.subjectToken(DEMO_PERSON);
  });
  afterAll(() => t.close());

  const why = (surface: string, item: string, locale?: string, token = person) =>
    t.gql(WIDGET, { surface, item, locale }, { token });

  it("explain every demo decision completely, in plain words (grade 8 or below), in English and Spanish", async () => {
    for (const d of DEMO_DECISIONS) {
      for (const locale of ["en", "es"]) {
        const r = await why(d.surface, d.itemRef, locale);
        expect(r.body.errors).toBeUndefined();
        const decision = r.body.data!.whyAmISeeing;
        const explanation = decision.explanation;
        expect(explanation.locale).toBe(locale);
        expect(explanation.readingGrade).toBeLessThanOrEqual(8);
        // Every recorded factor, exactly once; shares sum to 1.
        expect(explanation.factors).toHaveLength(d.factors.length);
        expect(decision.factors).toHaveLength(d.factors.length);
        expect(decision.factors.reduce((s: number, f: any) => s + f.share, 0)).toBeCloseTo(1, 9);
        expect(new Set(explanation.factors.map((f: any) => f.text)).size).toBe(d.factors.length);
        // The headline names the top factor's share.
        expect(explanation.headline).toContain(`${Math.round(decision.factors[0].share * 100)}%`);
        const label = locale === "es" ? d.itemLabels![0].text : d.itemLabel;
        expect(explanation.headline).toContain(label);
        expect(explanation.algorithm).toEqual({ key: d.algorithm, version: d.algorithmVersion });
        expect(explanation.dataUsed.map((c: any) => c.key).sort()).toEqual(
          [...new Set(d.factors.map((f) => f.dataCategory))].sort(),
        );
      }
    }
  });

  it("say what the evidence says, name partners whose data contributed, and show who paid for an ad", async () => {
    const boots = (await why("home-feed", "sku-boots-ridgeline")).body.data!.whyAmISeeing;
    // Evidence adds detail; the data used is always named (from the catalog).
    expect(boots.explanation.factors[0].text).toBe(
      "You looked at hiking boots 3 times in the last 7 days. Data used: pages you view.",
    );
    expect(boots.explanation.headline).toBe(
      "We showed you Ridgeline hiking boots mostly because of what you did with us (55%).",
    );
    const ad = (await why("product-page-ads", "ad-summit-tents")).body.data!.whyAmISeeing;
    expect(ad.sponsor).toEqual({ onBehalfOf: "Summit Tents", paidBy: "Summit Tents" });
    expect(ad.explanation.partnersInvolved).toEqual([{ key: "campfire-social" }]);
    const partnerText = ad.explanation.factors.find((f: any) => f.factor.kind === "PREDICTIVE").text;
    expect(partnerText).toBe(
      "We guessed you may like it because you follow camping pages. Data used: interests we guess. It used data from Campfire Social.",
    );
    const es = (await why("home-feed", "sku-boots-ridgeline", "es")).body.data!.whyAmISeeing;
    expect(es.explanation.factors[0].text).toBe(
      "Viste botas de montaña 3 veces en los últimos 7 días. Datos usados: páginas que ves.",
    );
    const fr = (await why("home-feed", "sku-boots-ridgeline", "fr-FR")).body.data!.whyAmISeeing;
    expect(fr.explanation.locale).toBe("en");
  });

  it("reproduce the score from the contributions, and keep an integrity hash that any change would break", async () => {
    const boots = (await why("home-feed", "sku-boots-ridgeline")).body.data!.whyAmISeeing;
    const sum = boots.baseScore + boots.factors.reduce((s: number, f: any) => s + f.contribution, 0);
    expect(Math.abs(sum - boots.score)).toBeLessThan(1e-6);
    const row = await t.services.db.manager.findOneByOrFail(Decision, { id: rawId(boots.id) });
    const factors = await t.services.db.manager.findBy(DecisionFactor, { decisionId: row.id });
    expect(decisionIntegrityHash(row, factors)).toBe(boots.integrityHash);
    expect(decisionIntegrityHash({ ...row, itemLabel: "Other boots" }, factors)).not.toBe(boots.integrityHash);
    expect(
      decisionIntegrityHash(
        row,
        factors.map((f, i) => (i === 0 ? { ...f, share: f.share + 0.01 } : f)),
      ),
    ).not.toBe(boots.integrityHash);
    expect((await why("home-feed", "sku-boots-ridgeline")).body.data!.whyAmISeeing.integrityHash).toBe(
      boots.integrityHash,
    );
  });

  it("let a person read only their own decisions: another person's id answers null, as a missing one does", async () => {
    const id = (await why("home-feed", "sku-boots-ridgeline")).body.data!.whyAmISeeing.id;
    const q = `query($id: ID!) { decision(id: $id) { id itemLabel } node(id: $id) { id } }`;
    expect((await t.gql(q, { id }, { token: person })).body.data).toEqual({
      decision: { id, itemLabel: "Ridgeline hiking boots" },
      node: { id },
    });
    const stranger = await t.gql(q, { id }, { token: await t.subjectToken("stranger") });
    const missing = await t.gql(
      q,
      { id: Buffer.from("Decision:01900000-0000-7000-8000-000000000000").toString("base64url") },
      { token: await t.subjectToken("stranger") },
    );
    expect(stranger.body).toEqual({ data: { decision: null, node: null } });
    expect(missing.body).toEqual(stranger.body);
    expect((await t.gql(q, { id }, { token: await t.adminToken() })).body.data!.decision.id).toBe(id);
    expect(
      (await why("home-feed", "sku-boots-ridgeline", "en", await t.subjectToken("stranger"))).body.data!.whyAmISeeing,
    ).toBeNull();
    expect((await t.gql(q, { id }, { token: engine })).body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("list a person's decisions newest first, by surface, with paging", async () => {
    const q = `query($surface: String, $after: String) { me { decisions(first: 2, surface: $surface, after: $after) { totalCount edges { node { itemLabel surface { key } } } pageInfo { hasNextPage endCursor } } } }`;
    const all = (await t.gql(q, {}, { token: person })).body.data!.me.decisions;
    expect(all.totalCount).toBe(DEMO_DECISIONS.length);
    expect(all.edges.map((e: any) => e.node.itemLabel)).toEqual(
      DEMO_DECISIONS.slice(-2)
        .reverse()
        .map((d) => d.itemLabel),
    );
    const next = (await t.gql(q, { after: all.pageInfo.endCursor }, { token: person })).body.data!.me.decisions;
    expect(next.edges.map((e: any) => e.node.itemLabel)).toEqual(
      DEMO_DECISIONS.slice(-4, -2)
        .reverse()
        .map((d) => d.itemLabel),
    );
    const ads = (await t.gql(q, { surface: "product-page-ads" }, { token: person })).body.data!.me.decisions;
    expect(ads.edges.map((e: any) => e.node.surface.key)).toEqual(["product-page-ads"]);
    expect((await t.gql(q, { surface: "nowhere" }, { token: person })).body.errors?.[0]?.extensions?.code).toBe(
      "NOT_FOUND",
    );
  });

  it("make a withdraw-consent control work: the next decision relying on it is refused, and the old one still explains what happened", async () => {
    const token = await t.subjectToken("controller");
    await record(t, engine, [recommendation("controller")]);
    const before = (await why("home-feed", "sku-boots", "en", token)).body.data!.whyAmISeeing;
    const control = before.explanation.controls.find((c: any) => c.kind === "WITHDRAW_CONSENT");
    expect(control).toMatchObject({ active: false, purpose: { key: "personalized-recommendations" } });
    await t.gql(
      UPDATE,
      { input: { channel: "WEB", changes: [{ purpose: control.purpose.key, granted: false }] } },
      { token },
    );
    const after = (await why("home-feed", "sku-boots", "en", token)).body.data!.whyAmISeeing;
    expect(after.explanation.factors.map((f: any) => f.text)).toEqual(
      before.explanation.factors.map((f: any) => f.text),
    );
    expect(after.explanation.controls.find((c: any) => c.kind === "WITHDRAW_CONSENT").active).toBe(true);
    const next = await record(t, engine, [recommendation("controller", { itemRef: "sku-next" })]);
    expect(next.payload.results[0].userErrors[0]).toMatchObject({
      code: "CONSENT_REQUIRED",
      field: ["input", "decisions", "0", "factors", "0", "purpose"],
    });
  });

  it("say which way each factor pushed: only what raised the score is a reason, 'mostly' only past half, ties together", async () => {
    const token = await t.subjectToken("two-sided");
    const behavioral = {
      kind: "BEHAVIORAL",
      purpose: "personalized-recommendations",
      dataCategory: "user.behavior.browsing_history",
      sourceClass: "OBSERVED",
    };
    const popular = {
      kind: "POPULARITY",
      purpose: "store-operation",
      dataCategory: "user.behavior.current_visit",
      sourceClass: "CONTEXTUAL",
    };
    const { payload } = await record(t, engine, [
      // The largest factor pushed the score down (-0.6): it is no reason to show the item.
      recommendation("two-sided", {
        itemRef: "sku-against",
        score: 0.5,
        baseScore: 0.9,
        factors: [
          { ...behavioral, contribution: -0.6, evidence: [{ key: "item", value: "a two-person tent" }] },
          { ...popular, contribution: 0.2 },
        ],
      }),
      // A 50/50 tie: neither is "mostly" the reason.
      recommendation("two-sided", {
        itemRef: "sku-tie",
        factors: [
          { ...behavioral, share: 0.5 },
          { ...popular, share: 0.5 },
        ],
      }),
    ]);
    expect(payload.results.map((r: any) => r.userErrors)).toEqual([[], []]);
    const q = `query($item: String!) { whyAmISeeing(surface: "home-feed", itemRef: $item) {
      factors { kind direction } explanation { headline factors { text factor { kind direction } } } } }`;
    const against = (await t.gql(q, { item: "sku-against" }, { token })).body.data!.whyAmISeeing;
    expect(against.factors).toEqual([
      { kind: "BEHAVIORAL", direction: "LOWERED" },
      { kind: "POPULARITY", direction: "RAISED" },
    ]);
    expect(against.explanation.headline).toBe(
      "We showed you Ridgeline hiking boots mostly because many shoppers picked it (25%).",
    );
    const lowered = against.explanation.factors.find((f: any) => f.factor.direction === "LOWERED");
    expect(lowered.text).toContain("counted against showing it to you");
    const tie = (await t.gql(q, { item: "sku-tie" }, { token })).body.data!.whyAmISeeing;
    expect(tie.explanation.headline).toBe(
      "We showed you Ridgeline hiking boots partly because of what you did with us and because many shoppers picked it (50%, 50%).",
    );
  });

  it("name the data each factor used, sensitive data above all, and the days it covered", async () => {
    const token = await t.subjectToken("hiker");
    await t.gql(
      UPDATE,
      { input: { channel: "WEB", changes: [{ purpose: "fitness-recommendations", granted: true }] } },
      { token },
    );
    const week = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const { payload } = await record(t, engine, [
      recommendation("hiker", {
        itemRef: "sku-trail-shoes",
        factors: [
          {
            kind: "PREDICTIVE",
            purpose: "fitness-recommendations",
            dataCategory: "user.health.fitness_activity",
            sourceClass: "INFERRED",
            share: 1,
            observedFrom: week,
            // Evidence that would hide the data used, if it could replace it.
            evidence: [{ key: "reason", value: "shoppers like you bought them" }],
          },
        ],
      }),
    ]);
    expect(payload.results[0].userErrors).toEqual([]);
    const q = `{ whyAmISeeing(surface: "home-feed", itemRef: "sku-trail-shoes") { explanation { factors { text } } } }`;
    const [factor] = (await t.gql(q, {}, { token })).body.data!.whyAmISeeing.explanation.factors;
    expect(factor.text).toBe(
      "We guessed you may like it because shoppers like you bought them. Data used: fitness data (last 7 days).",
    );
  });

  it("sign each explanation as served, verifiable with the published keys, and no altered byte verifies", async () => {
    const q = `{ whyAmISeeing(surface: "product-page-ads", itemRef: "ad-summit-tents") { integrityHash explanation(locale: "es") {
      decisionId locale headline factors { text factor { share direction } } controls { kind label active sponsor purpose { key } } jws } } }`;
    const decision = (await t.gql(q, {}, { token: person })).body.data!.whyAmISeeing;
    const e = decision.explanation;
    const jwks = createLocalJWKSet(
      (await (await fetch(new URL("/.well-known/jwks.json", t.url))).json()) as JSONWebKeySet,
    );
    const { payload, protectedHeader } = await compactVerify(e.jws, jwks);
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", typ: "explanation+jws" });
    const signed = JSON.parse(new TextDecoder().decode(payload));
    expect(signed).toEqual({
      decisionId: e.decisionId,
      integrityHash: decision.integrityHash,
      locale: "es",
      headline: e.headline,
      factors: e.factors.map((f: any) => ({ text: f.text, share: f.factor.share, direction: f.factor.direction })),
      controls: e.controls.map((c: any) => ({
        kind: c.kind,
        label: c.label,
        purpose: c.purpose?.key ?? null,
        sponsor: c.sponsor,
        active: c.active,
      })),
      counterfactual: null,
      iat: expect.any(Number),
    });
    const [header, body, signature] = e.jws.split(".");
    const alteredBody = Buffer.from(body, "base64url");
    alteredBody[10] ^= 1;
    const alteredSignature = Buffer.from(signature, "base64url");
    alteredSignature[5] ^= 1;
    for (const forged of [
      [header, alteredBody.toString("base64url"), signature].join("."),
      [header, body, alteredSignature.toString("base64url")].join("."),
    ]) {
      await expect(compactVerify(forged, jwks)).rejects.toThrow();
    }
  });

  it("name the factors that decided the outcome when the engine gives the threshold, and never guess without one", async () => {
    const token = await t.subjectToken("counterfactual");
    const factor = (kind: string, dataCategory: string, purpose: string, contribution: number) => ({
      kind,
      purpose,
      dataCategory,
      sourceClass: "OBSERVED",
      contribution,
    });
    const factors = [
      factor("BEHAVIORAL", "user.behavior.browsing_history", "personalized-recommendations", 0.3),
      factor("POPULARITY", "user.behavior.current_visit", "store-operation", 0.15),
      factor("PREDICTIVE", "user.inferred.interests", "personalized-recommendations", 0.05),
    ];
    const { payload } = await record(t, engine, [
      // 0.1 + 0.3 + 0.15 + 0.05 = 0.6; needed 0.35: without browsing history (0.3) the score is 0.3.
      recommendation("counterfactual", { itemRef: "sku-a", score: 0.6, baseScore: 0.1, threshold: 0.35, factors }),
      // Needed 0.2: without browsing history the score is still 0.3; without this visit too, 0.15.
      recommendation("counterfactual", { itemRef: "sku-b", score: 0.6, baseScore: 0.1, threshold: 0.2, factors }),
      // The base score alone reached it.
      recommendation("counterfactual", { itemRef: "sku-c", score: 0.6, baseScore: 0.1, threshold: 0.05, factors }),
      // No threshold: no guess.
      recommendation("counterfactual", { itemRef: "sku-d", score: 0.6, baseScore: 0.1, factors }),
      // A score below its threshold was not shown.
      recommendation("counterfactual", { itemRef: "sku-e", score: 0.6, baseScore: 0.1, threshold: 0.7, factors }),
    ]);
    expect(payload.results.slice(0, 4).map((r: any) => r.userErrors)).toEqual([[], [], [], []]);
    expect(payload.results[4].userErrors).toEqual([
      { code: "INVALID", field: ["input", "decisions", "4", "score"], message: expect.stringContaining("threshold") },
    ]);
    const q = `query($item: String!) { whyAmISeeing(surface: "home-feed", itemRef: $item) { threshold
      explanation { decisiveFactors { kind contribution } counterfactual } } }`;
    const of = async (item: string) => (await t.gql(q, { item }, { token })).body.data!.whyAmISeeing;
    const a = await of("sku-a");
    expect(a.threshold).toBe(0.35);
    expect(a.explanation).toEqual({
      decisiveFactors: [{ kind: "BEHAVIORAL", contribution: 0.3 }],
      counterfactual: "Without this data (pages you view) you would not have seen this.",
    });
    expect((await of("sku-b")).explanation.decisiveFactors.map((f: any) => f.kind)).toEqual([
      "BEHAVIORAL",
      "POPULARITY",
    ]);
    expect((await of("sku-c")).explanation).toEqual({
      decisiveFactors: [],
      counterfactual: "You would have seen this even without these factors.",
    });
    expect((await of("sku-d")).explanation).toEqual({ decisiveFactors: [], counterfactual: null });
  });

  it("grade readability by the formula made for each language, grade 8 or below for the demo", async () => {
    const q = `query($locale: String) { whyAmISeeing(surface: "product-page-ads", itemRef: "ad-summit-tents") {
      explanation(locale: $locale) { readingGrade readability { formula score grade } } } }`;
    for (const [locale, formula] of [
      ["en", "FLESCH_KINCAID"],
      ["es", "FERNANDEZ_HUERTA"],
    ]) {
      const e = (await t.gql(q, { locale }, { token: person })).body.data!.whyAmISeeing.explanation;
      expect(e.readability.formula).toBe(formula);
      expect(e.readability.grade).toBe(e.readingGrade);
      expect(e.readingGrade).toBeLessThanOrEqual(8);
    }
  });

  it("let a person hide an advertiser: its later ads are refused, the control shows it, and showing it again works", async () => {
    const token = await t.subjectToken("ad-weary");
    const demoAd = DEMO_DECISIONS.find((d) => d.kind === "AD")!;
    const ad = (itemRef: string) => JSON.parse(JSON.stringify({ ...demoAd, subjectExternalId: "ad-weary", itemRef }));
    const HIDE = `mutation($input: HideSponsorInput!) { hideSponsor(input: $input) { subject { hiddenSponsors } userErrors { code } } }`;
    const sponsor = demoAd.sponsor!.onBehalfOf;
    expect((await record(t, engine, [ad("ad-1")])).payload.results[0].userErrors).toEqual([]);
    const q = `{ whyAmISeeing(surface: "${demoAd.surface}", itemRef: "ad-1") { explanation { controls { kind sponsor active label } } } }`;
    const control = async () =>
      (await t.gql(q, {}, { token })).body.data!.whyAmISeeing.explanation.controls.find(
        (c: any) => c.kind === "HIDE_SPONSOR",
      );
    expect(await control()).toEqual({
      kind: "HIDE_SPONSOR",
      sponsor,
      active: false,
      label: `Hide ads from ${sponsor}`,
    });

    const hidden = await t.gql(HIDE, { input: { sponsor, idempotencyKey: "hide-1" } }, { token });
    expect(hidden.body.data!.hideSponsor).toEqual({ subject: { hiddenSponsors: [sponsor] }, userErrors: [] });
    const writes = await t.services.db.manager.count(AuditLog);
    // The same again (a retry, or a second tap) writes nothing.
    expect(
      (await t.gql(HIDE, { input: { sponsor, idempotencyKey: "hide-1" } }, { token })).body.data!.hideSponsor
        .userErrors,
    ).toEqual([]);
    expect((await t.gql(HIDE, { input: { sponsor } }, { token })).body.data!.hideSponsor.userErrors).toEqual([]);
    expect(await t.services.db.manager.count(AuditLog)).toBe(writes);
    expect((await control()).active).toBe(true);
    const refused = await record(t, engine, [ad("ad-2")]);
    expect(refused.payload.results[0].userErrors).toContainEqual({
      code: "SPONSOR_HIDDEN",
      field: ["input", "decisions", "0", "sponsor"],
      message: expect.stringContaining(sponsor),
    });

    const shown = await t.gql(HIDE, { input: { sponsor, hidden: false } }, { token });
    expect(shown.body.data!.hideSponsor.subject.hiddenSponsors).toEqual([]);
    expect((await record(t, engine, [ad("ad-3")])).payload.results[0].userErrors).toEqual([]);
  });

  it("offer the switch to NON_PROFILING on every factor that mode would refuse, whatever its kind", async () => {
    const q = `query($surface: String!, $item: String!) { whyAmISeeing(surface: $surface, itemRef: $item) {
      factors { kind dataCategory { key usableWithoutProfiling } controls { kind } } } }`;
    for (const d of DEMO_DECISIONS.filter((x) => ["home-feed", "product-page-ads"].includes(x.surface))) {
      const r = await t.gql(q, { surface: d.surface, item: d.itemRef }, { token: person });
      for (const f of r.body.data!.whyAmISeeing.factors) {
        const offers = f.controls.some((c: any) => c.kind === "SWITCH_TO_NON_PROFILING");
        expect({ kind: f.kind, category: f.dataCategory.key, offers }).toEqual({
          kind: f.kind,
          category: f.dataCategory.key,
          offers: !f.dataCategory.usableWithoutProfiling,
        });
      }
    }
    const ad = await t.gql(q, { surface: "product-page-ads", item: "ad-summit-tents" }, { token: person });
    const targeting = ad.body.data!.whyAmISeeing.factors.find((f: any) => f.kind === "ADVERTISER_TARGETING");
    expect(targeting.controls.map((c: any) => c.kind)).toContain("SWITCH_TO_NON_PROFILING");
  });

  it("make a switch-to-non-profiling control work, and tell the engine before it decides", async () => {
    const token = await t.subjectToken("switcher");
    await record(t, engine, [recommendation("switcher")]);
    const explanation = (await why("home-feed", "sku-boots", "en", token)).body.data!.whyAmISeeing.explanation;
    expect(explanation.controls.find((c: any) => c.kind === "SWITCH_TO_NON_PROFILING")).toMatchObject({
      active: false,
    });
    const set = await t.gql(
      `mutation { setRecommenderMode(input: { surface: "home-feed", mode: NON_PROFILING }) { userErrors { code } } }`,
      {},
      { token },
    );
    expect(set.body.data!.setRecommenderMode.userErrors).toEqual([]);
    const check = await t.gql(
      `{ consentCheck(subjectExternalId: "switcher", purposes: ["personalized-recommendations"]) { recommenderModes { surface { key } mode } } }`,
      {},
      { token: engine },
    );
    expect(check.body.data!.consentCheck.recommenderModes.find((m: any) => m.surface.key === "home-feed").mode).toBe(
      "NON_PROFILING",
    );
    expect(
      (await why("home-feed", "sku-boots", "en", token)).body.data!.whyAmISeeing.explanation.controls.find(
        (c: any) => c.kind === "SWITCH_TO_NON_PROFILING",
      ).active,
    ).toBe(true);
    const next = await record(t, engine, [recommendation("switcher", { itemRef: "sku-next" })]);
    expect(next.payload.results[0].userErrors[0]).toMatchObject({
      code: "PROFILING_NOT_ALLOWED",
      field: ["input", "decisions", "0", "factors", "0"],
    });
    const bad = await t.gql(
      `mutation { setRecommenderMode(input: { surface: "nowhere", mode: NON_PROFILING }) { userErrors { field code } } }`,
      {},
      { token },
    );
    expect(bad.body.data!.setRecommenderMode.userErrors).toEqual([{ field: ["input", "surface"], code: "NOT_FOUND" }]);
  });

  it("cost the same SQL statements for a page of 5 decisions as for 50, factors, controls and explanations included", async () => {
    const many = Array.from({ length: 50 }, (_, i) =>
      recommendation("wide-reader", { itemRef: `sku-${i}`, itemLabel: `Item ${i}` }),
    );
    await record(t, engine, many);
    const token = await t.subjectToken("wide-reader");
    const q = `query($n: Int!) { me { decisions(first: $n) { edges { node {
      factors { purpose { key } dataCategory { key } sourcePartner { key } controls { kind active } }
      algorithm { key } surface { key }
      explanation { headline factors { text } controls { label } }
    } } } } }`;
    const five = await t.gql(q, { n: 5 }, { token });
    const fifty = await t.gql(q, { n: 50 }, { token });
    expect(fifty.body.errors).toBeUndefined();
    expect(fifty.body.data!.me.decisions.edges).toHaveLength(50);
    expect(fifty.sqlCount).toBe(five.sqlCount);
  });
});
