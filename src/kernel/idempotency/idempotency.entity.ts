import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { JsonColumn, TimeColumn, UUID_LENGTH } from "../db/columns";

/**
 * A repeat-safe call: the first result of (caller, subject, key), kept 24 hours, stored only for
 * calls that wrote something. The request hash tells a retry from a different call with the same key.
 */
@Entity("idempotency_record")
@Index("ix_idempotency_record_created", ["createdAt"])
export class IdempotencyRecord {
  @PrimaryColumn({ type: "varchar", length: UUID_LENGTH })
  subjectId: string;

  @PrimaryColumn({ type: "varchar", length: 255 })
  caller: string;

  @PrimaryColumn({ type: "varchar", length: 200 })
  idempotencyKey: string;

  @Column({ type: "varchar", length: 64 })
  requestHash: string;

  @JsonColumn()
  result: Record<string, unknown>;

  @TimeColumn()
  createdAt: Date;
}
