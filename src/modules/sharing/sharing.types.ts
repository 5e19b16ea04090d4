import { Field, Int, ObjectType } from "type-graphql";
import { ConnectionType, type Connection } from "../../kernel/graphql/connection";
import { UserError } from "../../kernel/graphql/user-error";
import { DataCategory, Partner, Purpose } from "../catalog";
import { PartnerSignal } from "./partner-signal.entity";
import { SharingEvent } from "./sharing-event.entity";

export const SharingEventConnection = ConnectionType(SharingEvent);
export type SharingEventConnection = Connection<SharingEvent>;

@ObjectType({ description: "A partner that received the person's data, with what and why." })
export class Recipient {
  partnerId: string;
  purposeIds: string[];
  dataCategoryIds: string[];

  @Field(() => Partner)
  partner?: Partner;

  @Field(() => [Purpose])
  purposes?: Purpose[];

  @Field(() => [DataCategory])
  dataCategories?: DataCategory[];

  @Field(() => Date)
  firstSharedAt: Date;

  @Field(() => Date)
  lastSharedAt: Date;
}

@ObjectType()
export class SharingEventResult {
  @Field(() => Int)
  index: number;

  @Field(() => SharingEvent, { nullable: true })
  event: SharingEvent | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class RecordSharingEventsPayload {
  @Field(() => [SharingEventResult])
  results: SharingEventResult[] = [];

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

export const PartnerSignalConnection = ConnectionType(PartnerSignal);
export type PartnerSignalConnection = Connection<PartnerSignal>;

@ObjectType()
export class AcknowledgePartnerSignalsPayload {
  @Field(() => Int)
  acknowledged: number = 0;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

@ObjectType()
export class SetPartnerWebhookPayload {
  @Field(() => Partner, { nullable: true })
  partner?: Partner | null;

  @Field(() => String, { nullable: true, description: "The signing secret, shown only in this response." })
  secret?: string | null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}
