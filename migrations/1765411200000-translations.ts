import type { MigrationInterface, QueryRunner } from "typeorm";
import { addColumn, json, nullable } from "./support/schema";

const CATALOG_TABLES = [
  "data_category",
  "purpose",
  "personalization_level",
  "surface",
  "algorithm_card",
  "sharing_agreement",
  "privacy_policy",
];

/**
 * Every text a person reads in each supported locale: the catalog's translations, and the item
 * labels an engine gives per locale. Rows written before read their own (English) text until the
 * catalog is applied again.
 */
export class Translations1765411200000 implements MigrationInterface {
  name = "Translations1765411200000";

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of CATALOG_TABLES) await addColumn(queryRunner, table, "translations", nullable(json()));
    await addColumn(queryRunner, "decision", "item_labels", nullable(json()));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn("decision", "item_labels");
    for (const table of CATALOG_TABLES) await queryRunner.dropColumn(table, "translations");
  }
}
