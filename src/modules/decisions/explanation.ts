import { andList } from "../../kernel/text/lists";
import { DEFAULT_LOCALE, textFor, type Locale } from "../../kernel/text/locale";
import type { Evidence as RecordedEvidence } from "./decision-factor.entity";
import { FactorDirection, FactorKind, SourceClass } from "./decisions.enums";

// Plain-language sentences, built only from what was recorded: one template per factor kind, in
// English and Spanish, filled from the factor's evidence (e.g. item, count, days). Short words,
// short sentences: the demo explanations read at grade 8 or below. A sentence never embeds words
// of another language: evidence the engine did not give in the person's language is left out.

type Evidence = Record<string, string>;

/** Digits, dates, times and percentages read the same in every language. */
const WORDLESS = /^[\d\s.,:/%+-]*$/;

/** The evidence a sentence may use in this locale: values given in it, or values without words. */
export function evidenceIn(locale: Locale, evidence: RecordedEvidence[]): Evidence {
  const out: Evidence = {};
  for (const e of evidence) {
    const value =
      textFor(e.localizedValues, locale) ?? (locale === DEFAULT_LOCALE || WORDLESS.test(e.value) ? e.value : null);
    if (value !== null) out[e.key] = value;
  }
  return out;
}

interface FactorWords {
  kind: FactorKind;
  /** The data category's name, lower-cased. */
  category: string;
  /** Days of data the factor looked at, when the engine recorded the window. */
  windowDays?: number | null;
  partner: string | null;
  sourceClass: SourceClass;
  evidence: Evidence;
}

const t = (ev: Evidence, key: string) => (ev[key] ? ev[key].trim() : "");

const SENTENCES: Record<Locale, Record<FactorKind, (f: FactorWords) => string>> = {
  en: {
    BEHAVIORAL: ({ evidence: e, category }) =>
      t(e, "item")
        ? `You looked at ${t(e, "item")}${t(e, "count") ? ` ${t(e, "count")} times` : ""}${t(e, "days") ? ` in the last ${t(e, "days")} days` : ""}.`
        : `It matches what you did with us (your ${category}).`,
    PREDICTIVE: ({ evidence: e, category }) =>
      t(e, "reason")
        ? `We guessed you may like it because ${t(e, "reason")}.`
        : `We guessed you may like it from your ${category}.`,
    GEOGRAPHIC: ({ evidence: e }) => `It fits where you are${t(e, "place") ? `: ${t(e, "place")}` : ""}.`,
    DEMOGRAPHIC: ({ evidence: e }) =>
      `It is liked by people${t(e, "group") ? ` in your group: ${t(e, "group")}` : " in your age group"}.`,
    CONTEXTUAL: ({ evidence: e }) =>
      `It fits what you are looking at now${t(e, "context") ? `: ${t(e, "context")}` : ""}.`,
    SOCIAL: ({ evidence: e }) => `People you know liked it${t(e, "who") ? `: ${t(e, "who")}` : ""}.`,
    POPULARITY: ({ evidence: e }) => `Many shoppers picked it${t(e, "period") ? ` ${t(e, "period")}` : " lately"}.`,
    RECENCY: ({ evidence: e }) => `It is new${t(e, "since") ? ` since ${t(e, "since")}` : ""}.`,
    ADVERTISER_TARGETING: ({ evidence: e }) =>
      `${t(e, "advertiser") || "The advertiser"} asked to reach people${t(e, "audience") ? ` who ${t(e, "audience")}` : " like you"}.`,
    BUSINESS_RULE: ({ evidence: e }) => `A store rule put it here${t(e, "rule") ? `: ${t(e, "rule")}` : ""}.`,
  },
  es: {
    BEHAVIORAL: ({ evidence: e, category }) =>
      t(e, "item")
        ? `Viste ${t(e, "item")}${t(e, "count") ? ` ${t(e, "count")} veces` : ""}${t(e, "days") ? ` en los últimos ${t(e, "days")} días` : ""}.`
        : `Se parece a lo que hiciste con nosotros (tu ${category}).`,
    PREDICTIVE: ({ evidence: e, category }) =>
      t(e, "reason")
        ? `Creemos que te puede gustar porque ${t(e, "reason")}.`
        : `Creemos que te puede gustar, según tu ${category}.`,
    GEOGRAPHIC: ({ evidence: e }) => `Va con el lugar donde estás${t(e, "place") ? `: ${t(e, "place")}` : ""}.`,
    DEMOGRAPHIC: ({ evidence: e }) =>
      `Les gusta a personas${t(e, "group") ? ` de tu grupo: ${t(e, "group")}` : " de tu edad"}.`,
    CONTEXTUAL: ({ evidence: e }) => `Va con lo que miras ahora${t(e, "context") ? `: ${t(e, "context")}` : ""}.`,
    SOCIAL: ({ evidence: e }) => `Le gustó a gente que conoces${t(e, "who") ? `: ${t(e, "who")}` : ""}.`,
    POPULARITY: ({ evidence: e }) =>
      `Muchos clientes lo eligieron${t(e, "period") ? ` ${t(e, "period")}` : " hace poco"}.`,
    RECENCY: ({ evidence: e }) => `Es nuevo${t(e, "since") ? ` desde ${t(e, "since")}` : ""}.`,
    ADVERTISER_TARGETING: ({ evidence: e }) =>
      `${t(e, "advertiser") || "El anunciante"} pidió llegar a personas${t(e, "audience") ? ` que ${t(e, "audience")}` : " como tú"}.`,
    BUSINESS_RULE: ({ evidence: e }) =>
      `Una regla de la tienda lo puso aquí${t(e, "rule") ? `: ${t(e, "rule")}` : ""}.`,
  },
};

