import { ArrayMaxSize, ArrayMinSize, IsOptional, MaxLength, MinLength } from "class-validator";
import { ArgsType, Extensions, Field, ID, InputType } from "type-graphql";
import { PageArgs } from "../../kernel/graphql/connection";
import { JUDGED_PER_ITEM } from "../../kernel/text/well-formed";

export const MAX_EVENTS = 1000;

// Per-event checks (category count, string lengths) are SharingService's, so that one bad event
// is refused on its own.

@InputType()
export class SharingEventInput {
  @Field()
  subjectExternalId: string;

  @Field(() => ID, { description: "Sharing agreement id." })
  agreement: string;

  @Field(() => [String], { description: "Data category keys; each must be covered by the agreement." })
  dataCategories: string[];

  @Field(() => Date, { nullable: true })
  occurredAt?: Date | null;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string | null;
}

@InputType()
export class RecordSharingEventsInput {
  @Field(() => [SharingEventInput])
  @Extensions(JUDGED_PER_ITEM)
  @ArrayMinSize(1, { message: "Give at least one event" })
  @ArrayMaxSize(MAX_EVENTS, { message: `At most ${MAX_EVENTS} events per call` })
  events: SharingEventInput[];
}

@InputType()
export class AcknowledgePartnerSignalsInput {
  @Field(() => [ID])
  @ArrayMaxSize(1000)
  @MaxLength(200, { each: true })
  ids: string[];
}

@InputType()
export class SetPartnerWebhookInput {
  @Field({ description: "Partner key." })
  @MaxLength(120)
  partner: string;

  @Field(() => String, { nullable: true, description: "https URL; null removes the webhook." })
  @IsOptional()
  @MinLength(1)
  @MaxLength(500)
  url?: string | null;
}

@ArgsType()
export class PartnerSignalsArgs extends PageArgs {
  @Field(() => Date, { nullable: true, description: "Only signals from this moment on." })
  since?: Date | null;
}
