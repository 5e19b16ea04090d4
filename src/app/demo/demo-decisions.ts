import { Role, type Principal } from "../../kernel/principal";
import type { Services } from "../context";
import { DecisionKind } from "../../modules/catalog/catalog.enums";
import { Channel } from "../../modules/consent/consent.enums";
import type { DecisionInput, FactorInput } from "../../modules/decisions/decisions.inputs";
import { FactorKind, SourceClass } from "../../modules/decisions/decisions.enums";

// A handful of decisions for the demo person, across surfaces and kinds (an ad and a dynamic
// price among them), recorded through the real service so that the printed subject token shows
// real explanations at once. Texts come as [English, Spanish], the way an engine that knows its
// catalog in both gives them; numbers read the same in both.

export const DEMO_PERSON = "demo-person-1";

const ENGINE: Principal = { role: Role.SERVICE, scopes: ["decisions:write"], keyName: "demo-engine" };

type Words = string | [en: string, es: string];
const english = (w: Words) => (typeof w === "string" ? w : w[0]);
const spanish = (w: Words) => (typeof w === "string" ? null : [{ locale: "es", text: w[1] }]);

const factor = (
  kind: FactorKind,
  purpose: string,
  dataCategory: string,
  weight: { share?: number; contribution?: number },
  evidence: Record<string, Words> = {},
  extra: Partial<FactorInput> = {},
): FactorInput => ({
  kind,
  purpose,
  dataCategory,
  sourceClass: SourceClass.OBSERVED,
  ...weight,
  evidence: Object.entries(evidence).map(([key, value]) => ({
    key,
    value: english(value),
    localizedValues: spanish(value),
  })),
  ...extra,
});

const decision = (
  surface: string,
  kind: DecisionKind,
  itemRef: string,
  label: [en: string, es: string],
  algorithm: string,
  factors: FactorInput[],
  extra: Partial<DecisionInput> = {},
): DecisionInput => ({
  subjectExternalId: DEMO_PERSON,
  surface,
  kind,
  itemRef,
  itemLabel: english(label),
  itemLabels: spanish(label),
  algorithm,
  algorithmVersion: "2",
  channel: Channel.WEB,
  factors,
  ...extra,
});

