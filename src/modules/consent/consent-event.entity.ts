import { Field, Int, ObjectType } from "type-graphql";
import { Entity, Index } from "typeorm";
import { BoolColumn, EnumColumn, IdColumn, IntColumn, PrimaryIdColumn, TimeColumn } from "../../kernel/db/columns";
import { Node } from "../../kernel/graphql/node";
import { Channel, ConsentSource, ConsentStatus } from "./consent.enums";

/** One change of a person's effective consent for one purpose. Append-only. */
@ObjectType({ implements: Node })
@Entity("consent_event")
@Index("ix_consent_event_subject", ["subjectId", "id"])
@Index("ix_consent_event_subject_purpose", ["subjectId", "purposeId", "id"])
export class ConsentEvent extends Node {
  @PrimaryIdColumn()
  id: string;

  @IdColumn()
  subjectId: string;

  @IdColumn()
  purposeId: string;

  @Field(() => ConsentStatus)
  @EnumColumn()
  status: ConsentStatus;

  @Field(() => ConsentStatus, { nullable: true })
  @EnumColumn({ nullable: true })
  previousStatus: ConsentStatus | null;

  @Field(() => ConsentSource)
  @EnumColumn()
  source: ConsentSource;

  @Field(() => Channel)
  @EnumColumn()
  channel: Channel;

  @Field(() => Int)
  @IntColumn()
  policyVersion: number;

  @BoolColumn()
  gpcOverridden: boolean;

  @Field(() => Date)
  @TimeColumn()
  occurredAt: Date;

  @IdColumn({ nullable: true })
  receiptId: string | null;
}
