import type { MigrationInterface, QueryRunner } from "typeorm";
import { createTable, int, primary } from "./support/schema";

/** The catalog version (one row), which keys the anonymous response cache. */
export class CatalogVersion1765756800000 implements MigrationInterface {
  name = "CatalogVersion1765756800000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await createTable(queryRunner, "catalog_version", { columns: { id: primary(int()), version: int() } });
    await queryRunner.query("INSERT INTO catalog_version (id, version) VALUES (1, 1)");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("catalog_version");
  }
}
