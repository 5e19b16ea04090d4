import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { CatalogApplyService } from "../src/modules/catalog/catalog-apply.service";
import { CatalogFileError } from "../src/modules/catalog/catalog-file";
import { DecisionFactor } from "../src/modules/decisions/decision-factor.entity";
import { Decision } from "../src/modules/decisions/decision.entity";
import { decisionIntegrityHash } from "../src/modules/decisions/integrity";
import { decisionWrites, record, recommendation, visitFactor } from "./helpers/decisions";
import { demoCatalogNames, englishWordsIn, type Bilingual } from "./helpers/language";
import { startTestServer, type TestServer } from "./helpers/server";

const demo = parse(readFileSync(join(__dirname, "..", "catalog", "demo.yaml"), "utf8"));
const small = readFileSync(join(__dirname, "fixtures", "small.yaml"), "utf8");

const EXPLAIN = `query Explain($id: ID!, $locale: String) {
  decision(id: $id) { explanation(locale: $locale) { locale headline readingGrade factors { text } controls { kind label } counterfactual } }
}`;

/** Every text of an explanation, as a person reads it. */
const textsOf = (e: any): string[] => [
  e.headline,
  ...e.factors.map((f: any) => f.text),
  ...e.controls.map((c: any) => c.label),
  ...(e.counterfactual ? [e.counterfactual] : []),
];

