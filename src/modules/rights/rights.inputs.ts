import { IsInt, IsOptional, Matches, Max, MaxLength, Min, MinLength } from "class-validator";
import { ArgsType, Field, ID, InputType, Int } from "type-graphql";
import { PageArgs } from "../../kernel/graphql/connection";
import { DataRequestKind, DataRequestStatus } from "./data-request.entity";

@InputType()
export class SubmitDataRequestInput {
  @Field(() => DataRequestKind)
  kind: DataRequestKind;

  @Field(() => String, { nullable: true, description: "For CORRECT: what is wrong and what it should be." })
  @IsOptional()
  @MaxLength(5000)
  details?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Only admins and services give it, e.g. for a request taken by phone.",
  })
  @IsOptional()
  @MinLength(1)
  @MaxLength(200)
  subjectExternalId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  idempotencyKey?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "For ACCESS: the language of the export's texts and its summary, as a BCP 47 tag: en (the default) or es; other languages fall back to en, as Explanation.locale does.",
  })
  @IsOptional()
  @Matches(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/, { message: "locale must be a language tag such as en or es-MX" })
  @MaxLength(35)
  locale?: string | null;
}

@InputType()
export class ResolveDataRequestInput {
  @Field(() => ID)
  @MaxLength(200)
  id: string;

  @Field()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;
}

@InputType()
export class ExtendDataRequestInput {
  @Field(() => ID)
  @MaxLength(200)
  id: string;

  @Field(() => Int)
  @IsInt()
  @Min(1)
  @Max(365)
  days: number;

  @Field()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;
}

@ArgsType()
export class DataRequestsArgs extends PageArgs {
  @Field(() => DataRequestStatus, { nullable: true })
  status?: DataRequestStatus | null;
}