/** Why-phrases for the headline ("…mostly because …"). */
const BECAUSE: Record<Locale, Record<FactorKind, string>> = {
  en: {
    BEHAVIORAL: "of what you did with us",
    PREDICTIVE: "we guessed you may like it",
    GEOGRAPHIC: "of where you are",
    DEMOGRAPHIC: "of your age group",
    CONTEXTUAL: "of what you are looking at now",
    SOCIAL: "people you know liked it",
    POPULARITY: "many shoppers picked it",
    RECENCY: "it is new",
    ADVERTISER_TARGETING: "an advertiser asked to reach people like you",
    BUSINESS_RULE: "of a store rule",
  },
  es: {
    BEHAVIORAL: "por lo que hiciste con nosotros",
    PREDICTIVE: "porque creemos que te puede gustar",
    GEOGRAPHIC: "por el lugar donde estás",
    DEMOGRAPHIC: "por tu grupo de edad",
    CONTEXTUAL: "por lo que miras ahora",
    SOCIAL: "porque le gustó a gente que conoces",
    POPULARITY: "porque muchos clientes lo eligieron",
    RECENCY: "porque es nuevo",
    ADVERTISER_TARGETING: "porque un anunciante pidió llegar a personas como tú",
    BUSINESS_RULE: "por una regla de la tienda",
  },
};

/** The headline's words for a reason of this kind (e.g. "of what you did with us"). */
export const reasonPhrase = (locale: Locale, kind: FactorKind): string => BECAUSE[locale][kind];

export const AGAINST: Record<Locale, string> = {
  en: "This counted against showing it to you.",
  es: "Esto contó en contra de mostrártelo.",
};

/**
 * The data a factor used, in words: always named (evidence adds detail, never replaces it), with
 * the window it covered when recorded. Left out only when the sentence already says both.
 */
function dataUsed(locale: Locale, f: FactorWords, sentence: string): string {
  const days = f.windowDays ?? null;
  if (sentence.includes(f.category) && days === null) return "";
  const window = days === null ? "" : locale === "es" ? ` (últimos ${days} días)` : ` (last ${days} days)`;
  return locale === "es" ? ` Datos usados: ${f.category}${window}.` : ` Data used: ${f.category}${window}.`;
}

/** One factor in words; a factor that lowered the score says it counted against the item. */
export function factorSentence(
  locale: Locale,
  f: FactorWords,
  direction: FactorDirection = FactorDirection.RAISED,
): string {
  let sentence = SENTENCES[locale][f.kind](f);
  sentence += dataUsed(locale, f, sentence);
  if (f.sourceClass === SourceClass.PARTNER_PROVIDED && f.partner) {
    sentence =
      locale === "es" ? `${sentence} Usó datos de ${f.partner}.` : `${sentence} It used data from ${f.partner}.`;
  }
  return direction === FactorDirection.LOWERED ? `${sentence} ${AGAINST[locale]}` : sentence;
}

