import { Field, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { EnumColumn, IdColumn, IntColumn, TimeColumn } from "../../kernel/db/columns";
import { Node } from "../../kernel/graphql/node";
import { PartnerSignalKind } from "./sharing.enums";

/**
 * A signal for one partner about one person (known to it only by `subjectRef`). `seq` orders the
 * feed: numbered from the `signal_head` row, which the writer holds locked until it commits, so
 * numbers are committed in order; the feed serves only rows committed a safety lag ago, so it
 * never skips one.
 */
@ObjectType({ implements: Node, description: "A signal a partner must act on for a person whose data it received." })
@Entity("partner_signal")
@Index("ix_partner_signal_partner", ["partnerId", "seq"])
@Index("ix_partner_signal_subject", ["subjectId", "seq"])
export class PartnerSignal extends Node {
  @PrimaryColumn({ type: "int" })
  seq: number;

  @IdColumn()
  @Index("uq_partner_signal_id", { unique: true })
  id: string;

  @IdColumn()
  partnerId: string;

  @IdColumn()
  agreementId: string;

  /** Kept for deletion and audits; never shown to the partner. */
  @IdColumn()
  subjectId: string;

  @Field({ description: "The pseudonymous id under which this partner received the person's data." })
  @Column({ type: "varchar", length: 64 })
  subjectRef: string;

  @Field(() => PartnerSignalKind)
  @EnumColumn()
  kind: PartnerSignalKind;

  @IdColumn({ nullable: true })
  purposeId: string | null;

  @Field(() => Date)
  @TimeColumn()
  occurredAt: Date;

  @Field(() => Date, { nullable: true })
  @TimeColumn({ nullable: true })
  acknowledgedAt: Date | null;
}

/**
 * One row (id 1): the last partner-signal number given. Never AUTO_INCREMENT, whose values are
 * taken at insert and may commit out of order once writers no longer queue on one audit head.
 */
@Entity("signal_head")
export class SignalHead {
  @PrimaryColumn({ type: "int" })
  id: number;

  @IntColumn()
  seq: number;
}
