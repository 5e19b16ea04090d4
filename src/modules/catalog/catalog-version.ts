import { Column, Entity, PrimaryColumn, type EntityManager } from "typeorm";
import type { Database } from "../../kernel/db/database";

/** The one row of `catalog_version`. */
const ROW_ID = 1;

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
  await m.increment(CatalogVersion, { id: ROW_ID }, "version", 1);
}

/**
 * Knows the catalog version without a statement in any request: a timer reads it outside requests
 * (every `CANDOR_CATALOG_VERSION_POLL_MS`), so per-request statement counts stay what tests say.
 * `current` is null until the first read, and after a failed one (then nothing may be cached).
 */
export class CatalogVersionWatcher {
  current: number | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Database,
    private readonly pollMs: number,
  ) {}

  async refresh(): Promise<number | null> {
    try {
      const row = await this.db.manager.findOne(CatalogVersion, { where: { id: ROW_ID } });
      this.current = row?.version ?? null;
    } catch {
      this.current = null;
    }
    return this.current;
  }

  async start(): Promise<void> {
    if (this.timer) return;
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.current = null;
  }
}
