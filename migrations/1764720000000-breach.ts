import type { MigrationInterface, QueryRunner } from "typeorm";
import { createTable, enumeration, id, json, name, nullable, primary, text, time } from "./support/schema";

/** Breach incidents and the notices sent to each person they touched. */
export class Breach1764720000000 implements MigrationInterface {
  name = "Breach1764720000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await createTable(queryRunner, "breach_incident", {
      columns: {
        id: primary(id()),
        title: name(),
        description: text(),
        discovered_at: time(),
        contained_at: nullable(time()),
        occurred_from: time(),
        occurred_to: time(),
        data_category_ids: json(),
        what_we_are_doing: text(),
        what_you_can_do: text(),
        status: enumeration(),
        created_at: time(),
        updated_at: time(),
      },
    });
    await createTable(queryRunner, "breach_notice", {
      columns: {
        id: primary(id()),
        subject_id: id(),
        incident_id: id(),
        affected_category_ids: json(),
        notified_at: time(),
        acknowledged_at: nullable(time()),
      },
      indices: [
        { name: "ix_breach_notice_subject", columns: ["subject_id", "notified_at"] },
        { name: "uq_breach_notice_incident_subject", columns: ["incident_id", "subject_id"], unique: true },
      ],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("breach_notice");
    await queryRunner.dropTable("breach_incident");
  }
}
