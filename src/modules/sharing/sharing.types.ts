import { Field, Int, ObjectType } from "type-graphql";
import { PageInfo } from "../../kernel/graphql/connection";
import { UserError } from "../../kernel/graphql/user-error";
import { DataCategory } from "../catalog/data-category.entity";
import { Partner } from "../catalog/partner.entity";
import { Purpose } from "../catalog/purpose.entity";
import { PartnerSignal } from "./partner-signal.entity";
import { SharingEvent } from "./sharing-event.entity";

@ObjectType()
export class SharingEventEdge {
  @Field()
  cursor: string;

  @Field(() => SharingEvent)
  node: SharingEvent;
}

@ObjectType()
export class SharingEventConnection {
  @Field(() => [SharingEventEdge])
  edges: SharingEventEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}

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

@ObjectType()
export class PartnerSignalEdge {
  @Field()
  cursor: string;

  @Field(() => PartnerSignal)
  node: PartnerSignal;
}

@ObjectType()
export class PartnerSignalConnection {
  @Field(() => [PartnerSignalEdge])
  edges: PartnerSignalEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}

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
