import type { MigrationInterface, QueryRunner } from "typeorm";
import { addColumn, json, nullable } from "./support/schema";

/** Each published policy version keeps the catalog it described, so versions can be compared. */
export class PolicySnapshot1764806400000 implements MigrationInterface {
  name = "PolicySnapshot1764806400000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await addColumn(queryRunner, "privacy_policy", "catalog_snapshot", nullable(json()));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn("privacy_policy", "catalog_snapshot");
  }
}
