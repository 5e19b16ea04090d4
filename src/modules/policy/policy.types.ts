import { ArrayMaxSize, ArrayMinSize, IsOptional, MaxLength, MinLength, ValidateNested } from "class-validator";
import { LocalizedTextInput } from "../../kernel/graphql/localized";
import { Field, InputType, Int, ObjectType } from "type-graphql";
import { UserError } from "../../kernel/graphql/user-error";
import { DataCategory, Partner, PolicyChangeKind, PolicyEntity, PrivacyPolicy, Purpose } from "../catalog";

export { PolicyChangeKind, PolicyEntity };

@ObjectType({ description: "One recipient of a data category under one agreement, and what it may do with the data." })
export class Disclosure {
  @Field(() => Partner)
  partner: Partner;

  @Field(() => Purpose)
  purpose: Purpose;

  @Field({ description: "The partner buys it: a sale of personal data under state law." })
  sold: boolean;

  @Field({ description: "The partner receives it to show or target ads." })
  sharedForAdvertising: boolean;

  @Field(() => Int, {
    nullable: true,
    description: "How long the partner may keep it, in days; null when not limited.",
  })
  retentionDays: number | null;
}

@ObjectType({
  description:
    "One line of the generated data-practice table: a category, why it is used, who gets it, how long it is kept.",
})
export class DataPractice {
  @Field(() => DataCategory)
  dataCategory: DataCategory;

  @Field(() => [Purpose])
  purposes: Purpose[];

  @Field(() => [Partner])
  recipients: Partner[];

  @Field(() => [Disclosure], {
    description:
      "Each recipient with what it may do with the data: which buy it, which use it for ads, how long they keep it.",
  })
  disclosures: Disclosure[];

  @Field(() => Int, { nullable: true })
  retentionDays: number | null;
}

@ObjectType()
export class PolicyChange {
  @Field(() => PolicyChangeKind)
  kind: PolicyChangeKind;

  @Field(() => PolicyEntity)
  entity: PolicyEntity;

  @Field({ description: "Key of the purpose, data category, partner or section concerned." })
  key: string;

  @Field({ description: "One plain sentence." })
  text: string;
}

@ObjectType()
export class PolicyDiff {
  @Field(() => Int)
  fromVersion: number;

  @Field(() => Int)
  toVersion: number;

  @Field(() => [PolicyChange])
  changes: PolicyChange[];
}

@InputType({ description: "A section's heading and body in another locale." })
export class PolicySectionTranslationInput {
  @Field({ description: "e.g. es." })
  @MinLength(1)
  @MaxLength(35)
  locale: string;

  @Field()
  @MinLength(1)
  @MaxLength(200)
  heading: string;

  @Field()
  @MinLength(1)
  @MaxLength(20_000)
  body: string;
}

@InputType()
export class PolicySectionInput {
  @Field()
  @MinLength(1)
  @MaxLength(120)
  key: string;

  @Field()
  @MinLength(1)
  @MaxLength(200)
  heading: string;

  @Field()
  @MinLength(1)
  @MaxLength(20_000)
  body: string;

  @Field(() => String, {
    nullable: true,
    description:
      "Required by the server when the body of an existing section changes: one plain sentence on what changed, used in the policy diff.",
  })
  @IsOptional()
  @MinLength(1)
  @MaxLength(500)
  changeSummary?: string | null;

  @Field(() => [PolicySectionTranslationInput], {
    nullable: true,
    description: "The section in every supported locale besides English (es); required by the server.",
  })
  @IsOptional()
  @ArrayMaxSize(20)
  @ValidateNested()
  translations?: PolicySectionTranslationInput[] | null;
}

@InputType()
export class PublishPrivacyPolicyInput {
  @Field()
  @MinLength(1)
  @MaxLength(4000)
  summary: string;

  @Field(() => [PolicySectionInput])
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested()
  sections: PolicySectionInput[];

  @Field(() => [LocalizedTextInput], {
    nullable: true,
    description: "The summary in every supported locale besides English (es); required by the server.",
  })
  @IsOptional()
  @ArrayMaxSize(20)
  summaryTranslations?: LocalizedTextInput[] | null;

  @Field(() => Date, { nullable: true, description: "Default: now." })
  effectiveAt?: Date | null;
}

@ObjectType()
export class PublishPrivacyPolicyPayload {
  @Field(() => PrivacyPolicy, { nullable: true })
  privacyPolicy?: PrivacyPolicy | null;

  @Field(() => [String], { description: "Published anyway, but worth fixing: e.g. a section above reading grade 8." })
  warnings: string[] = [];

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}
