import type { MigrationInterface, QueryRunner } from "typeorm";
import { createTable, id, json, key, name, nullable, primary, text, url } from "./support/schema";

/** The catalog's controller (name, contacts, storage locations), named on every consent receipt. */
export class DataController1765497600000 implements MigrationInterface {
  name = "DataController1765497600000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await createTable(queryRunner, "data_controller", {
      columns: {
        id: primary(id()),
        key: key(),
        name: name(),
        address: text(),
        email: { type: "varchar", length: 320 },
        url: url(),
        phone: nullable({ type: "varchar", length: 40 }),
        privacy_notice_url: url(),
        withdrawal_url: url(),
        rights_url: url(),
        storage_locations: json(),
        processing_locations: nullable(json()),
      },
      indices: [{ name: "uq_data_controller_key", columns: ["key"], unique: true }],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("data_controller");
  }
}
