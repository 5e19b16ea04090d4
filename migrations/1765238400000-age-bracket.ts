import type { MigrationInterface, QueryRunner } from "typeorm";
import { addColumn, enumeration, nullable } from "./support/schema";

/** What the business knows of a person's age; existing people are UNKNOWN (null), as before. */
export class AgeBracket1765238400000 implements MigrationInterface {
  name = "AgeBracket1765238400000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await addColumn(queryRunner, "subject", "age_bracket", nullable(enumeration()));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn("subject", "age_bracket");
  }
}
