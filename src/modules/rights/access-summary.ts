import type { AccessExport, ExportLocale, Named } from "./access-export";

// DataRequest.summary: what the export holds and why, for the person, in short sentences (reading
// grade 8 or below, tested). Built from the export itself, so it never says more than the file.

/** "a", "a and b", "a, b and c", "a, b, c and 2 more": long lists make long sentences. */
function listOf(names: string[], and: string, more: string): string {
  const shown = names.slice(0, 3);
  const rest = names.length - shown.length;
  if (rest > 0) return `${shown.join(", ")} ${and} ${rest} ${more}`;
  return shown.length < 2 ? shown.join("") : `${shown.slice(0, -1).join(", ")} ${and} ${shown[shown.length - 1]}`;
}

const distinct = (items: Named[]) => [...new Map(items.map((i) => [i.id, i.name])).values()];

interface Facts {
  choices: number;
  granted: number;
  purposes: number;
  decisions: number;
  categories: string[];
  usedFor: string[];
  partners: string[];
  notices: number;
  requests: number;
}

const WORDS: Record<ExportLocale, (f: Facts) => string[]> = {
  en: (f) => {
    const list = (names: string[]) => listOf(names, "and", "more");
    const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
    return [
      "This file shows the data we hold about you, and why we hold it.",
      f.choices === 0
        ? "You have not made a choice yet, so our default settings apply."
        : `You made ${n(f.choices, "choice", "choices")} about how we use your data.`,
      `Right now you allow ${f.granted} of our ${f.purposes} uses of your data.`,
      f.decisions === 0
        ? "We have not picked any ads or items for you."
        : `We picked ${n(f.decisions, "ad or item", "ads or items")} for you. Each one says why.`,
      ...(f.categories.length ? [`We used this data about you: ${list(f.categories)}.`] : []),
      ...(f.usedFor.length ? [`We used it for: ${list(f.usedFor)}.`] : []),
      f.partners.length === 0
        ? "We did not give your data to any partner."
        : `We gave your data to ${n(f.partners.length, "partner", "partners")}: ${list(f.partners)}.`,
      ...(f.notices ? [`We sent you ${n(f.notices, "notice", "notices")} about a data breach.`] : []),
      `You made ${n(f.requests, "privacy request", "privacy requests")}, counting this one.`,
      "Each part of the file starts with a note on what it holds.",
    ];
  },
  es: (f) => {
    const list = (names: string[]) => listOf(names, "y", "más");
    const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
    return [
      "Este archivo muestra los datos que tenemos de ti y por qué los tenemos.",
      f.choices === 0
        ? "Aún no has tomado una decisión, así que usamos los ajustes de base."
        : `Tomaste ${n(f.choices, "decisión", "decisiones")} sobre el uso de tus datos.`,
      `Hoy permites ${f.granted} de los ${f.purposes} usos de tus datos.`,
      f.decisions === 0
        ? "No elegimos anuncios ni artículos para ti."
        : `Elegimos ${n(f.decisions, "anuncio o artículo", "anuncios o artículos")} para ti. Cada uno dice por qué.`,
      // The export names the catalog's entries in its own language (the catalog's translations).
      ...(f.categories.length ? [`Usamos estos datos tuyos: ${list(f.categories)}.`] : []),
      ...(f.usedFor.length ? [`Los usamos para: ${list(f.usedFor)}.`] : []),
      f.partners.length === 0
        ? "No dimos tus datos a ningún socio."
        : `Dimos tus datos a ${n(f.partners.length, "socio", "socios")}: ${list(f.partners)}.`,
      ...(f.notices ? [`Te enviamos ${n(f.notices, "aviso", "avisos")} de una brecha de datos.`] : []),
      `Hiciste ${n(f.requests, "solicitud", "solicitudes")} de privacidad, contando esta.`,
      "Cada parte del archivo empieza con una nota sobre lo que tiene.",
    ];
  },
};

/** The plain-language account of an export, in the export's own language. */
export function summaryOf(data: AccessExport): string {
  const lower = (names: string[]) => names.map((s) => s.toLowerCase());
  const facts: Facts = {
    choices: data.consents.reduce((sum, c) => sum + c.history.length, 0),
    granted: data.consents.filter((c) => c.status === "GRANTED").length,
    purposes: data.consents.length,
    decisions: data.decisions.length,
    categories: lower(distinct(data.dataUse.map((u) => u.dataCategory))),
    usedFor: lower(
      distinct([...data.dataUse.flatMap((u) => u.purposes), ...data.sharing.events.map((e) => e.agreement.purpose)]),
    ),
    partners: distinct(data.sharing.events.map((e) => e.partner)),
    notices: data.breachNotices.length,
    requests: data.requests.length,
  };
  return WORDS[data.about.locale](facts).join(" ");
}
