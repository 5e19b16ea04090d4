import { ArrayMaxSize, ArrayMinSize, IsOptional, MaxLength, MinLength } from "class-validator";
import { ArgsType, Extensions, Field, Float, ID, InputType } from "type-graphql";
import { PageArgs } from "../../kernel/graphql/connection";
import { JUDGED_PER_ITEM } from "../../kernel/text/well-formed";
import { LocalizedTextInput } from "../../kernel/graphql/localized";
import { DecisionKind, RecommenderMode } from "../catalog";
import { Channel } from "../consent";
import { FactorKind, SourceClass } from "./decisions.enums";

// Per-decision limits (factor count, string lengths) are checked by DecisionService, so that one
// bad decision is refused on its own; only the batch's own size is checked here.

export const MAX_DECISIONS = 1000;

@InputType()
export class EvidenceInput {
  @Field()
  key: string;

  @Field()
  value: string;

  @Field(() => [LocalizedTextInput], {
    nullable: true,
    description:
      "The value in other locales. A locale without one gets a sentence that does not embed the value's language.",
  })
  localizedValues?: LocalizedTextInput[] | null;
}

@InputType()
export class FactorInput {
  @Field(() => FactorKind)
  kind: FactorKind;

  @Field({ description: "Purpose key." })
  purpose: string;

  @Field({ description: "Data category key." })
  dataCategory: string;

  @Field(() => SourceClass)
  sourceClass: SourceClass;

  @Field(() => String, { nullable: true, description: "Partner key, for PARTNER_PROVIDED data." })
  sourcePartner?: string | null;

  @Field(() => Float, { nullable: true })
  share?: number | null;

  @Field(() => Float, { nullable: true })
  contribution?: number | null;

  @Field(() => Date, { nullable: true })
  observedFrom?: Date | null;

  @Field(() => Date, { nullable: true })
  observedTo?: Date | null;

  @Field(() => [EvidenceInput], {
    nullable: true,
    description: "Facts for the plain-language sentence, e.g. item=hiking boots, count=3, days=7.",
  })
  evidence?: EvidenceInput[] | null;
}

@InputType()
export class SponsorInput {
  @Field()
  onBehalfOf: string;

  @Field()
  paidBy: string;
}

@InputType()
export class DecisionInput {
  @Field()
  subjectExternalId: string;

  @Field({ description: "Surface key." })
  surface: string;

  @Field(() => DecisionKind)
  kind: DecisionKind;

  @Field()
  itemRef: string;

  @Field({ description: "The item's name as shown, in English." })
  itemLabel: string;

  @Field(() => [LocalizedTextInput], {
    nullable: true,
    description:
      "The item's label in other locales; a locale without one gets a sentence that does not embed the default label's language.",
  })
  itemLabels?: LocalizedTextInput[] | null;

  @Field({ description: "Algorithm card key." })
  algorithm: string;

  @Field()
  algorithmVersion: string;

  @Field(() => Date, { nullable: true, description: "When it was shown; default now; at most 5 minutes ahead." })
  occurredAt?: Date | null;

  @Field(() => Channel)
  channel: Channel;

  @Field(() => Float, { nullable: true })
  score?: number | null;

  @Field(() => Float, { nullable: true })
  baseScore?: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "The score an item needed in order to be shown. With score and baseScore it lets Candor name the factors that decided the outcome.",
  })
  threshold?: number | null;

  @Field(() => [FactorInput])
  factors: FactorInput[];

  @Field(() => SponsorInput, { nullable: true })
  sponsor?: SponsorInput | null;

  @Field(() => String, { nullable: true, description: "Repeat-safe key for this decision." })
  idempotencyKey?: string | null;
}

@InputType()
export class RecordDecisionsInput {
  @Field(() => [DecisionInput])
  @Extensions(JUDGED_PER_ITEM)
  @ArrayMinSize(1, { message: "Give at least one decision" })
  @ArrayMaxSize(MAX_DECISIONS, { message: `At most ${MAX_DECISIONS} decisions per call` })
  decisions: DecisionInput[];
}

@InputType()
export class SetRecommenderModeInput {
  @Field({ description: "Surface key." })
  @MaxLength(120)
  surface: string;

  @Field(() => RecommenderMode)
  mode: RecommenderMode;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MinLength(1)
  @MaxLength(200)
  idempotencyKey?: string | null;
}

@InputType()
export class HideSponsorInput {
  @Field({ description: "The sponsor (an ad's onBehalfOf) whose ads to hide." })
  @MinLength(1)
  @MaxLength(200)
  sponsor: string;

  @Field({ defaultValue: true, description: "False shows the sponsor's ads again." })
  hidden: boolean;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MinLength(1)
  @MaxLength(200)
  idempotencyKey?: string | null;
}

@ArgsType()
export class DecisionArgs {
  @Field(() => ID)
  @MaxLength(200)
  id: string;
}

@ArgsType()
export class WhyAmISeeingArgs {
  @Field({ description: "Surface key." })
  @MaxLength(120)
  surface: string;

  @Field()
  @MaxLength(200)
  itemRef: string;
}

@ArgsType()
export class DecisionsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: "Only this surface key." })
  @IsOptional()
  @MaxLength(120)
  surface?: string | null;
}

@ArgsType()
export class ExplanationArgs {
  @Field(() => String, { nullable: true, defaultValue: "en", description: "en or es; other locales fall back to en." })
  @IsOptional()
  @MaxLength(35)
  locale?: string | null;
}
