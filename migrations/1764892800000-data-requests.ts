import type { MigrationInterface, QueryRunner } from "typeorm";
import { createTable, enumeration, id, json, name, nullable, primary, text, time } from "./support/schema";

/** People's data requests (access, delete, correct, opt out of sale, limit sensitive data). */
export class DataRequests1764892800000 implements MigrationInterface {
  name = "DataRequests1764892800000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await createTable(queryRunner, "data_request", {
      columns: {
        id: primary(id()),
        subject_id: id(),
        kind: enumeration(),
        status: enumeration(),
        received_at: time(),
        due_at: time(),
        extended_due_at: nullable(time()),
        completed_at: nullable(time()),
        details: nullable(text()),
        status_reason: nullable(text()),
        extension_reason: nullable(text()),
        export_data: nullable(json()),
        submitted_by: name(),
      },
      indices: [
        { name: "ix_data_request_subject", columns: ["subject_id", "received_at"] },
        { name: "ix_data_request_due", columns: ["status", "due_at"] },
      ],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("data_request");
  }
}
