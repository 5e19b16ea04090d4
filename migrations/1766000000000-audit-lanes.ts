import type { MigrationInterface, QueryRunner } from "typeorm";
import {
  createTable,
  int,
  json,
  key,
  name,
  primary,
  serial,
  setIncrement,
  time,
  type ColumnSpec,
} from "./support/schema";

const GENESIS = "0".repeat(64);
/** Lanes created here; the app adds more at start-up when CANDOR_AUDIT_LANES asks for them. */
const LANES = 16;
const CONTENT = "occurred_at, actor, action, entity_type, entity_id, detail, previous_hash, hash";

const entryColumns = (seq: ColumnSpec): Record<string, ColumnSpec> => ({
  seq,
  occurred_at: time(),
  actor: name(),
  action: key(80),
  entity_type: key(80),
  entity_id: name(),
  detail: json(),
  previous_hash: key(64),
  hash: key(64),
});

/**
 * Audit lanes (DESIGN §9): the one chain becomes lane 0 — its rows keep their seq and their v1
 * hashes (version 1, lane_seq = seq) — beside 15 empty lanes, each with a head row; `seq` is given
 * by AUTO_INCREMENT from now on. Partner-signal numbers move from AUTO_INCREMENT to `signal_head`.
 * The table is rebuilt (copy, drop, rename) because SQLite cannot add NOT NULL columns or
 * AUTO_INCREMENT to one in place; MariaDB rebuilds it for AUTO_INCREMENT anyway.
 */
export class AuditLanes1766000000000 implements MigrationInterface {
  name = "AuditLanes1766000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await createTable(queryRunner, "audit_log_lanes", {
      columns: { ...entryColumns(serial()), lane: int(), lane_seq: int(), version: int() },
      indices: [{ name: "uq_audit_log_lane", columns: ["lane", "lane_seq"], unique: true }],
    });
    await queryRunner.query(
      `INSERT INTO audit_log_lanes (seq, ${CONTENT}, lane, lane_seq, version) SELECT seq, ${CONTENT}, 0, seq, 1 FROM audit_log`,
    );
    await queryRunner.dropTable("audit_log");
    await queryRunner.renameTable("audit_log_lanes", "audit_log");

    await createTable(queryRunner, "audit_lane_head", {
      columns: { lane: primary(int()), lane_seq: int(), seq: int(), hash: key(64) },
    });
    await queryRunner.query(
      "INSERT INTO audit_lane_head (lane, lane_seq, seq, hash) SELECT 0, seq, seq, hash FROM audit_head WHERE id = 1",
    );
    for (let lane = 1; lane < LANES; lane++)
      await queryRunner.query("INSERT INTO audit_lane_head (lane, lane_seq, seq, hash) VALUES (?, 0, 0, ?)", [
        lane,
        GENESIS,
      ]);
    await queryRunner.dropTable("audit_head");

    await setIncrement(queryRunner, "partner_signal", "seq", false);
    await createTable(queryRunner, "signal_head", { columns: { id: primary(int()), seq: int() } });
    await queryRunner.query("INSERT INTO signal_head (id, seq) SELECT 1, COALESCE(MAX(seq), 0) FROM partner_signal");
  }

  /**
   * Back to one chain. Refused once entries were written in lanes: folding them into one v1 chain
   * would mean re-hashing history, which is exactly what the log must never allow.
   */
  async down(queryRunner: QueryRunner): Promise<void> {
    const [{ n }] = await queryRunner.query("SELECT COUNT(*) AS n FROM audit_log WHERE version <> 1");
    if (Number(n) > 0)
      throw new Error(
        `The audit log holds ${n} entries written in lanes; reverting would leave them unverifiable. Restore a backup instead.`,
      );
    await queryRunner.dropTable("signal_head");
    await setIncrement(queryRunner, "partner_signal", "seq", true);

    await createTable(queryRunner, "audit_head", { columns: { id: primary(int()), seq: int(), hash: key(64) } });
    await queryRunner.query(
      "INSERT INTO audit_head (id, seq, hash) SELECT 1, lane_seq, hash FROM audit_lane_head WHERE lane = 0",
    );
    await queryRunner.dropTable("audit_lane_head");

    await createTable(queryRunner, "audit_log_single", { columns: entryColumns(primary(int())) });
    await queryRunner.query(`INSERT INTO audit_log_single (seq, ${CONTENT}) SELECT seq, ${CONTENT} FROM audit_log`);
    await queryRunner.dropTable("audit_log");
    await queryRunner.renameTable("audit_log_single", "audit_log");
  }
}
