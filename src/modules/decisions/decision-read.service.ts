import type { EntityManager, FindOptionsWhere } from "typeorm";
import { pageOf } from "../../kernel/graphql/connection";
import type { Caller, Loaders } from "../../kernel/context";
import { notFound } from "../../kernel/errors";
import { ownedBy, type Subject } from "../people";
import { RecommenderMode } from "../catalog";
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
  controlTemplates,
  renderExplanation,
  type ControlTemplate,
  type RenderedExplanation,
} from "./explanation-render";
import { Lru } from "../../kernel/lru";
import { resolveLocale, type Locale } from "../../kernel/text/locale";

/** Reads of decisions, always through the request's loaders, and their explanations. */
export class DecisionReader {
  /** Explanations' words, by (decision, locale, catalog version): what was recorded never changes. */
  private readonly rendered: Lru<string, RenderedExplanation>;

  constructor(
    private readonly manager: () => EntityManager,
    private readonly consentReader: ConsentReader,
    private readonly signer: ReceiptSigner,
    explanationCacheEntries = 0,
  ) {
    this.rendered = new Lru(explanationCacheEntries);
  }

  /** A subject's own decision, any for an admin; another person's answers null like a missing one. */
  async visible(loaders: Loaders, caller: Caller, id: string): Promise<Decision | null> {
    return ownedBy(caller, await loaders.decisions.decision.load(id), (d) => d.subjectId);
  }

  /** The caller's latest decision for this item on this surface. */
  async latest(loaders: Loaders, subject: Subject, surfaceKey: string, itemRef: string): Promise<Decision | null> {
    const surface = (await loaders.catalog.allSurfaces()).find((s) => s.key === surfaceKey);
    if (!surface) throw notFound("surface", surfaceKey, ["surface"]);
    return this.manager().findOne(Decision, {
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
    const catalog = await loaders.catalog.catalog();
    return this.activate(loaders, factor.decision, controlTemplates(catalog, factor, locale));
  }

  /** Rendered controls with whether each is applied now: the person's state is read per request. */
  private async activate(
    loaders: Loaders,
    decision: Decision,
    templates: readonly ControlTemplate[],
  ): Promise<Control[]> {
    const needs = (kind: ControlKind) => templates.some((t) => t.kind === kind);
    const subject = await loaders.people.subject.load(decision.subjectId);
    const [consents, modes, hidden] = await Promise.all([
      needs(ControlKind.WITHDRAW_CONSENT) ? this.consentReader.consentsOf(loaders, subject) : [],
      needs(ControlKind.SWITCH_TO_NON_PROFILING) ? this.modesOf(loaders, subject) : [],
      needs(ControlKind.HIDE_SPONSOR) ? loaders.decisions.hiddenSponsors.load(decision.subjectId) : ([] as string[]),
    ]);
    const active = (t: ControlTemplate) =>
      t.kind === ControlKind.WITHDRAW_CONSENT
        ? consents.find((c) => c.purposeId === t.purposeId)?.status === ConsentStatus.DENIED
        : t.kind === ControlKind.SWITCH_TO_NON_PROFILING
          ? modes.find((m) => m.surfaceId === t.surfaceId)?.mode === RecommenderMode.NON_PROFILING
          : hidden.includes(t.sponsor!);
    return templates.map((t) =>
      Object.assign(new Control(), {
        kind: t.kind,
        label: t.label,
        purposeId: t.purposeId,
        sponsor: t.sponsor,
        active: active(t),
      }),
    );
  }

  /**
   * The explanation: its words rendered once per (decision, locale, catalog version) and kept;
   * the controls' `active` flags and the signature (with its iat) made for this request.
   */
  async explain(loaders: Loaders, decision: Decision, askedLocale: string | null | undefined): Promise<Explanation> {
    const locale = resolveLocale(askedLocale);
    const [factors, catalog] = await Promise.all([this.factors(loaders, decision), loaders.catalog.catalog()]);
    const key = `${decision.id}|${decision.integrityHash}|${locale}|${catalog.version}`;
    let rendered = this.rendered.get(key);
    if (!rendered) this.rendered.set(key, (rendered = renderExplanation(catalog, decision, factors, locale)));
    const byPosition = new Map(factors.map((f) => [f.row.position, f]));
    const text = new Map(rendered.texts.map((x) => [x.position, x.text]));
    const present = <T>(items: Array<T | undefined>) => items.filter((i): i is T => i !== undefined);
    const explanation = Object.assign(new Explanation(), {
      decisionId: decision.globalId,
      locale,
      headline: rendered.headline,
      factors: factors.map((factor) =>
        Object.assign(new FactorExplanation(), { factor, text: text.get(factor.row.position)! }),
      ),
      dataUsed: present(rendered.dataCategoryIds.map((id) => catalog.dataCategories.byId.get(id))),
      partnersInvolved: present(rendered.partnerIds.map((id) => catalog.partners.byId.get(id))),
      algorithm: catalog.algorithms.byId.get(decision.algorithmCardId)!,
      controls: await this.activate(loaders, decision, rendered.controls),
      readability: Object.assign(new Readability(), rendered.readability),
      readingGrade: rendered.readability.grade,
      decisiveFactors: rendered.decisive ? present(rendered.decisive.map((p) => byPosition.get(p))) : [],
      counterfactual: rendered.counterfactual,
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