interface HeadlineFactor {
  kind: FactorKind;
  share: number;
  direction: FactorDirection;
}

const TIE = 1e-9;

/**
 * Names the factors that raised the score the most: "mostly" only when the largest holds more than
 * half of what raised it; otherwise "partly", with the two largest (all of them when tied at the top).
 * A factor that lowered the score is never given as a reason.
 */
export function headline(locale: Locale, label: string | null, factors: HeadlineFactor[]): string {
  const itemLabel = label ?? (locale === "es" ? "esto" : "this");
  const raised = factors.filter((f) => f.direction === FactorDirection.RAISED).sort((a, b) => b.share - a.share);
  if (raised.length === 0) return locale === "es" ? `Te mostramos ${itemLabel}.` : `We showed you ${itemLabel}.`;
  const total = raised.reduce((s, f) => s + f.share, 0);
  const [top] = raised;
  const tied = raised.filter((f) => Math.abs(f.share - top.share) <= TIE);
  const percent = (f: HeadlineFactor) => `${Math.round(f.share * 100)}%`;
  if (tied.length === 1 && top.share > total / 2 + TIE) {
    return locale === "es"
      ? `Te mostramos ${itemLabel} sobre todo ${BECAUSE.es[top.kind]} (${percent(top)}).`
      : `We showed you ${itemLabel} mostly because ${BECAUSE.en[top.kind]} (${percent(top)}).`;
  }
  const named = tied.length > 1 ? tied : raised.slice(0, 2);
  const shares = named.map(percent).join(", ");
  if (locale === "es") {
    const reasons = named.map((f) => BECAUSE.es[f.kind]);
    return `Te mostramos ${itemLabel} en parte ${andList(reasons, "y")} (${shares}).`;
  }
  const reasons = named.map((f, i) => (i === 0 ? BECAUSE.en[f.kind] : `because ${BECAUSE.en[f.kind]}`));
  return `We showed you ${itemLabel} partly because ${andList(reasons, "and")} (${shares}).`;
}

export function controlLabel(
  locale: Locale,
  kind: "WITHDRAW_CONSENT" | "SWITCH_TO_NON_PROFILING" | "HIDE_SPONSOR",
  name: string,
): string {
  if (kind === "HIDE_SPONSOR") return locale === "es" ? `Ocultar anuncios de ${name}` : `Hide ads from ${name}`;
  if (kind === "WITHDRAW_CONSENT")
    return locale === "es" ? `Dejar de usar mis datos para "${name}"` : `Stop using my data for "${name}"`;
  return locale === "es" ? `Ver "${name}" sin usar mi perfil` : `Show "${name}" without using my profile`;
}

interface Scored {
  share: number;
  direction: FactorDirection;
  contribution: number | null;
}

/**
 * The smallest set of RAISED factors without which the score falls below the threshold (largest
 * contribution first: removing the largest ones first needs the fewest). Empty when the base score
 * alone reached it; null when the decision gives no threshold, score or contributions (no guess).
 */
export function decisiveFactors<F extends Scored>(
  decision: { score: number | null; threshold: number | null },
  factors: F[],
): F[] | null {
  const { score, threshold } = decision;
  if (score === null || threshold === null || factors.some((f) => f.contribution === null)) return null;
  const raised = factors.filter((f) => f.contribution! > 0).sort((a, b) => b.contribution! - a.contribution!);
  const withoutAll = score - raised.reduce((s, f) => s + f.contribution!, 0);
  if (withoutAll >= threshold) return [];
  const decisive: F[] = [];
  let remaining = score;
  for (const f of raised) {
    if (remaining < threshold) break;
    remaining -= f.contribution!;
    decisive.push(f);
  }
  return decisive;
}

/** One plain sentence on what would have changed the outcome, naming the data of the decisive factors. */
export function counterfactualSentence(locale: Locale, decisive: string[] | null): string | null {
  if (decisive === null) return null;
  const names = andList([...new Set(decisive)], locale === "es" ? "y" : "and");
  if (decisive.length === 0) {
    return locale === "es"
      ? "Lo habrías visto incluso sin estos factores."
      : "You would have seen this even without these factors.";
  }
  return locale === "es"
    ? `Sin estos datos (${names}) no habrías visto esto.`
    : `Without this data (${names}) you would not have seen this.`;
}
