import { Field, ObjectType } from "type-graphql";
import { Column, Entity, Index } from "typeorm";
import { IdColumn, JsonColumn, NameColumn, PrimaryIdColumn, TimeColumn } from "../../kernel/db/columns";
import { Node } from "../../kernel/graphql/node";

/** One disclosure of a person's data to a partner, under a standing agreement. */
@ObjectType({ implements: Node })
@Entity("sharing_event")
@Index("ix_sharing_event_subject", ["subjectId", "id"])
@Index("ix_sharing_event_subject_agreement", ["subjectId", "agreementId"])
export class SharingEvent extends Node {
  @PrimaryIdColumn()
  id: string;

  @IdColumn()
  subjectId: string;

  @IdColumn()
  partnerId: string;

  @IdColumn()
  agreementId: string;

  @JsonColumn()
  dataCategoryIds: string[];

  @Field({ description: "The stable pseudonym under which this partner knows the person." })
  @Column({ type: "varchar", length: 64 })
  subjectRef: string;

  @Field(() => Date)
  @TimeColumn()
  occurredAt: Date;

  @TimeColumn()
  recordedAt: Date;

  @NameColumn()
  recordedBy: string;
}
