import type { EntityManager } from "typeorm";
import type { Database } from "../../kernel/db/database";
import { AlgorithmCard } from "./algorithm-card.entity";
import { CATALOG_CHANGED, CATALOG_VERSION_ROW, CatalogVersion } from "./catalog-version";
import { DataCategory } from "./data-category.entity";
import { Partner } from "./partner.entity";
import { PersonalizationLevel } from "./personalization-level.entity";
import { PrivacyPolicy } from "./privacy-policy.entity";
import { Purpose } from "./purpose.entity";
import { SharingAgreement } from "./sharing-agreement.entity";
import { Surface } from "./surface.entity";

/** One kind of catalog entry, by id and in catalog order. */
export interface Entries<T extends { id: string }> {
  readonly list: readonly T[];
  readonly byId: ReadonlyMap<string, T>;
}

/**
 * The whole catalog at one version, read once and shared by every request until the version
 * changes (DESIGN §9, "Catalog version"). Immutable: entries are frozen, so that no request can
 * change what another sees.
 */
export interface LiveCatalog {
  readonly version: number;
  readonly purposes: Entries<Purpose>;
  /** Ids of the purposes that use a sensitive data category. */
  readonly sensitivePurposes: ReadonlySet<string>;
  readonly dataCategories: Entries<DataCategory>;
  readonly surfaces: Entries<Surface>;
  /** Ordered by position, then validFrom. */
  readonly algorithms: Entries<AlgorithmCard>;
  readonly partners: Entries<Partner>;
  /** Every agreement, ended ones included, by key. */
  readonly agreements: Entries<SharingAgreement>;
  readonly levels: Entries<PersonalizationLevel>;
  /** Every published version, oldest first. */
  readonly policies: Entries<PrivacyPolicy>;
  readonly purposeDataCategories: ReadonlyMap<string, readonly DataCategory[]>;
  readonly levelPurposes: ReadonlyMap<string, readonly Purpose[]>;
  readonly algorithmInputs: ReadonlyMap<string, readonly DataCategory[]>;
  readonly algorithmPurposes: ReadonlyMap<string, readonly Purpose[]>;
  readonly agreementDataCategories: ReadonlyMap<string, readonly DataCategory[]>;
  readonly partnerAgreements: ReadonlyMap<string, readonly SharingAgreement[]>;
}

function entries<T extends { id: string }>(rows: T[]): Entries<T> {
  rows.forEach((r) => Object.freeze(r));
  return { list: Object.freeze(rows), byId: new Map(rows.map((r) => [r.id, r])) };
}

/** Targets of a junction table per owner, in the targets' catalog order. */
function linked<T extends { id: string; position: number }>(
  links: Array<{ owner: string; target: string }>,
  targets: Entries<T>,
): Map<string, readonly T[]> {
  const out = new Map<string, T[]>();
  for (const { owner, target } of links) {
    const entry = targets.byId.get(target);
    if (entry) out.set(owner, [...(out.get(owner) ?? []), entry]);
  }
  for (const list of out.values()) Object.freeze(list.sort((a, b) => a.position - b.position));
  return out;
}

const junction = (m: EntityManager, table: string, owner: string, target: string) =>
  m
    .createQueryBuilder()
    .select([`j.${owner} AS owner`, `j.${target} AS target`])
    .from(table, "j")
    .getRawMany<{ owner: string; target: string }>();

async function readVersion(m: EntityManager): Promise<number> {
  return (await m.findOne(CatalogVersion, { where: { id: CATALOG_VERSION_ROW } }))?.version ?? 0;
}

