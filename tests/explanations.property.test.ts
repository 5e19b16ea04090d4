import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from "jose";
import { parse } from "yaml";
import { AGAINST, reasonPhrase } from "../src/modules/decisions/explanation";
import { FactorKind, SourceClass } from "../src/modules/decisions/decisions.enums";
import { record } from "./helpers/decisions";
import { demoCatalogNames, englishWordsIn, type Bilingual } from "./helpers/language";
import { startTestServer, type TestServer } from "./helpers/server";

// Issue 10's invariants over random valid decisions on the demo catalog (CANDOR_PROPERTY_RUNS, default
// 200): every factor explained once, shares summing to 1, the headline naming the largest factor
// that raised the score and never one that lowered it, no English in Spanish, a signature that
// verifies, and counterfactuals that are right and minimal.

const RUNS = Number(process.env.CANDOR_PROPERTY_RUNS ?? 200);
const demo = parse(readFileSync(join(__dirname, "..", "catalog", "demo.yaml"), "utf8"));

/** Factors the demo engine may record for anyone (purposes on by default, inputs of its card). */
function factorTemplates(): Array<{ purpose: string; dataCategory: string }> {
  const card = demo.algorithms.find((a: any) => a.key === "product-recommender").versions.at(-1);
  return demo.purposes
    .filter((p: any) => card.purposes.includes(p.key) && p.defaultMode !== "OPT_IN")
    .flatMap((p: any) =>
      p.dataCategories
        .filter((c: string) => card.inputs.includes(c))
        .map((c: string) => ({ purpose: p.key, dataCategory: c })),
    );
}

/** English texts an engine may send, with the Spanish it may (or may not) send beside them. */
const PHRASES: Bilingual[] = [
  { en: "hiking boots", es: "botas de montaña" },
  { en: "you like day hikes", es: "te gustan las caminatas" },
  { en: "near Portland", es: "cerca de Portland" },
  { en: "this week", es: "esta semana" },
  { en: "your search for rain gear", es: "tu búsqueda de ropa para lluvia" },
  { en: "friends who camp", es: "amigos que acampan" },
  { en: "members get free shipping", es: "los socios no pagan el envío" },
];
const LABELS: Bilingual[] = [
  { en: "the Ridge 3 tent", es: "la carpa Ridge 3" },
  { en: "Trail running shoes", es: "tenis para correr" },
  { en: "a warm sleeping bag", es: "una bolsa de dormir abrigada" },
];
const EVIDENCE_KEYS = ["item", "reason", "place", "period", "context", "who", "rule", "group", "audience"];

const text = (options: Bilingual[]) => fc.record({ words: fc.constantFrom(...options), spanish: fc.boolean() });
const localized = (t: { words: Bilingual; spanish: boolean }) =>
  t.spanish ? [{ locale: "es", text: t.words.es }] : null;

const factorArb = fc.record({
  template: fc.constantFrom(...factorTemplates()),
  kind: fc.constantFrom(...Object.values(FactorKind)),
  sourceClass: fc.constantFrom(
    SourceClass.OBSERVED,
    SourceClass.INFERRED,
    SourceClass.DECLARED,
    SourceClass.CONTEXTUAL,
  ),
  weight: fc.double({ min: 0.01, max: 1, noNaN: true }),
  lowered: fc.boolean(),
  evidence: fc.uniqueArray(fc.record({ key: fc.constantFrom(...EVIDENCE_KEYS), value: text(PHRASES) }), {
    maxLength: 3,
    selector: (e) => e.key,
  }),
  count: fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }),
});

const decisionArb = fc.record({
  label: text(LABELS),
  factors: fc.array(factorArb, { minLength: 1, maxLength: 6 }),
  scored: fc.boolean(),
  baseScore: fc.double({ min: -1, max: 1, noNaN: true }),
  threshold: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
});

type Generated = typeof decisionArb extends fc.Arbitrary<infer T> ? T : never;

