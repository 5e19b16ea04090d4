import type { MigrationInterface, QueryRunner } from "typeorm";
import { addColumn, double, nullable } from "./support/schema";

/** The score an item needed to be shown, so explanations can name the factors that decided it. */
export class DecisionThreshold1765065600000 implements MigrationInterface {
  name = "DecisionThreshold1765065600000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await addColumn(queryRunner, "decision", "threshold", nullable(double()));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn("decision", "threshold");
  }
}
