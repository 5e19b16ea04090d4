import {
  findJurisdiction,
  lawCodes,
  type CatalogSnapshot,
  type Jurisdiction,
  type PolicySectionData,
  placeName,
  UNKNOWN_JURISDICTION,
} from "../catalog";
import { andList } from "../../kernel/text/lists";
import type { Locale } from "../../kernel/text/locale";

// Policy text that states facts kept elsewhere is generated from them, never typed by hand: how
// fast requests are answered comes from the jurisdiction table, and who buys the data or gets it
// for ads from the agreements the version describes. A hand-typed "never later than 45 days"
// contradicted Iowa's 90.

const WORDS = {
  en: {
    and: "and",
    heading: "How fast we answer",
    intro: "We answer a request about your data within the time the law where you live sets.",
    takes: (days: number, places: string) => `We take at most ${days} days in ${places}.`,
    same: (places: string) => `The same goes for ${places}.`,
    more: (extension: number) => `There, we may take ${extension} more days if we tell you why.`,
    elsewhere: (days: number) => `Anywhere else, we take at most ${days} days.`,
    buyersHeading: "Who buys your data or gets it for ads",
    none: "We do not sell your data, and we do not share it for ads.",
    sell: (who: string) => `We sell some of your data to ${who}.`,
    noSale: "We do not sell your data.",
    ads: (who: string) => `We share some of your data for ads with ${who}.`,
    stop: "You can tell us to stop at any time.",
  },
  es: {
    and: "y",
    heading: "Qué tan rápido respondemos",
    intro: "Respondemos una solicitud sobre tus datos en el plazo que fija la ley del lugar donde vives.",
    takes: (days: number, places: string) => `Tardamos ${days} días como máximo en ${places}.`,
    same: (places: string) => `Lo mismo vale para ${places}.`,
    more: (extension: number) => `Ahí podemos tardar ${extension} días más si te decimos por qué.`,
    elsewhere: (days: number) => `En cualquier otro lugar, tardamos ${days} días como máximo.`,
    buyersHeading: "Quién compra tus datos o los recibe para anuncios",
    none: "No vendemos tus datos y no los compartimos para anuncios.",
    sell: (who: string) => `Vendemos algunos de tus datos a ${who}.`,
    noSale: "No vendemos tus datos.",
    ads: (who: string) => `Compartimos algunos de tus datos para anuncios con ${who}.`,
    stop: "Puedes pedirnos que paremos en cualquier momento.",
  },
};

/** One generated section in both languages. */
const section = (key: string, text: (lang: Locale) => { heading: string; body: string }): PolicySectionData => ({
  key,
  ...text("en"),
  translations: { es: text("es") },
});

/** "How fast we answer": the deadline and extension of every law in force, grouped. */
export function responseTimes(at: Date = new Date()): PolicySectionData {
  const inForce = lawCodes()
    .map((code) => findJurisdiction(code, at))
    .filter((j): j is Jurisdiction => j !== null && j.inForce);
  const groups = new Map<string, Jurisdiction[]>();
  for (const j of inForce) {
    const key = `${j.requestResponseDays}/${j.requestExtensionDays ?? 0}`;
    groups.set(key, [...(groups.get(key) ?? []), j]);
  }
  const strict = findJurisdiction(UNKNOWN_JURISDICTION, at)!;
  const ordered = [...groups.values()].sort((a, b) => b.length - a.length);
  // Short sentences: a long list of places is told a few at a time.
  const chunked = (js: Jurisdiction[]) =>
    Array.from({ length: Math.ceil(js.length / 5) }, (_, i) => js.slice(i * 5, i * 5 + 5));
  return section("how-fast-we-answer", (lang) => {
    const w = WORDS[lang];
    const places = (js: Jurisdiction[]) =>
      andList(
        js.map((j) => placeName(j.code, lang)),
        w.and,
      );
    const group = (js: Jurisdiction[]) => {
      const [first, ...rest] = chunked(js);
      const extension = js[0].requestExtensionDays;
      return [
        w.takes(js[0].requestResponseDays, places(first)),
        ...rest.map((c) => w.same(places(c))),
        ...(extension ? [w.more(extension)] : []),
      ];
    };
    return {
      heading: w.heading,
      body: [w.intro, ...ordered.flatMap(group), w.elsewhere(strict.requestResponseDays)].join(" "),
    };
  });
}

/** "Who buys your data or gets it for ads": from the agreements the version describes. */
export function buyersAndAdvertisers(snapshot: CatalogSnapshot): PolicySectionData | null {
  const agreements = snapshot.agreements;
  if (!agreements) return null;
  const partner = (key: string) => snapshot.partners.find((p) => p.key === key)?.name ?? key;
  const category = (key: string, lang: Locale) => {
    const c = snapshot.dataCategories.find((x) => x.key === key);
    return ((lang === "es" ? c?.translations?.es?.name : undefined) ?? c?.name ?? key).toLowerCase();
  };
  const sold = agreements.filter((a) => a.isSale);
  const ads = agreements.filter((a) => a.isSharingForAdvertising && !a.isSale);
  return section("who-buys-your-data", (lang) => {
    const w = WORDS[lang];
    const what = (a: (typeof agreements)[number]) =>
      `${partner(a.partner)} (${andList(
        a.dataCategories.map((k) => category(k, lang)),
        w.and,
      )})`;
    const body =
      sold.length === 0 && ads.length === 0
        ? w.none
        : [
            sold.length > 0 ? w.sell(andList(sold.map(what), w.and)) : w.noSale,
            ads.length > 0 ? w.ads(andList(ads.map(what), w.and)) : "",
            w.stop,
          ]
            .filter(Boolean)
            .join(" ");
    return { heading: w.buyersHeading, body };
  });
}
