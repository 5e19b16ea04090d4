import type { MigrationInterface, QueryRunner } from "typeorm";
import {
  bool,
  createJunction,
  createTable,
  enumeration,
  exact,
  id,
  int,
  json,
  key,
  name,
  nullable,
  primary,
  text,
  time,
  url,
} from "./support/schema";

/** The catalog, principals' keys, generated secrets and the audit chain. */
export class Foundation1764374400000 implements MigrationInterface {
  name = "Foundation1764374400000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await createTable(queryRunner, "data_category", {
      columns: {
        id: primary(id()),
        key: key(),
        position: int(),
        name: name(),
        description: text(),
        sensitive: bool(),
        retention_days: nullable(int()),
        dpv_iri: nullable(url()),
        gpp_sensitive_slot: nullable(int()),
      },
      indices: [{ name: "uq_data_category_key", columns: ["key"], unique: true }],
    });
    await createTable(queryRunner, "purpose", {
      columns: {
        id: primary(id()),
        key: key(),
        position: int(),
        name: name(),
        description: text(),
        benefit: text(),
        legal_basis: enumeration(),
        default_mode: enumeration(),
        regulated_uses: json(),
        dpv_iri: nullable(url()),
      },
      indices: [{ name: "uq_purpose_key", columns: ["key"], unique: true }],
    });
    await createJunction(
      queryRunner,
      "purpose_data_category",
      { column: "purpose_id", table: "purpose" },
      { column: "data_category_id", table: "data_category" },
    );

    await createTable(queryRunner, "personalization_level", {
      columns: { id: primary(id()), level: int(), name: name(), description: text() },
      indices: [{ name: "uq_personalization_level_level", columns: ["level"], unique: true }],
    });
    await createJunction(
      queryRunner,
      "personalization_level_purpose",
      { column: "personalization_level_id", table: "personalization_level" },
      { column: "purpose_id", table: "purpose" },
    );

    await createTable(queryRunner, "surface", {
      columns: {
        id: primary(id()),
        key: key(),
        position: int(),
        name: name(),
        description: text(),
        main_parameters: json(),
        modes: json(),
      },
      indices: [{ name: "uq_surface_key", columns: ["key"], unique: true }],
    });

    await createTable(queryRunner, "algorithm_card", {
      columns: {
        id: primary(id()),
        key: key(),
        version: key(40),
        position: int(),
        name: name(),
        decision_kinds: json(),
        plain_language_logic: text(),
        human_involvement: enumeration(),
        evaluation: nullable(text()),
        last_reviewed_at: nullable(time()),
        valid_from: time(),
        valid_to: nullable(time()),
      },
      indices: [{ name: "uq_algorithm_card_key_version", columns: ["key", "version"], unique: true }],
    });
    await createJunction(
      queryRunner,
      "algorithm_card_input",
      { column: "algorithm_card_id", table: "algorithm_card" },
      { column: "data_category_id", table: "data_category" },
    );
    await createJunction(
      queryRunner,
      "algorithm_card_purpose",
      { column: "algorithm_card_id", table: "algorithm_card" },
      { column: "purpose_id", table: "purpose" },
    );

    await createTable(queryRunner, "partner", {
      columns: {
        id: primary(id()),
        key: key(),
        position: int(),
        name: name(),
        role: enumeration(),
        website: nullable(url()),
        privacy_policy_url: nullable(url()),
        country: key(2),
        iab_vendor_id: nullable(int()),
      },
      indices: [{ name: "uq_partner_key", columns: ["key"], unique: true }],
    });
    await createTable(queryRunner, "sharing_agreement", {
      columns: {
        id: primary(id()),
        key: key(),
        partner_id: id(),
        purpose_id: id(),
        reason: text(),
        is_sale: bool(),
        is_sharing_for_advertising: bool(),
        retention_days: nullable(int()),
        safeguards: json(),
        started_at: time(),
        ended_at: nullable(time()),
      },
      indices: [{ name: "uq_sharing_agreement_partner_key", columns: ["partner_id", "key"], unique: true }],
      foreignKeys: [
        { columns: ["partner_id"], references: "partner", onDelete: "RESTRICT" },
        { columns: ["purpose_id"], references: "purpose", onDelete: "RESTRICT" },
      ],
    });
    await createJunction(
      queryRunner,
      "sharing_agreement_data_category",
      { column: "sharing_agreement_id", table: "sharing_agreement" },
      { column: "data_category_id", table: "data_category" },
    );

    await createTable(queryRunner, "privacy_policy", {
      columns: {
        id: primary(id()),
        version: int(),
        effective_at: time(),
        summary: text(),
        section_data: json(),
        published_at: time(),
      },
      indices: [{ name: "uq_privacy_policy_version", columns: ["version"], unique: true }],
    });

    await createTable(queryRunner, "api_key", {
      columns: {
        id: primary(id()),
        prefix: exact(key(12)),
        hash: exact(key(64)),
        kind: enumeration(),
        name: name(),
        partner_id: nullable(id()),
        scopes: json(),
        created_at: time(),
        revoked_at: nullable(time()),
      },
      indices: [
        { name: "ix_api_key_prefix", columns: ["prefix"] },
        { name: "uq_api_key_hash", columns: ["hash"], unique: true },
      ],
      foreignKeys: [{ columns: ["partner_id"], references: "partner", onDelete: "CASCADE" }],
    });
    await createTable(queryRunner, "app_secret", {
      columns: { name: primary(key(64)), value: text(), created_at: time() },
    });

    await createTable(queryRunner, "audit_log", {
      columns: {
        seq: primary(int()),
        occurred_at: time(),
        actor: name(),
        action: key(80),
        entity_type: key(80),
        entity_id: name(),
        detail: json(),
        previous_hash: key(64),
        hash: key(64),
      },
    });
    await createTable(queryRunner, "audit_head", {
      columns: { id: primary(int()), seq: int(), hash: key(64) },
    });
    await queryRunner.manager.insert("audit_head", { id: 1, seq: 0, hash: "0".repeat(64) });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      "audit_head",
      "audit_log",
      "app_secret",
      "api_key",
      "privacy_policy",
      "sharing_agreement_data_category",
      "sharing_agreement",
      "partner",
      "algorithm_card_purpose",
      "algorithm_card_input",
      "algorithm_card",
      "surface",
      "personalization_level_purpose",
      "personalization_level",
      "purpose_data_category",
      "purpose",
      "data_category",
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
