import { ConsentMode, DecisionKind, RecommenderMode, type DataCategory, type LiveCatalog } from "../catalog";
import { readabilityOf, type Readability } from "../../kernel/text/readability";
import { DEFAULT_LOCALE, textFor, translated, type Locale } from "../../kernel/text/locale";
import type { Decision } from "./decision.entity";
import { ControlKind } from "./decisions.enums";
import type { Factor } from "./decisions.types";
import {
  controlLabel,
  counterfactualSentence,
  decisiveFactors,
  evidenceIn,
  factorSentence,
  headline,
} from "./explanation";

// An explanation's words depend only on what was recorded and on the catalog (names, modes,
// which purposes can be refused): rendered once per (decision, locale, catalog version) and kept.
// What is live — whether each control is already applied — and the signature (with its iat) are
// added per request by the reader.

/** A control as rendered; whether it is `active` is the person's state now, added per request. */
export interface ControlTemplate {
  kind: ControlKind;
  label: string;
  purposeId: string | null;
  sponsor: string | null;
  /** For SWITCH_TO_NON_PROFILING: the surface whose mode it switches. */
  surfaceId: string | null;
}

export interface RenderedExplanation {
  headline: string;
  /** Factor sentences by the factor's position in the decision, in the order served. */
  texts: ReadonlyArray<{ position: number; text: string }>;
  dataCategoryIds: readonly string[];
  partnerIds: readonly string[];
  controls: readonly ControlTemplate[];
  readability: Readability;
  /** Positions of the decisive factors; null without a threshold. */
  decisive: readonly number[] | null;
  counterfactual: string | null;
}

/** The controls one factor offers (DESIGN §5 "Explanations"), without their live state. */
export function controlTemplates(catalog: LiveCatalog, factor: Factor, locale: Locale): ControlTemplate[] {
  const { row, decision } = factor;
  const purpose = catalog.purposes.byId.get(row.purposeId);
  const surface = catalog.surfaces.byId.get(decision.surfaceId);
  const category = catalog.dataCategories.byId.get(row.dataCategoryId);
  const out: ControlTemplate[] = [];
  if (purpose && purpose.defaultMode !== ConsentMode.ESSENTIAL) {
    out.push({
      kind: ControlKind.WITHDRAW_CONSENT,
      label: controlLabel(locale, "WITHDRAW_CONSENT", translated(purpose, "name", locale)),
      purposeId: purpose.id,
      sponsor: null,
      surfaceId: null,
    });
  }
  // Every factor NON_PROFILING would refuse offers the switch, whatever its kind.
  const profiles = category !== undefined && !category.usableWithoutProfiling;
  if (surface && profiles && surface.modes.includes(RecommenderMode.NON_PROFILING)) {
    out.push({
      kind: ControlKind.SWITCH_TO_NON_PROFILING,
      label: controlLabel(locale, "SWITCH_TO_NON_PROFILING", translated(surface, "name", locale)),
      purposeId: null,
      sponsor: null,
      surfaceId: surface.id,
    });
  }
  return out;
}

/** Everything an explanation says, from the recorded decision and its factors (served order). */
export function renderExplanation(
  catalog: LiveCatalog,
  decision: Decision,
  factors: Factor[],
  locale: Locale,
): RenderedExplanation {
  const texts = factors.map((f) => {
    const category = catalog.dataCategories.byId.get(f.row.dataCategoryId) ?? null;
    const partner = f.row.sourcePartnerId ? (catalog.partners.byId.get(f.row.sourcePartnerId) ?? null) : null;
    const categoryName = categoryWords(category, locale);
    const text = factorSentence(
      locale,
      {
        kind: f.kind,
        category: categoryName,
        windowDays: windowDays(f.row.observedFrom, f.row.observedTo ?? decision.occurredAt),
        partner: partner?.name ?? null,
        sourceClass: f.sourceClass,
        evidence: evidenceIn(locale, f.row.evidence),
      },
      f.direction,
    );
    return { factor: f, text, category, categoryName, partner };
  });
  const head = headline(locale, itemLabelIn(locale, decision), factors);
  const controls = factors.flatMap((f) => controlTemplates(catalog, f, locale));
  const sponsor = decision.kind === DecisionKind.AD ? decision.sponsorOnBehalfOf : null;
  if (sponsor) {
    controls.push({
      kind: ControlKind.HIDE_SPONSOR,
      label: controlLabel(locale, "HIDE_SPONSOR", sponsor),
      purposeId: null,
      sponsor,
      surfaceId: null,
    });
  }
  const decisive = decisiveFactors(decision, factors);
  const categoryOf = new Map(texts.map((x) => [x.factor, x.categoryName]));
  const ids = (items: Array<{ id: string } | null>) => [
    ...new Set(items.filter((i): i is { id: string } => i !== null).map((i) => i.id)),
  ];
  return {
    headline: head,
    texts: texts.map((x) => ({ position: x.factor.row.position, text: x.text })),
    dataCategoryIds: ids(texts.map((x) => x.category)),
    partnerIds: ids(texts.map((x) => x.partner)),
    controls: [...new Map(controls.map((c) => [`${c.kind}|${c.purposeId ?? ""}|${c.sponsor ?? ""}`, c])).values()],
    readability: readabilityOf([head, ...texts.map((x) => x.text)].join(" "), locale),
    decisive: decisive && decisive.map((f) => f.row.position),
    counterfactual: counterfactualSentence(locale, decisive && decisive.map((f) => categoryOf.get(f)!)),
  };
}

/** A data category's name as a sentence uses it, in the person's language. */
const categoryWords = (category: DataCategory | null, locale: Locale) =>
  category ? translated(category, "name", locale).toLowerCase() : locale === "es" ? "datos" : "data";

/** The item's label in the person's language; null when the engine gave none in it (no foreign words). */
const itemLabelIn = (locale: Locale, d: Decision): string | null =>
  textFor(d.itemLabels, locale) ?? (locale === DEFAULT_LOCALE ? d.itemLabel : null);

/** Whole days between the start of the data a factor looked at and its end (or the decision). */
function windowDays(from: Date | null, to: Date): number | null {
  if (!from) return null;
  return Math.max(1, Math.round((to.getTime() - from.getTime()) / 86_400_000));
}
