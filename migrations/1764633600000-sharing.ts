import type { MigrationInterface, QueryRunner } from "typeorm";
import {
  createTable,
  enumeration,
  exact,
  id,
  int,
  json,
  key,
  name,
  nullable,
  primary,
  serial,
  text,
  time,
  url,
} from "./support/schema";

/** Sharing events, partner signals, and webhook delivery through an outbox. */
export class Sharing1764633600000 implements MigrationInterface {
  name = "Sharing1764633600000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await createTable(queryRunner, "sharing_event", {
      columns: {
        id: primary(id()),
        subject_id: id(),
        partner_id: id(),
        agreement_id: id(),
        data_category_ids: json(),
        subject_ref: exact(key(64)),
        occurred_at: time(),
        recorded_at: time(),
        recorded_by: name(),
      },
      indices: [
        { name: "ix_sharing_event_subject", columns: ["subject_id", "id"] },
        { name: "ix_sharing_event_subject_agreement", columns: ["subject_id", "agreement_id"] },
      ],
    });
    await createTable(queryRunner, "partner_signal", {
      columns: {
        seq: serial(),
        id: id(),
        partner_id: id(),
        agreement_id: id(),
        subject_id: id(),
        subject_ref: exact(key(64)),
        kind: enumeration(),
        purpose_id: nullable(id()),
        occurred_at: time(),
        acknowledged_at: nullable(time()),
      },
      indices: [
        { name: "uq_partner_signal_id", columns: ["id"], unique: true },
        { name: "ix_partner_signal_partner", columns: ["partner_id", "seq"] },
        { name: "ix_partner_signal_subject", columns: ["subject_id", "seq"] },
      ],
    });
    await createTable(queryRunner, "partner_webhook", {
      columns: { partner_id: primary(id()), url: url(), secret: text(), updated_at: time() },
    });
    await createTable(queryRunner, "webhook_delivery", {
      columns: {
        id: primary(id()),
        partner_id: id(),
        signal_id: id(),
        payload: text(),
        status: enumeration(),
        attempts: int(),
        next_attempt_at: time(),
        claimed_until: nullable(time()),
        claimed_by: nullable(key(120)),
        last_status: nullable(int()),
        last_error: nullable(text()),
        created_at: time(),
        delivered_at: nullable(time()),
      },
      indices: [{ name: "ix_webhook_delivery_due", columns: ["status", "next_attempt_at"] }],
    });
    await createTable(queryRunner, "webhook_attempt", {
      columns: {
        delivery_id: primary(id()),
        attempt: primary(int()),
        attempted_at: time(),
        status_code: nullable(int()),
        error: nullable(text()),
        duration_ms: int(),
        claimed_by: key(120),
      },
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ["webhook_attempt", "webhook_delivery", "partner_webhook", "partner_signal", "sharing_event"])
      await queryRunner.dropTable(table);
  }
}
