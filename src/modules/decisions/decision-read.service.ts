import type { EntityManager, FindOptionsWhere } from "typeorm";
import { pageOf } from "../../kernel/graphql/connection";
import type { Caller, Loaders } from "../../kernel/context";
import { notFound } from "../../kernel/errors";
import { ownedBy, type Subject } from "../people";
import { readabilityOf } from "../../kernel/text/readability";
import { ConsentMode, RecommenderMode, type DataCategory, type Partner, Surface, DecisionKind } from "../catalog";
import { ConsentStatus, type ConsentReader } from "../consent";
import { Decision } from "./decision.entity";
import { ControlKind } from "./decisions.enums";
import {
  Control,
  type DecisionConnection,
  Explanation,
  Factor,
  FactorExplanation,
  SurfaceMode,
  Readability,
} from "./decisions.types";
import type { ReceiptSigner } from "../../kernel/signer";
import {
  controlLabel,
  factorSentence,
  headline,
  counterfactualSentence,
  decisiveFactors,
  evidenceIn,
} from "./explanation";
import { DEFAULT_LOCALE, resolveLocale, textFor, translated, type Locale } from "../../kernel/text/locale";
import { sameKey } from "../../kernel/text/well-formed";

/** Reads of decisions, always through the request's loaders, and their explanations. */
export class DecisionReader {
  constructor(
    private readonly manager: () => EntityManager,
    private readonly consentReader: ConsentReader,
    private readonly signer: ReceiptSigner,
  ) {}

  /** A subject's own decision, any for an admin; another person's answers null like a missing one. */
  async visible(loaders: Loaders, caller: Caller, id: string): Promise<Decision | null> {
    return ownedBy(caller, await loaders.decisions.decision.load(id), (d) => d.subjectId);
  }

  /** The caller's latest decision for this item on this surface. */
  async latest(subject: Subject, surfaceKey: string, itemRef: string): Promise<Decision | null> {
    const m = this.manager();
    const surface = sameKey(await m.findOneBy(Surface, { key: surfaceKey }), surfaceKey);
    if (!surface) throw notFound("surface", surfaceKey, ["surface"]);
    return m.findOne(Decision, {
      where: { subjectId: subject.id, surfaceId: surface.id, itemRef },
      order: { occurredAt: "DESC", id: "DESC" },
    });
  }

  /** Newest first, optionally on one surface. */
  async page(
    loaders: Loaders,
    subject: Subject,
    first: number,
    after: string | null | undefined,
    surfaceKey: string | null | undefined,
  ): Promise<DecisionConnection> {
    const where: FindOptionsWhere<Decision> = { subjectId: subject.id };
    if (surfaceKey) {
      const surface = (await loaders.catalog.allSurfaces()).find((s) => s.key === surfaceKey);
      if (!surface) throw notFound("surface", surfaceKey, ["surface"]);
      where.surfaceId = surface.id;
    }
    const result = await pageOf(this.manager(), Decision, where, first, after);
    result.edges.forEach(({ node }) => loaders.decisions.decision.prime(node.id, node));
    return result;
  }

  /** Every recorded factor, largest share first. */
  async factors(loaders: Loaders, decision: Decision): Promise<Factor[]> {
    const rows = await loaders.decisions.factors.load(decision.id);
    return rows.map((r) => Factor.of(r, decision)).sort((a, b) => b.share - a.share || a.row.position - b.row.position);
  }

  async modesOf(loaders: Loaders, subject: Pick<Subject, "id"> | null): Promise<SurfaceMode[]> {
    const [surfaces, chosen] = await Promise.all([
      loaders.catalog.allSurfaces(),
      subject ? loaders.decisions.modes.load(subject.id) : [],
    ]);
    return surfaces.map((s) =>
      Object.assign(new SurfaceMode(), {
        surfaceId: s.id,
        surface: s,
        mode: chosen.find((c) => c.surfaceId === s.id)?.mode ?? RecommenderMode.PERSONALIZED,
      }),
    );
  }

