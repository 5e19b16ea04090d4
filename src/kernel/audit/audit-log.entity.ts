import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from "typeorm";
import { IntColumn, JsonColumn, TimeColumn } from "../db/columns";

/**
 * The tamper-evident log: a fixed set of lanes, each a hash chain of its own (DESIGN §9, "Audit
 * lanes"). `hash` = SHA-256 hex of `previous_hash` followed by the RFC 8785 canonical JSON of the
 * row's content; which content depends on `version` (see `auditHash`). Rows are only ever appended.
 */
@Entity("audit_log")
@Index("uq_audit_log_lane", ["lane", "laneSeq"], { unique: true })
export class AuditLog {
  /**
   * Unique and ordered across lanes, given by the database (AUTO_INCREMENT): it may have gaps
   * (rollbacks, Galera's spacing), so verification checks `lane_seq` instead.
   */
  @PrimaryGeneratedColumn("increment", { type: "int" })
  seq: number;

  @IntColumn()
  lane: number;

  /** 1, 2, 3… within the lane, without gaps. */
  @IntColumn()
  laneSeq: number;

  /** 1: written before lanes (lane 0, lane_seq = seq, hashed with seq); 2: hashed with lane and lane_seq. */
  @IntColumn()
  version: number;

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
 * One row per lane: where its chain ends. A write transaction locks the heads of the lanes it
 * appends to, last and in lane order, so writers of different lanes never wait for each other and
 * never wait in a circle. Head rows are never deleted, even when the lane count shrinks.
 */
@Entity("audit_lane_head")
export class AuditLaneHead {
  @PrimaryColumn({ type: "int" })
  lane: number;

  /** The lane's last lane_seq (0: empty). */
  @IntColumn()
  laneSeq: number;

  /** The `seq` of the lane's last entry (0: empty): what verification names when that entry is gone. */
  @IntColumn()
  seq: number;

  @Column({ type: "varchar", length: 64 })
  hash: string;
}
