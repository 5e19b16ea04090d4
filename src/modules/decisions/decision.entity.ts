import { Field, Float, ObjectType } from "type-graphql";
import { Column, Entity, Index } from "typeorm";
import { EnumColumn, IdColumn, JsonColumn, NameColumn, PrimaryIdColumn, TimeColumn } from "../../kernel/db/columns";
import type { LocalizedText } from "../../kernel/text/locale";
import { Node } from "../../kernel/graphql/node";
import { DecisionKind, RecommenderMode } from "../catalog";
import { Channel } from "../consent";

/** What the personalization engine showed one person, and why (its factors). Never changed. */
@ObjectType({ implements: Node })
@Entity("decision")
@Index("ix_decision_subject_item", ["subjectId", "surfaceId", "itemRef", "occurredAt"])
@Index("ix_decision_subject_recent", ["subjectId", "id"])
export class Decision extends Node {
  @PrimaryIdColumn()
  id: string;

  @IdColumn()
  subjectId: string;

  @IdColumn()
  surfaceId: string;

  @IdColumn()
  algorithmCardId: string;

  @Field(() => DecisionKind)
  @EnumColumn()
  kind: DecisionKind;

  @Field()
  @NameColumn()
  itemRef: string;

  @Field()
  @NameColumn()
  itemLabel: string;

  /** The item's label in other locales, as the engine gave them (null when it gave none). */
  @JsonColumn({ nullable: true })
  itemLabels: LocalizedText[] | null;

  @Field(() => Date)
  @TimeColumn()
  occurredAt: Date;

  @TimeColumn()
  recordedAt: Date;

  @Field(() => Channel)
  @EnumColumn()
  channel: Channel;

  @Field(() => RecommenderMode)
  @EnumColumn()
  mode: RecommenderMode;

  @Field(() => Float, { nullable: true })
  @Column({ type: "double", nullable: true })
  score: number | null;

  @Field(() => Float, { nullable: true })
  @Column({ type: "double", nullable: true })
  baseScore: number | null;

  @Field(() => Float, {
    nullable: true,
    description: "The score the item needed in order to be shown, when the engine said.",
  })
  @Column({ type: "double", nullable: true })
  threshold: number | null;

  @NameColumn({ nullable: true })
  sponsorOnBehalfOf: string | null;

  @NameColumn({ nullable: true })
  sponsorPaidBy: string | null;

  /** The service that recorded it (audit actor form). */
  @NameColumn()
  recordedBy: string;

  @Field({ description: "SHA-256 over the decision as recorded; never changes." })
  @Column({ type: "varchar", length: 64 })
  integrityHash: string;
}