/** The decision as an engine records it: contributions with a base score, or shares alone. */
function toInput(g: Generated, person: string) {
  const contributions = g.factors.map((f) => (f.lowered ? -f.weight : f.weight));
  const total = g.factors.reduce((s, f) => s + f.weight, 0);
  const score = g.baseScore + contributions.reduce((s, c) => s + c, 0);
  const raisedSum = contributions.filter((c) => c > 0).reduce((s, c) => s + c, 0);
  return {
    subjectExternalId: person,
    surface: "home-feed",
    kind: "RECOMMENDATION",
    itemRef: "sku-property",
    itemLabel: g.label.words.en,
    itemLabels: localized(g.label),
    algorithm: "product-recommender",
    algorithmVersion: "2",
    channel: "WEB",
    ...(g.scored
      ? {
          score,
          baseScore: g.baseScore,
          // Anywhere from the score itself down to below the base: decisive sets of every size.
          ...(g.threshold === null ? {} : { threshold: score - g.threshold * (raisedSum + 0.1) }),
        }
      : {}),
    factors: g.factors.map((f, i) => ({
      kind: f.kind,
      purpose: f.template.purpose,
      dataCategory: f.template.dataCategory,
      sourceClass: f.sourceClass,
      ...(g.scored ? { contribution: contributions[i] } : { share: f.weight / total }),
      evidence: [
        ...f.evidence.map((e) => ({ key: e.key, value: e.value.words.en, localizedValues: localized(e.value) })),
        ...(f.count === null ? [] : [{ key: "count", value: String(f.count) }]),
      ],
    })),
  };
}

const EXPLAIN = `query Explain($id: ID!, $locale: String) {
  decision(id: $id) {
    integrityHash score threshold
    explanation(locale: $locale) {
      decisionId locale headline counterfactual jws
      factors { text factor { kind share contribution direction purpose { key } dataCategory { key } } }
      controls { kind label active sponsor purpose { key } }
      decisiveFactors { contribution }
    }
  }
}`;

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

/** Every subset of `items` of exactly `size` elements. */
function* subsets<T>(items: T[], size: number, start = 0): Generator<T[]> {
  if (size === 0) return yield [];
  for (let i = start; i <= items.length - size; i++) {
    for (const rest of subsets(items, size - 1, i + 1)) yield [items[i], ...rest];
  }
}