// Defect 7 of issue 10: Spanish explanations mixed in English ("Te mostramos the Ridge 3 tent…",
// "porque you follow camping pages", `Dejar de usar mis datos para "Gear picks for you"`).
describe("Localization: a person reads one language, whole", () => {
  let t: TestServer;
  let engine: string;
  let admin: string;
  const names: Bilingual[] = demoCatalogNames();
  beforeAll(async () => {
    t = await startTestServer();
    engine = await t.serviceKey(["decisions:write"], "engine");
    admin = await t.adminToken();
  });
  afterAll(() => t.close());

  const explain = async (id: string, locale: string) => {
    const r = await t.gql(EXPLAIN, { id, locale }, { token: admin });
    expect(r.body.errors).toBeUndefined();
    return r.body.data!.decision.explanation;
  };

  it("never embeds English in a Spanish explanation when the engine gave only English", async () => {
    const english = recommendation("loc-1", {
      itemRef: "sku-ridge-3",
      itemLabel: "the Ridge 3 tent",
      factors: [
        {
          kind: "PREDICTIVE",
          purpose: "personalized-recommendations",
          dataCategory: "user.inferred.interests",
          sourceClass: "INFERRED",
          share: 1,
          evidence: [
            { key: "reason", value: "you follow camping pages" },
            { key: "count", value: "3" },
          ],
        },
      ],
    });
    const { payload } = await record(t, engine, [english]);
    const id = payload.results[0].decision.id;
    const es = await explain(id, "es");
    const given: Bilingual[] = [
      { en: "the Ridge 3 tent", es: "" },
      { en: "you follow camping pages", es: "" },
    ];
    for (const text of textsOf(es)) expect(englishWordsIn(text, [...names, ...given])).toEqual([]);
    expect(es.headline).toBe("Te mostramos esto sobre todo porque creemos que te puede gustar (100%).");
    const purpose = demo.purposes.find((p: any) => p.key === "personalized-recommendations");
    expect(es.controls.map((c: any) => c.label)).toContain(
      `Dejar de usar mis datos para "${purpose.translations.es.name}"`,
    );
    // English keeps what the engine said.
    const en = await explain(id, "en");
    expect(en.headline).toContain("the Ridge 3 tent");
    expect(en.factors[0].text).toContain("you follow camping pages");
  });

  it("uses the item label and evidence the engine gives per locale, es-MX served by es", async () => {
    const decision = recommendation("loc-2", {
      itemRef: "sku-ridge-3",
      itemLabel: "the Ridge 3 tent",
      itemLabels: [{ locale: "es-MX", text: "la carpa Ridge 3" }],
      factors: [
        {
          kind: "BEHAVIORAL",
          purpose: "personalized-recommendations",
          dataCategory: "user.behavior.browsing_history",
          sourceClass: "OBSERVED",
          share: 1,
          evidence: [
            { key: "item", value: "two-person tents", localizedValues: [{ locale: "es", text: "carpas para dos" }] },
            { key: "count", value: "4" },
          ],
        },
      ],
    });
    const { payload } = await record(t, engine, [decision]);
    const id = payload.results[0].decision.id;
    const category = demo.dataCategories.find((c: any) => c.key === "user.behavior.browsing_history");
    const es = await explain(id, "es");
    expect(es.headline).toBe("Te mostramos la carpa Ridge 3 sobre todo por lo que hiciste con nosotros (100%).");
    expect(es.factors[0].text).toBe(
      `Viste carpas para dos 4 veces. Datos usados: ${category.translations.es.name.toLowerCase()}.`,
    );
    const mx = await explain(id, "es-MX");
    expect(mx.locale).toBe("es");
    expect(mx.headline).toBe(es.headline);
    const en = await explain(id, "en");
    expect(en.headline).toContain("the Ridge 3 tent");
    expect(en.factors[0].text).toBe(
      `You looked at two-person tents 4 times. Data used: ${category.name.toLowerCase()}.`,
    );
  });

  it("keeps the labels in the integrity hash: any changed label breaks it", async () => {
    const decision = recommendation("loc-3", { itemLabels: [{ locale: "es", text: "botas Ridgeline" }] });
    decision.factors = (decision.factors as any[]).map((f, i) =>
      i === 0
        ? { ...f, evidence: [{ key: "item", value: "boots", localizedValues: [{ locale: "es", text: "botas" }] }] }
        : f,
    );
    const { payload } = await record(t, engine, [decision]);
    const hash = payload.results[0].decision.integrityHash;
    const rawId = Buffer.from(payload.results[0].decision.id, "base64url").toString().split(":")[1];
    const row = await t.services.db.manager.findOneByOrFail(Decision, { id: rawId });
    const factors = await t.services.db.manager.findBy(DecisionFactor, { decisionId: rawId });
    expect(row.itemLabels).toEqual([{ locale: "es", text: "botas Ridgeline" }]);
    expect(decisionIntegrityHash(row, factors)).toBe(hash);
    expect(decisionIntegrityHash({ ...row, itemLabels: [{ locale: "es", text: "otras botas" }] }, factors)).not.toBe(
      hash,
    );
    const altered = factors.map((f) =>
      f.position === 0
        ? { ...f, evidence: [{ key: "item", value: "boots", localizedValues: [{ locale: "es", text: "zapatos" }] }] }
        : f,
    );
    expect(decisionIntegrityHash(row, altered as DecisionFactor[])).not.toBe(hash);
  });

  it("refuses malformed localized texts with their paths, writes nothing for them, and goes on with the batch", async () => {
    const before = await decisionWrites(t);
    const bad = (extra: Record<string, unknown>) => recommendation("loc-4", extra);
    const { payload } = await record(t, engine, [
      bad({ itemLabels: [{ locale: "spanish!", text: "botas" }] }),
      bad({
        itemLabels: [
          { locale: "es", text: "botas" },
          { locale: "es-MX", text: "botas" },
        ],
      }),
      bad({ itemLabels: [{ locale: "es", text: "  " }] }),
      bad({ itemLabels: [{ locale: "es", text: "b".repeat(201) }] }),
      bad({
        factors: [
          visitFactor({
            evidence: [{ key: "period", value: "this week", localizedValues: [{ locale: "", text: "esta semana" }] }],
          }),
        ],
      }),
      recommendation("loc-4", { itemLabels: [{ locale: "es", text: "botas Ridgeline" }] }),
    ]);
    const errors = payload.results.map((r) => r.userErrors.map((e: any) => [e.code, e.field.join(".")]));
    expect(errors).toEqual([
      [["INVALID", "input.decisions.0.itemLabels.0.locale"]],
      [["INVALID", "input.decisions.1.itemLabels.1.locale"]],
      [["INVALID", "input.decisions.2.itemLabels.0.text"]],
      [["LIMIT_EXCEEDED", "input.decisions.3.itemLabels.0.text"]],
      [["INVALID", "input.decisions.4.factors.0.evidence.0.localizedValues.0.locale"]],
      [],
    ]);
    const after = await decisionWrites(t);
    expect(after.decision - before.decision).toBe(1);
  });

  it("serves every catalog text a person reads in the asked locale, as the catalog file wrote it", async () => {
    const r = await t.gql(`{
      purposes { key name(locale: "es") description(locale: "es") benefit(locale: "es") }
      dataCategories { key name(locale: "es-MX") description(locale: "es") }
      personalizationLevels { level name(locale: "es") description(locale: "es") }
      surfaces { key name(locale: "es") description(locale: "es") mainParameters(locale: "es") { name description } }
      algorithms { key version name(locale: "es") plainLanguageLogic(locale: "es") evaluation(locale: "es") }
      sharingDisclosures { key reason(locale: "es") partner { key } }
      privacyPolicy { version summary(locale: "es") readingGrade(locale: "es") sections { key generated heading(locale: "es") body(locale: "es") readingGrade(locale: "es") } }
      english: purposes { key name(locale: "fr") }
    }`);
    expect(r.body.errors).toBeUndefined();
    const d = r.body.data!;
    const es = (e: any) => e.translations.es;
    for (const p of demo.purposes) {
      expect(d.purposes.find((x: any) => x.key === p.key)).toEqual({
        key: p.key,
        name: es(p).name,
        description: es(p).description,
        benefit: es(p).benefit,
      });
      expect(d.english.find((x: any) => x.key === p.key).name).toBe(p.name);
    }
    for (const c of demo.dataCategories) {
      expect(d.dataCategories.find((x: any) => x.key === c.key)).toEqual({ key: c.key, ...es(c) });
    }
    for (const l of demo.personalizationLevels) {
      expect(d.personalizationLevels.find((x: any) => x.level === l.level)).toEqual({ level: l.level, ...es(l) });
    }
    for (const s of demo.surfaces) {
      expect(d.surfaces.find((x: any) => x.key === s.key)).toEqual({ key: s.key, ...es(s) });
    }
    for (const a of demo.algorithms) {
      for (const v of a.versions) {
        const served = d.algorithms.find((x: any) => x.key === a.key && x.version === v.version);
        expect(served).toEqual({ key: a.key, version: v.version, evaluation: null, ...es(v) });
      }
    }
    for (const p of demo.partners) {
      for (const a of p.agreements) {
        const served = d.sharingDisclosures.find((x: any) => x.key === a.key && x.partner.key === p.key);
        if (served) expect(served.reason).toBe(es(a).reason);
      }
    }
    const policy = d.privacyPolicy;
    expect(policy.version).toBe(demo.policy.version);
    expect(policy.summary).toBe(es(demo.policy).summary);
    const written = policy.sections.filter((s: any) => !s.generated);
    expect(written.map((s: any) => [s.key, s.heading, s.body])).toEqual(
      demo.policy.sections.map((s: any) => [s.key, es(s).heading, es(s).body]),
    );
    // Graded by the Spanish formula, and as plain as the English.
    expect(policy.readingGrade).toBeLessThanOrEqual(8);
    for (const s of written) expect(s.readingGrade).toBeLessThanOrEqual(8);
  });
});

