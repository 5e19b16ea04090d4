import { Field, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, Index } from "typeorm";
import { EnumColumn, IdColumn, JsonColumn, PrimaryIdColumn, TextColumn, TimeColumn } from "../../kernel/db/columns";
import { Node } from "../../kernel/graphql/node";

export enum BreachStatus {
  INVESTIGATING = "INVESTIGATING",
  CONTAINED = "CONTAINED",
  RESOLVED = "RESOLVED",
}
registerEnumType(BreachStatus, { name: "BreachStatus" });

/** What happened, to which data, when, and what is being done: told honestly to each person hit. */
@ObjectType({ implements: Node })
@Entity("breach_incident")
export class BreachIncident extends Node {
  @PrimaryIdColumn()
  id: string;

  @Field()
  @Column({ type: "varchar", length: 200 })
  title: string;

  @Field()
  @TextColumn()
  description: string;

  @Field(() => Date)
  @TimeColumn()
  discoveredAt: Date;

  @Field(() => Date, { nullable: true })
  @TimeColumn({ nullable: true })
  containedAt: Date | null;

  @Field(() => Date, { description: "The window in which data was exposed." })
  @TimeColumn()
  occurredFrom: Date;

  @Field(() => Date)
  @TimeColumn()
  occurredTo: Date;

  @JsonColumn()
  dataCategoryIds: string[];

  @Field()
  @TextColumn()
  whatWeAreDoing: string;

  @Field()
  @TextColumn()
  whatYouCanDo: string;

  @Field(() => BreachStatus)
  @EnumColumn()
  status: BreachStatus;

  @TimeColumn()
  createdAt: Date;

  @TimeColumn()
  updatedAt: Date;
}

/** One person's notice of an incident, naming the categories of their data it exposed. */
@ObjectType({ implements: Node })
@Entity("breach_notice")
@Index("ix_breach_notice_subject", ["subjectId", "notifiedAt"])
@Index("uq_breach_notice_incident_subject", ["incidentId", "subjectId"], { unique: true })
export class BreachNotice extends Node {
  @PrimaryIdColumn()
  id: string;

  @IdColumn()
  subjectId: string;

  @IdColumn()
  incidentId: string;

  @JsonColumn()
  affectedCategoryIds: string[];

  @Field(() => Date)
  @TimeColumn()
  notifiedAt: Date;

  @Field(() => Date, { nullable: true })
  @TimeColumn({ nullable: true })
  acknowledgedAt: Date | null;
}
