import { ArrayMaxSize, ArrayMinSize, IsOptional, MaxLength, MinLength } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { BreachStatus } from "./breach.entity";

@InputType()
export class ReportBreachIncidentInput {
  @Field()
  @MinLength(1)
  @MaxLength(200)
  title: string;

  @Field()
  @MinLength(1)
  @MaxLength(10_000)
  description: string;

  @Field(() => Date)
  discoveredAt: Date;

  @Field(() => Date)
  occurredFrom: Date;

  @Field(() => Date)
  occurredTo: Date;

  @Field(() => [String], { description: "Data category keys." })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @MaxLength(120, { each: true })
  dataCategories: string[];

  @Field()
  @MinLength(1)
  @MaxLength(10_000)
  whatWeAreDoing: string;

  @Field()
  @MinLength(1)
  @MaxLength(10_000)
  whatYouCanDo: string;
}

@InputType()
export class UpdateBreachIncidentInput {
  @Field(() => ID)
  @MaxLength(200)
  id: string;

  @Field(() => BreachStatus, { nullable: true })
  status?: BreachStatus | null;

  @Field(() => Date, { nullable: true })
  containedAt?: Date | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MinLength(1)
  @MaxLength(10_000)
  whatWeAreDoing?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MinLength(1)
  @MaxLength(10_000)
  whatYouCanDo?: string | null;
}

@InputType()
export class AcknowledgeBreachNoticeInput {
  @Field(() => ID)
  @MaxLength(200)
  id: string;
}