describe("Localization: catalog apply refuses a catalog that is not fully translated", () => {
  let t: TestServer;
  let apply: (source: string) => Promise<unknown>;
  beforeAll(async () => {
    t = await startTestServer({ demoCatalog: false });
    const service = new CatalogApplyService(t.services.db);
    apply = (source) => service.applyFile("small.yaml", source, "test");
  });
  afterAll(() => t.close());

  const problemsOf = async (mutate: (c: any) => void): Promise<string[]> => {
    const c = parse(small);
    mutate(c);
    const error = await apply(stringify(c)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CatalogFileError);
    return (error as CatalogFileError).problems;
  };

  it("names each missing translation by entry, and changes nothing", async () => {
    const c = parse(small);
    const problems = await problemsOf((x) => {
      delete x.dataCategories[0].translations;
      delete x.purposes[1].translations.es.benefit;
      delete x.policy.sections[0].translations.es;
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        `dataCategories[0] (${c.dataCategories[0].key}).translations: must give translations for es (every supported locale)`,
        `purposes[1] (${c.purposes[1].key}).translations.es.benefit: must be translated`,
        `policy.sections[0] (${c.policy.sections[0].key}).translations.es: must give the texts in "es"`,
      ]),
    );
    // A translation has the parts of what it translates (checked once the shape is right).
    const parts = await problemsOf((x) =>
      x.surfaces[0].translations.es.mainParameters.push({ name: "Otro", description: "Otro parámetro." }),
    );
    expect(parts.join("\n")).toMatch(
      /surfaces\[0\] \(.+\)\.translations\.es\.mainParameters: has \d+ parameters, the English \d+/,
    );
    const rows = await t.services.db.manager.query("SELECT COUNT(*) AS n FROM data_category");
    expect(Number(rows[0].n)).toBe(0);
  });

  it("applies the fully translated file", async () => {
    await expect(apply(small)).resolves.toMatchObject({ changed: 0 });
  });
});
