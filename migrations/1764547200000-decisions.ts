import type { MigrationInterface, QueryRunner } from "typeorm";
import {
  createTable,
  double,
  enumeration,
  exact,
  id,
  int,
  json,
  key,
  name,
  nullable,
  primary,
  time,
} from "./support/schema";

/** Decisions with their factors, and each person's recommender mode per surface. */
export class Decisions1764547200000 implements MigrationInterface {
  name = "Decisions1764547200000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await createTable(queryRunner, "decision", {
      columns: {
        id: primary(id()),
        subject_id: id(),
        surface_id: id(),
        algorithm_card_id: id(),
        kind: enumeration(),
        item_ref: exact(name()),
        item_label: name(),
        occurred_at: time(),
        recorded_at: time(),
        channel: enumeration(),
        mode: enumeration(),
        score: nullable(double()),
        base_score: nullable(double()),
        sponsor_on_behalf_of: nullable(name()),
        sponsor_paid_by: nullable(name()),
        recorded_by: name(),
        integrity_hash: key(64),
      },
      indices: [
        { name: "ix_decision_subject_item", columns: ["subject_id", "surface_id", "item_ref", "occurred_at"] },
        { name: "ix_decision_subject_recent", columns: ["subject_id", "id"] },
      ],
    });
    await createTable(queryRunner, "decision_factor", {
      columns: {
        decision_id: primary(id()),
        position: primary(int()),
        subject_id: id(),
        kind: enumeration(),
        purpose_id: id(),
        data_category_id: id(),
        source_class: enumeration(),
        source_partner_id: nullable(id()),
        share: double(),
        contribution: nullable(double()),
        observed_from: nullable(time()),
        observed_to: nullable(time()),
        evidence: json(),
      },
      indices: [{ name: "ix_decision_factor_subject", columns: ["subject_id", "decision_id"] }],
    });
    await createTable(queryRunner, "recommender_mode", {
      columns: { subject_id: primary(id()), surface_id: primary(id()), mode: enumeration(), updated_at: time() },
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ["recommender_mode", "decision_factor", "decision"]) await queryRunner.dropTable(table);
  }
}
