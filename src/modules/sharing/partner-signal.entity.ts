import { Field, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { EnumColumn, IdColumn, TimeColumn } from "../../kernel/db/columns";
import { Node } from "../../kernel/graphql/node";
import { PartnerSignalKind } from "./sharing.enums";

/**
 * A signal for one partner about one person (known to it only by `subjectRef`). `seq` orders the
 * feed; the feed serves only rows committed a safety lag ago, so it never skips one.
 */
@ObjectType({ implements: Node, description: "A signal a partner must act on for a person whose data it received." })
@Entity("partner_signal")
@Index("ix_partner_signal_partner", ["partnerId", "seq"])
@Index("ix_partner_signal_subject", ["subjectId", "seq"])
export class PartnerSignal extends Node {
  @PrimaryGeneratedColumn("increment")
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
