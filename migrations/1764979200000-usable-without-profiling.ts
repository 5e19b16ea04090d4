import type { MigrationInterface, QueryRunner } from "typeorm";
import { addColumn, flagDefaultingFalse } from "./support/schema";

/**
 * Which data categories say nothing about the person (the item viewed, the query typed now), so
 * that a surface in NON_PROFILING mode may use them. Existing categories get false: the strict side.
 */
export class UsableWithoutProfiling1764979200000 implements MigrationInterface {
  name = "UsableWithoutProfiling1764979200000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await addColumn(queryRunner, "data_category", "usable_without_profiling", flagDefaultingFalse());
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn("data_category", "usable_without_profiling");
  }
}
