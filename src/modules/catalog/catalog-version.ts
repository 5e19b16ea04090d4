import { Column, Entity, PrimaryColumn, type EntityManager } from "typeorm";

/** The one row of `catalog_version`. */
export const CATALOG_VERSION_ROW = 1;

/** What `Database.committed` announces after a catalog apply or a policy publication. */
export const CATALOG_CHANGED = "catalog";

/**
 * A counter of what anyone may read (catalog and policy): bumped in the same transaction as the
 * change, so an answer cached under a version never outlives it (DESIGN §9, "Catalog version").
 */
@Entity("catalog_version")
export class CatalogVersion {
  @PrimaryColumn({ type: "int" })
  id: number;

  @Column({ type: "int" })
  version: number;
}

/** One statement, inside the writer's transaction: catalog apply (when it changed something) and policy publishing. */
export async function bumpCatalogVersion(m: EntityManager): Promise<void> {
  await m.increment(CatalogVersion, { id: CATALOG_VERSION_ROW }, "version", 1);
}