/** Reads the whole catalog: one statement per table (14, run together), outside any request. */
async function readCatalog(m: EntityManager, version: number): Promise<LiveCatalog> {
  const [purposeRows, categoryRows, surfaces, cards, partners, agreements, levels, policies, ...links] =
    await Promise.all([
      m.find(Purpose, { order: { position: "ASC" } }),
      m.find(DataCategory, { order: { position: "ASC" } }),
      m.find(Surface, { order: { position: "ASC" } }),
      m.find(AlgorithmCard, { order: { position: "ASC", validFrom: "ASC" } }),
      m.find(Partner, { order: { position: "ASC" } }),
      m.find(SharingAgreement, { order: { key: "ASC" } }),
      m.find(PersonalizationLevel, { order: { level: "ASC" } }),
      m.find(PrivacyPolicy, { order: { version: "ASC" } }),
      junction(m, "purpose_data_category", "purpose_id", "data_category_id"),
      junction(m, "personalization_level_purpose", "personalization_level_id", "purpose_id"),
      junction(m, "algorithm_card_input", "algorithm_card_id", "data_category_id"),
      junction(m, "algorithm_card_purpose", "algorithm_card_id", "purpose_id"),
      junction(m, "sharing_agreement_data_category", "sharing_agreement_id", "data_category_id"),
    ]);
  const [purposeLinks, levelLinks, inputLinks, cardPurposeLinks, agreementLinks] = links;
  const purposes = entries(purposeRows);
  const dataCategories = entries(categoryRows);
  const purposeDataCategories = linked(purposeLinks, dataCategories);
  const byPartner = new Map<string, SharingAgreement[]>();
  for (const a of agreements) byPartner.set(a.partnerId, [...(byPartner.get(a.partnerId) ?? []), a]);
  return Object.freeze({
    version,
    purposes,
    sensitivePurposes: new Set(
      purposeRows.filter((p) => purposeDataCategories.get(p.id)?.some((c) => c.sensitive)).map((p) => p.id),
    ),
    dataCategories,
    surfaces: entries(surfaces),
    algorithms: entries(cards),
    partners: entries(partners),
    agreements: entries(agreements),
    levels: entries(levels),
    policies: entries(policies),
    purposeDataCategories,
    levelPurposes: linked(levelLinks, purposes),
    algorithmInputs: linked(inputLinks, dataCategories),
    algorithmPurposes: linked(cardPurposeLinks, purposes),
    agreementDataCategories: linked(agreementLinks, dataCategories),
    partnerAgreements: new Map([...byPartner].map(([k, v]) => [k, Object.freeze(v)])),
  });
}

/**
 * Holds the catalog of the current version. It is loaded at start-up, by the one-second version
 * timer when another process changed the catalog, and right after this process applied or
 * published one (`Database.committed`): requests read it without a statement. Only when nothing
 * was loaded yet (a service used without the timer, or after a failed load) does a read load it.
 */
export class CatalogCache {
  private loaded: LiveCatalog | null = null;
  private loading: Promise<LiveCatalog> | null = null;

  constructor(private readonly db: Database) {}

  /** The version of the catalog held, or null before the first load. */
  get version(): number | null {
    return this.loaded?.version ?? null;
  }

  /** The catalog held, loading it if nothing is held yet. */
  current(): Promise<LiveCatalog> {
    return this.loaded ? Promise.resolve(this.loaded) : this.load();
  }

  /** Reloads when the database holds another version than the one held; answers the version held. */
  async refresh(): Promise<number> {
    const version = await readVersion(this.db.manager);
    if (version === this.loaded?.version) return version;
    let catalog = await this.load();
    // A load already under way may have read the tables before this version committed.
    if (catalog.version < version) catalog = await this.load();
    return catalog.version;
  }

  /**
   * One load at a time. The version is read before and after the tables: every catalog change
   * bumps it in its own transaction, so equal versions mean no change committed in between.
   */
  private load(): Promise<LiveCatalog> {
    this.loading ??= (async () => {
      try {
        const m = this.db.manager;
        let catalog = await readCatalog(m, await readVersion(m));
        // A change that keeps committing meanwhile: a few tries, then the newest read wins (the
        // timer reloads it within a second anyway).
        for (let attempt = 1; attempt < 5; attempt++) {
          const after = await readVersion(m);
          if (after === catalog.version) break;
          catalog = await readCatalog(m, after);
        }
        return (this.loaded = catalog);
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }
}

/**
 * Knows the catalog version without a statement in any request: a timer reads it outside requests
 * (every `CANDOR_CATALOG_VERSION_POLL_MS`) and has the cache reload the catalog when it changed, so
 * per-request statement counts stay what tests say. This process's own catalog changes reload it at
 * once (`Database.committed`). `current` is the version of the catalog held, null until the first
 * read and after a failed one (then nothing may be cached under it).
 */
export class CatalogVersionWatcher {
  current: number | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    db: Database,
    readonly cache: CatalogCache,
    private readonly pollMs: number,
  ) {
    db.onCommitted(CATALOG_CHANGED, () => this.refresh());
  }

  async refresh(): Promise<number | null> {
    try {
      this.current = await this.cache.refresh();
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
