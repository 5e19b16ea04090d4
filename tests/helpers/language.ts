import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

// "No English in Spanish" (DESIGN §9): no word of four or more letters from an entry's English
// name or label appears in Spanish text unless the entry's Spanish translation has it too (brand
// names are in both). The entries are read from the demo catalog, so the rule follows the data.

export interface Bilingual {
  en: string;
  es: string;
}

const words = (text: string) => (text.toLowerCase().match(/\p{L}+/gu) ?? []).filter((w) => w.length >= 4);

/** Every name a person reads from the demo catalog, in English and Spanish. */
export function demoCatalogNames(): Bilingual[] {
  const c = parse(readFileSync(join(__dirname, "..", "..", "catalog", "demo.yaml"), "utf8"));
  const named = (entries: any[]) => entries.map((e) => ({ en: e.name, es: e.translations.es.name }));
  return [
    ...named(c.dataCategories),
    ...named(c.purposes),
    ...named(c.personalizationLevels),
    ...named(c.surfaces),
    ...c.surfaces.flatMap((s: any) =>
      s.mainParameters.map((p: any, i: number) => ({ en: p.name, es: s.translations.es.mainParameters[i].name })),
    ),
    ...c.algorithms.flatMap((a: any) => named(a.versions)),
  ];
}

/** The demo's brand names (partners, the store): the same in every language. */
export function demoBrands(): string[] {
  const c = parse(readFileSync(join(__dirname, "..", "..", "catalog", "demo.yaml"), "utf8"));
  return [...c.partners.map((p: any) => p.name), c.controller?.name].filter(Boolean);
}

/**
 * The English words of `entries` that a Spanish text carries: empty when it is all Spanish.
 * Brand names are taken out first: "Open Range Data Co." is Spanish too.
 */
export function englishWordsIn(spanish: string, entries: Bilingual[], brands: string[] = []): string[] {
  const present = new Set(words(brands.reduce((text, brand) => text.split(brand).join(" "), spanish)));
  const found = new Set<string>();
  for (const entry of entries) {
    const inSpanish = new Set(words(entry.es));
    for (const w of words(entry.en)) if (present.has(w) && !inSpanish.has(w)) found.add(w);
  }
  return [...found];
}
