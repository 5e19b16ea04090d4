import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { ConnectionType, type Connection } from "../../kernel/graphql/connection";
import { UserError } from "../../kernel/graphql/user-error";
import { AlgorithmCard, RecommenderMode, DataCategory, Partner, Purpose, Surface } from "../catalog";
import { Subject } from "../people";
import type { DecisionFactor } from "./decision-factor.entity";
import { Decision } from "./decision.entity";
import { ControlKind, FactorDirection, FactorKind, SourceClass } from "./decisions.enums";

@ObjectType({ description: "Who is behind an ad and who paid for it." })
export class Sponsor {
  @Field()
  onBehalfOf: string;

  @Field()
  paidBy: string;
}

@ObjectType({ description: "Something the person can do to change future decisions." })
export class Control {
  @Field(() => ControlKind)
  kind: ControlKind;

  @Field()
  label: string;

  purposeId: string | null;

  @Field(() => Purpose, { nullable: true })
  purpose?: Purpose | null;

  @Field({ description: "True when already applied." })
  active: boolean;

  @Field(() => String, { nullable: true, description: "For HIDE_SPONSOR: the sponsor (onBehalfOf) it hides." })
  sponsor?: string | null;
}

/** A recorded factor as the API shows it (the row, plus its decision's context for controls). */
@ObjectType()
export class Factor {
  row: DecisionFactor;
  decision: Decision;

  @Field(() => FactorKind)
  kind: FactorKind;

  @Field(() => Purpose)
  purpose?: Purpose;

  @Field(() => DataCategory)
  dataCategory?: DataCategory;

  @Field(() => SourceClass)
  sourceClass: SourceClass;

  @Field(() => Partner, { nullable: true, description: "Set when the data came from a partner." })
  sourcePartner?: Partner | null;

  @Field(() => Float, { description: "Share of the decision, 0..1; the shares of a decision sum to 1." })
  share: number;

  @Field(() => Float, { nullable: true, description: "Contribution in score units, when the decision has a score." })
  contribution: number | null;

  @Field(() => FactorDirection, {
    description: "From the sign of the contribution; RAISED when the decision has no scores.",
  })
  direction: FactorDirection;

  @Field(() => Date, { nullable: true })
  observedFrom: Date | null;

  @Field(() => Date, { nullable: true })
  observedTo: Date | null;

  @Field(() => [Control])
  controls?: Control[];

  static of(row: DecisionFactor, decision: Decision): Factor {
    return Object.assign(new Factor(), {
      row,
      decision,
      kind: row.kind,
      sourceClass: row.sourceClass,
      share: row.share,
      contribution: row.contribution,
      direction: row.contribution !== null && row.contribution < 0 ? FactorDirection.LOWERED : FactorDirection.RAISED,
      observedFrom: row.observedFrom,
      observedTo: row.observedTo,
    });
  }
}

@ObjectType()
export class FactorExplanation {
  @Field(() => Factor)
  factor: Factor;

  @Field({ description: "One plain-language sentence." })
  text: string;
}

@ObjectType()
export class Readability {
  @Field({
    description: "The formula made for the explanation's language, e.g. FLESCH_KINCAID (en), FERNANDEZ_HUERTA (es).",
  })
  formula: string;

  @Field(() => Float, { description: "The formula's own score." })
  score: number;

  @Field(() => Float, { description: "Approximate US school grade." })
  grade: number;
}

@ObjectType({ description: "Why a decision was made, computed from what was recorded." })
export class Explanation {
  @Field(() => ID)
  decisionId: string;

  @Field({ description: "The locale used: en or es; other locales fall back to en." })
  locale: string;

  @Field({ description: "One sentence: why this was shown." })
  headline: string;

  @Field(() => [FactorExplanation])
  factors: FactorExplanation[];

  @Field(() => [DataCategory])
  dataUsed: DataCategory[];

  @Field(() => [Partner])
  partnersInvolved: Partner[];

  @Field(() => AlgorithmCard)
  algorithm: AlgorithmCard;

  @Field(() => [Control])
  controls: Control[];

  @Field(() => Float, {
    description: "Reading grade of headline and factor texts together, by the formula made for the language.",
  })
  readingGrade: number;

  @Field(() => Readability)
  readability: Readability;

  @Field(() => [Factor], {
    description:
      "The smallest set of RAISED factors without which the item would not have been shown (largest first); empty without a threshold.",
  })
  decisiveFactors: Factor[];

  @Field(() => String, {
    nullable: true,
    description:
      'One plain sentence on what would have changed the outcome, e.g. "Without your browsing history you would not have seen this."; null without a threshold.',
  })
  counterfactual: string | null;

  @Field({
    description:
      "Compact JWS (EdDSA, key in /.well-known/jwks.json) whose payload is this explanation as served (locale, headline, factor texts and shares, controls) with the decision's id and integrityHash.",
  })
  jws: string;
}

export const DecisionConnection = ConnectionType(Decision);
export type DecisionConnection = Connection<Decision>;

@ObjectType()
export class DecisionResult {
  @Field(() => Int, { description: "Position in the input list." })
  index: number;

  @Field(() => Decision, { nullable: true })
  decision: Decision | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class RecordDecisionsPayload {
  @Field(() => [DecisionResult])
  results: DecisionResult[] = [];

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

@ObjectType()
export class SurfaceMode {
  surfaceId: string;

  @Field(() => Surface)
  surface?: Surface;

  @Field(() => RecommenderMode)
  mode: RecommenderMode;
}

@ObjectType()
export class HideSponsorPayload {
  @Field(() => Subject, { nullable: true })
  subject?: Subject | null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

@ObjectType()
export class SetRecommenderModePayload {
  @Field(() => Subject, { nullable: true })
  subject?: Subject | null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}