  /** The controls a factor offers, and whether each is already applied for the person. */
  async controls(loaders: Loaders, factor: Factor, locale: Locale = "en"): Promise<Control[]> {
    const { row, decision } = factor;
    const [purpose, surface, subject, category] = await Promise.all([
      loaders.catalog.purpose.load(row.purposeId),
      loaders.catalog.surface.load(decision.surfaceId),
      loaders.people.subject.load(decision.subjectId),
      loaders.catalog.dataCategory.load(row.dataCategoryId),
    ]);
    const out: Control[] = [];
    if (purpose && purpose.defaultMode !== ConsentMode.ESSENTIAL) {
      const consent = (await this.consentReader.consentsOf(loaders, subject)).find((c) => c.purposeId === purpose.id);
      out.push(
        Object.assign(new Control(), {
          kind: ControlKind.WITHDRAW_CONSENT,
          label: controlLabel(locale, "WITHDRAW_CONSENT", translated(purpose, "name", locale)),
          purposeId: purpose.id,
          active: consent?.status === ConsentStatus.DENIED,
        }),
      );
    }
    // Every factor NON_PROFILING would refuse offers the switch, whatever its kind.
    const profiles = category !== null && !category.usableWithoutProfiling;
    if (surface && profiles && surface.modes.includes(RecommenderMode.NON_PROFILING)) {
      const mode = (await this.modesOf(loaders, subject)).find((m) => m.surfaceId === surface.id)?.mode;
      out.push(
        Object.assign(new Control(), {
          kind: ControlKind.SWITCH_TO_NON_PROFILING,
          label: controlLabel(locale, "SWITCH_TO_NON_PROFILING", translated(surface, "name", locale)),
          purposeId: null,
          active: mode === RecommenderMode.NON_PROFILING,
        }),
      );
    }
    return out;
  }

  async explain(loaders: Loaders, decision: Decision, askedLocale: string | null | undefined): Promise<Explanation> {
    const locale = resolveLocale(askedLocale);
    const factors = await this.factors(loaders, decision);
    const { catalog } = loaders;
    const texts = await Promise.all(
      factors.map(async (f) => {
        const [category, partner] = await Promise.all([
          catalog.dataCategory.load(f.row.dataCategoryId),
          f.row.sourcePartnerId ? catalog.partner.load(f.row.sourcePartnerId) : null,
        ]);
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
      }),
    );
    const head = headline(locale, itemLabelIn(locale, decision), factors);
    const unique = <T extends { id: string }>(items: Array<T | null | undefined>) => [
      ...new Map(items.filter((i): i is T => !!i).map((i) => [i.id, i])).values(),
    ];
    const controls = (await Promise.all(factors.map((f) => this.controls(loaders, f, locale)))).flat();
    const sponsor = decision.kind === DecisionKind.AD ? decision.sponsorOnBehalfOf : null;
    if (sponsor) {
      const hidden = await loaders.decisions.hiddenSponsors.load(decision.subjectId);
      const label = controlLabel(locale, "HIDE_SPONSOR", sponsor);
      controls.push(
        Object.assign(new Control(), {
          kind: ControlKind.HIDE_SPONSOR,
          label,
          purposeId: null,
          sponsor,
          active: hidden.includes(sponsor),
        }),
      );
    }
    const decisive = decisiveFactors(decision, factors);
    const readability = Object.assign(
      new Readability(),
      readabilityOf([head, ...texts.map((x) => x.text)].join(" "), locale),
    );
    const categoryOf = new Map(texts.map((x) => [x.factor, x.categoryName]));
    const explanation = Object.assign(new Explanation(), {
      decisionId: decision.globalId,
      locale,
      headline: head,
      factors: texts.map(({ factor, text }) => Object.assign(new FactorExplanation(), { factor, text })),
      dataUsed: unique<DataCategory>(texts.map((x) => x.category)),
      partnersInvolved: unique<Partner>(texts.map((x) => x.partner)),
      algorithm: (await catalog.algorithmCard.load(decision.algorithmCardId))!,
      controls: [...new Map(controls.map((c) => [`${c.kind}|${c.purposeId ?? ""}|${c.sponsor ?? ""}`, c])).values()],
      readability,
      readingGrade: readability.grade,
      decisiveFactors: decisive ?? [],
      counterfactual: counterfactualSentence(locale, decisive && decisive.map((f) => categoryOf.get(f)!)),
    });
    explanation.jws = await this.sign(loaders, decision, explanation);
    return explanation;
  }

  /**
   * The explanation exactly as served, signed (DESIGN §9): a person or a regulator can later
   * prove what Candor said, and with the integrity hash that the decision was not rewritten.
   */
  private async sign(loaders: Loaders, decision: Decision, e: Explanation): Promise<string> {
    const purposeKey = async (id: string | null) =>
      id ? ((await loaders.catalog.purpose.load(id))?.key ?? null) : null;
    const controls = await Promise.all(
      e.controls.map(async (c) => ({
        kind: c.kind,
        label: c.label,
        purpose: await purposeKey(c.purposeId),
        sponsor: c.sponsor ?? null,
        active: c.active,
      })),
    );
    const payload = {
      decisionId: e.decisionId,
      integrityHash: decision.integrityHash,
      locale: e.locale,
      headline: e.headline,
      factors: e.factors.map((f) => ({ text: f.text, share: f.factor.share, direction: f.factor.direction })),
      controls,
      counterfactual: e.counterfactual,
      iat: Math.floor(Date.now() / 1000),
    };
    return this.signer.signCanonical(payload, "explanation+jws");
  }
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
