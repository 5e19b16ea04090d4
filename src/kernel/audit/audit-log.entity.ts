import { Column, Entity, PrimaryColumn } from "typeorm";
import { IntColumn, JsonColumn, TimeColumn } from "../db/columns";

/**
 * The tamper-evident log. `hash` = SHA-256 hex of `previous_hash` followed by the RFC 8785
 * canonical JSON of every other column. Rows are only ever appended.
 */
@Entity("audit_log")
export class AuditLog {
  @PrimaryColumn({ type: "int" })
  seq: number;

  @TimeColumn()
  occurredAt: Date;

  @Column({ type: "varchar", length: 200 })
  actor: string;

  @Column({ type: "varchar", length: 80 })
  action: string;

  @Column({ type: "varchar", length: 80 })
  entityType: string;

  @Column({ type: "varchar", length: 200 })
  entityId: string;

  @JsonColumn()
  detail: Record<string, unknown>;

  @Column({ type: "varchar", length: 64 })
  previousHash: string;

  @Column({ type: "varchar", length: 64 })
  hash: string;
}

/**
 * One row (id 1): the chain's head. Every write transaction locks it last, which orders all
 * appends without deadlocks; the row exists from the first migration on.
 */
@Entity("audit_head")
export class AuditHead {
  @PrimaryColumn({ type: "int" })
  id: number;

  @IntColumn()
  seq: number;

  @Column({ type: "varchar", length: 64 })
  hash: string;
}