describe(`Explanations hold for ${RUNS} random valid decisions (property-based)`, () => {
  let t: TestServer;
  let engine: string;
  let admin: string;
  let jwks: ReturnType<typeof createLocalJWKSet>;
  const names = demoCatalogNames();
  beforeAll(async () => {
    t = await startTestServer();
    engine = await t.serviceKey(["decisions:write"], "engine");
    admin = await t.adminToken();
    jwks = createLocalJWKSet((await (await fetch(new URL("/.well-known/jwks.json", t.url))).json()) as JSONWebKeySet);
  });
  afterAll(() => t.close());

  let n = 0;
  const check = async (g: Generated) => {
    const input = toInput(g, `property-${(n += 1)}`);
    const { payload } = await record(t, engine, [input]);
    expect(payload.results[0].userErrors).toEqual([]);
    const id = payload.results[0].decision.id;
    // What the engine sent in English, with its Spanish where it gave one (for any use of those words).
    const spanishOf = new Map<string, string>([[input.itemLabel, input.itemLabels?.[0].text ?? ""]]);
    for (const e of input.factors.flatMap((f) => f.evidence)) {
      const es = "localizedValues" in e ? (e.localizedValues?.[0].text ?? "") : "";
      if (!spanishOf.get(e.value)) spanishOf.set(e.value, es);
    }
    const sent: Bilingual[] = [...spanishOf].map(([en, es]) => ({ en, es }));
    for (const locale of ["en", "es"] as const) {
      const r = await t.gql(EXPLAIN, { id, locale }, { token: admin });
      expect(r.body.errors).toBeUndefined();
      const decision = r.body.data!.decision;
      const e = decision.explanation;
      const factors = e.factors.map((f: any) => f.factor);

      // Every recorded factor exactly once.
      const key = (f: { kind: string; purpose: string; dataCategory: string }) =>
        `${f.kind}|${f.purpose}|${f.dataCategory}`;
      expect(
        factors.map((f: any) => key({ ...f, purpose: f.purpose.key, dataCategory: f.dataCategory.key })).sort(),
      ).toEqual(input.factors.map(key).sort());
      expect(Math.abs(sum(factors.map((f: any) => f.share)) - 1)).toBeLessThanOrEqual(1e-9);

      // The headline names the largest RAISED factor, and never a factor that only lowered the score.
      const raised = factors.filter((f: any) => f.direction === "RAISED");
      const lowered = factors.filter((f: any) => f.direction === "LOWERED");
      if (raised.length > 0) {
        const top = Math.max(...raised.map((f: any) => f.share));
        const topKinds = raised.filter((f: any) => Math.abs(f.share - top) <= 1e-9).map((f: any) => f.kind);
        expect(topKinds.some((k: FactorKind) => e.headline.includes(reasonPhrase(locale, k)))).toBe(true);
        expect(e.headline).toContain(`${Math.round(top * 100)}%`);
      }
      const raisedKinds = new Set(raised.map((f: any) => f.kind));
      for (const f of lowered.filter((x: any) => !raisedKinds.has(x.kind))) {
        expect(e.headline).not.toContain(reasonPhrase(locale, f.kind));
      }
      e.factors.forEach((f: any) => expect(f.text.endsWith(AGAINST[locale])).toBe(f.factor.direction === "LOWERED"));

      // Spanish is Spanish: no English word from the catalog or from what the engine sent in English.
      if (locale === "es") {
        const texts = [
          e.headline,
          e.counterfactual ?? "",
          ...e.factors.map((f: any) => f.text),
          ...e.controls.map((c: any) => c.label),
        ];
        for (const x of texts) expect(englishWordsIn(x, [...names, ...sent])).toEqual([]);
      }

      // The signature verifies, over exactly what was served.
      const { payload: signed } = await compactVerify(e.jws, jwks);
      expect(JSON.parse(new TextDecoder().decode(signed))).toMatchObject({
        decisionId: e.decisionId,
        integrityHash: decision.integrityHash,
        locale,
        headline: e.headline,
        factors: e.factors.map((f: any) => ({ text: f.text, share: f.factor.share, direction: f.factor.direction })),
        counterfactual: e.counterfactual,
      });

      // Counterfactuals: without the decisive factors the score falls below the threshold; no smaller set does.
      if (decision.threshold === null) {
        expect(e.decisiveFactors).toEqual([]);
        expect(e.counterfactual).toBeNull();
      } else {
        const decisive: number[] = e.decisiveFactors.map((f: any) => f.contribution);
        const without = (cs: number[]) => decision.score - sum(cs);
        const ups: number[] = factors.filter((f: any) => f.contribution > 0).map((f: any) => f.contribution);
        if (decisive.length === 0) {
          // The base score alone reached it: even without every factor that raised it.
          expect(without(ups)).toBeGreaterThanOrEqual(decision.threshold);
        } else {
          expect(without(decisive)).toBeLessThan(decision.threshold);
          for (let size = 0; size < decisive.length; size++) {
            for (const s of subsets(ups, size)) expect(without(s)).toBeGreaterThanOrEqual(decision.threshold);
          }
        }
        expect(e.counterfactual).not.toBeNull();
      }
    }
  };

  it(
    "every factor once, shares sum to 1, honest headline, Spanish only in Spanish, signed, minimal counterfactuals",
    async () => {
      await fc.assert(fc.asyncProperty(decisionArb, check), {
        numRuns: RUNS,
        seed: Number(process.env.CANDOR_PROPERTY_SEED ?? 20261129),
      });
      // Hundreds of requests: allowed its time on a busy machine, scaled to the number of runs.
    },
    RUNS * 2_000,
  );
});