export const DEMO_DECISIONS: DecisionInput[] = [
  decision(
    "home-feed",
    DecisionKind.RECOMMENDATION,
    "sku-boots-ridgeline",
    ["Ridgeline hiking boots", "las botas de montaña Ridgeline"],
    "product-recommender",
    [
      factor(
        FactorKind.BEHAVIORAL,
        "personalized-recommendations",
        "user.behavior.browsing_history",
        { contribution: 0.42 },
        { item: ["hiking boots", "botas de montaña"], count: "3", days: "7" },
      ),
      factor(
        FactorKind.PREDICTIVE,
        "personalized-recommendations",
        "user.inferred.interests",
        { contribution: 0.2 },
        { reason: ["you like day hikes", "te gustan las caminatas de un día"] },
        { sourceClass: SourceClass.INFERRED },
      ),
      factor(
        FactorKind.GEOGRAPHIC,
        "personalized-recommendations",
        "user.location.coarse",
        { contribution: 0.1 },
        { place: ["near Oakland", "cerca de Oakland"] },
      ),
      factor(
        FactorKind.POPULARITY,
        "store-operation",
        "user.behavior.current_visit",
        { contribution: 0.05 },
        { period: ["this week", "esta semana"] },
        { sourceClass: SourceClass.CONTEXTUAL },
      ),
    ],
    { score: 0.87, baseScore: 0.1, threshold: 0.5 },
  ),
  decision(
    "search",
    DecisionKind.SEARCH_RESULT,
    "sku-trail-runner",
    ["Trail running shoes", "los tenis para correr en el monte"],
    "product-recommender",
    [
      factor(
        FactorKind.CONTEXTUAL,
        "store-operation",
        "user.behavior.current_visit",
        { share: 0.6 },
        { context: ["your search for trail shoes", "tu búsqueda de tenis para el monte"] },
        { sourceClass: SourceClass.CONTEXTUAL },
      ),
      factor(
        FactorKind.BEHAVIORAL,
        "personalized-recommendations",
        "user.behavior.search_history",
        { share: 0.4 },
        { item: ["trail shoes", "tenis para el monte"], count: "2", days: "14" },
      ),
    ],
  ),
  decision(
    "product-page-ads",
    DecisionKind.AD,
    "ad-summit-tents",
    ["the Summit tent sale", "la oferta de carpas Summit"],
    "ad-matcher",
    [
      factor(
        FactorKind.ADVERTISER_TARGETING,
        "targeted-advertising",
        "user.behavior.browsing_history",
        { share: 0.5 },
        { advertiser: ["Summit Tents", "Summit Tents"], audience: ["looked at tents", "miraron carpas"] },
      ),
      factor(
        FactorKind.PREDICTIVE,
        "targeted-advertising",
        "user.inferred.interests",
        { share: 0.3 },
        { reason: ["you follow camping pages", "sigues páginas de campismo"] },
        { sourceClass: SourceClass.PARTNER_PROVIDED, sourcePartner: "campfire-social" },
      ),
      factor(
        FactorKind.CONTEXTUAL,
        "store-operation",
        "user.behavior.current_visit",
        { share: 0.2 },
        { context: ["the tent you are viewing", "la carpa que estás viendo"] },
        { sourceClass: SourceClass.CONTEXTUAL },
      ),
    ],
    { sponsor: { onBehalfOf: "Summit Tents", paidBy: "Summit Tents" } },
  ),
  decision(
    "prices-and-deals",
    DecisionKind.DYNAMIC_PRICE,
    "price-alpine-40",
    ["10% off the Alpine 40L pack", "10% menos en la mochila Alpine 40L"],
    "personal-pricing",
    [
      factor(
        FactorKind.BUSINESS_RULE,
        "order-fulfillment",
        "user.account.loyalty",
        { share: 0.6 },
        { rule: ["members get 10% off", "los socios pagan 10% menos"] },
        { sourceClass: SourceClass.DECLARED },
      ),
      factor(
        FactorKind.BEHAVIORAL,
        "dynamic-pricing",
        "user.behavior.cart",
        { share: 0.4 },
        { item: ["the pack in your cart", "la mochila de tu carrito"], count: "2", days: "3" },
      ),
    ],
  ),
  decision(
    "email-offers",
    DecisionKind.EMAIL_OFFER,
    "email-weekend-deals",
    ["our weekend gear deals email", "nuestro correo de ofertas del fin de semana"],
    "email-offer-picker",
    [
      factor(
        FactorKind.BEHAVIORAL,
        "email-offers",
        "user.behavior.purchase_history",
        { share: 0.7 },
        { item: ["rain jackets", "chaquetas para lluvia"], count: "2", days: "30" },
      ),
      factor(
        FactorKind.POPULARITY,
        "email-offers",
        "user.inferred.interests",
        { share: 0.3 },
        { period: ["this week", "esta semana"] },
        { sourceClass: SourceClass.INFERRED },
      ),
    ],
    { channel: Channel.EMAIL },
  ),
];

/** Records the demo decisions; returns how many were accepted. */
export async function recordDemoDecisions(services: Services): Promise<number> {
  await services.people.ensure({ externalId: DEMO_PERSON, jurisdiction: "US-CA" }, "system:demo");
  const outcomes = await services.decisions.record(ENGINE, DEMO_DECISIONS);
  const refused = outcomes.filter((o) => o.decision === null);
  if (refused.length > 0)
    services.logger.warn(
      { refused: refused.map((o) => ({ index: o.index, problems: o.problems.map((p) => p.message) })) },
      "some demo decisions were refused",
    );
  return outcomes.length - refused.length;
}
