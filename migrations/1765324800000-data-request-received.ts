import { TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";

/** Request metrics read one calendar year of requests by receipt: an index on when they came in. */
export class DataRequestReceived1765324800000 implements MigrationInterface {
  name = "DataRequestReceived1765324800000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      "data_request",
      new TableIndex({ name: "ix_data_request_received", columnNames: ["received_at"] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex("data_request", "ix_data_request_received");
  }
}
