import type { MigrationInterface, QueryRunner } from "typeorm";
import { createTable, exact, id, name, primary, time } from "./support/schema";

/** Sponsors a person chose not to see ads from. */
export class HiddenSponsor1765152000000 implements MigrationInterface {
  name = "HiddenSponsor1765152000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await createTable(queryRunner, "hidden_sponsor", {
      columns: { subject_id: primary(id()), sponsor: primary(exact(name())), hidden_at: time() },
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("hidden_sponsor");
  }
}
