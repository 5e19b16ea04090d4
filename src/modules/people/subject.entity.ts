import { Field, ObjectType } from "type-graphql";
import { Column, Entity, Index } from "typeorm";
import { BoolColumn, EnumColumn, PrimaryIdColumn, TimeColumn } from "../../kernel/db/columns";
import { Node } from "../../kernel/graphql/node";
import type { AgeBracket } from "../catalog";

/** A person, known by the business's own id for them. */
@ObjectType({ implements: Node, description: "A person whose data the business uses." })
@Entity("subject")
export class Subject extends Node {
  @PrimaryIdColumn()
  id: string;

  /** Byte for byte (a binary NO PAD collation on MySQL/MariaDB, set by the migration): "AbC" is not "abc", nor "abc " "abc". */
  @Field()
  @Index("uq_subject_external_id", { unique: true })
  @Column({ type: "varchar", length: 200 })
  externalId: string;

  /** Where the person lives as last told (token claim or upsertSubject); null when never told. */
  @Column({ type: "varchar", length: 20, nullable: true })
  jurisdictionCode: string | null;

  /** What the business knows of the person's age (upsertSubject); null when never told (UNKNOWN). */
  @EnumColumn({ nullable: true })
  ageBracket: AgeBracket | null;

  /** The person's Global Privacy Control signal, and when it was last set or cleared. */
  @BoolColumn()
  gpc: boolean;

  @TimeColumn({ nullable: true })
  gpcAt: Date | null;

  @TimeColumn()
  createdAt: Date;

  @TimeColumn()
  updatedAt: Date;
}
