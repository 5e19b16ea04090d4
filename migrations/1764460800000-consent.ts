import type { MigrationInterface, QueryRunner } from "typeorm";
import {
  bool,
  createTable,
  enumeration,
  exact,
  id,
  int,
  json,
  key,
  nullable,
  primary,
  text,
  time,
} from "./support/schema";

/** People, their consent (current choices, history, receipts) and repeat-safe calls. */
export class Consent1764460800000 implements MigrationInterface {
  name = "Consent1764460800000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await createTable(queryRunner, "subject", {
      columns: {
        id: primary(id()),
        external_id: exact(key(200)),
        jurisdiction_code: nullable(key(20)),
        gpc: bool(),
        gpc_at: nullable(time()),
        created_at: time(),
        updated_at: time(),
      },
      indices: [{ name: "uq_subject_external_id", columns: ["external_id"], unique: true }],
    });
    await createTable(queryRunner, "consent_state", {
      columns: {
        subject_id: primary(id()),
        purpose_id: primary(id()),
        status: enumeration(),
        source: enumeration(),
        gpc_overridden: bool(),
        policy_version: int(),
        updated_at: time(),
      },
    });
    await createTable(queryRunner, "consent_event", {
      columns: {
        id: primary(id()),
        subject_id: id(),
        purpose_id: id(),
        status: enumeration(),
        previous_status: nullable(enumeration()),
        source: enumeration(),
        channel: enumeration(),
        policy_version: int(),
        gpc_overridden: bool(),
        occurred_at: time(),
        receipt_id: nullable(id()),
      },
      indices: [
        { name: "ix_consent_event_subject", columns: ["subject_id", "id"] },
        { name: "ix_consent_event_subject_purpose", columns: ["subject_id", "purpose_id", "id"] },
      ],
    });
    await createTable(queryRunner, "consent_receipt", {
      columns: { id: primary(id()), subject_id: id(), issued_at: time(), jws: text() },
      indices: [{ name: "ix_consent_receipt_subject", columns: ["subject_id", "issued_at"] }],
    });
    await createTable(queryRunner, "idempotency_record", {
      columns: {
        subject_id: primary(id()),
        caller: primary(exact(key(255))),
        idempotency_key: primary(exact(key(200))),
        request_hash: key(64),
        result: json(),
        created_at: time(),
      },
      indices: [{ name: "ix_idempotency_record_created", columns: ["created_at"] }],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ["idempotency_record", "consent_receipt", "consent_event", "consent_state", "subject"]) {
      await queryRunner.dropTable(table);
    }
  }
}
