import type { CatalogCache, Entries, LiveCatalog } from "./catalog-cache";

/** Finds catalog entries by id in the request's catalog, with a DataLoader's `load` and `loadMany`. */
export interface CatalogLookup<T> {
  load(id: string): Promise<T>;
  loadMany(ids: readonly string[]): Promise<T[]>;
}

function lookup<T>(catalog: () => Promise<LiveCatalog>, find: (c: LiveCatalog, id: string) => T): CatalogLookup<T> {
  return {
    load: async (id) => find(await catalog(), id),
    loadMany: async (ids) => {
      const c = await catalog();
      return ids.map((id) => find(c, id));
    },
  };
}

/** A missing id is null, as with a DataLoader. */
const byId =
  <T extends { id: string }>(pick: (c: LiveCatalog) => Entries<T>) =>
  (c: LiveCatalog, id: string): T | null =>
    pick(c).byId.get(id) ?? null;

const related =
  <T>(pick: (c: LiveCatalog) => ReadonlyMap<string, readonly T[]>) =>
  (c: LiveCatalog, id: string): T[] =>
    (pick(c).get(id) ?? []) as T[];

/**
 * Per-request reads of the catalog: every request takes the catalog held in memory once (one
 * version for the whole request) and runs no statement for it.
 */
export function createCatalogLoaders(cache: CatalogCache) {
  let held: Promise<LiveCatalog> | null = null;
  const catalog = () => (held ??= cache.current());
  return {
    /** The catalog this request reads, at one version. */
    catalog,
    /** Every surface, in catalog order. */
    async allSurfaces() {
      return (await catalog()).surfaces.list;
    },
    purpose: lookup(
      catalog,
      byId((c) => c.purposes),
    ),
    dataCategory: lookup(
      catalog,
      byId((c) => c.dataCategories),
    ),
    surface: lookup(
      catalog,
      byId((c) => c.surfaces),
    ),
    algorithmCard: lookup(
      catalog,
      byId((c) => c.algorithms),
    ),
    partner: lookup(
      catalog,
      byId((c) => c.partners),
    ),
    sharingAgreement: lookup(
      catalog,
      byId((c) => c.agreements),
    ),
    privacyPolicy: lookup(
      catalog,
      byId((c) => c.policies),
    ),
    purposeDataCategories: lookup(
      catalog,
      related((c) => c.purposeDataCategories),
    ),
    levelPurposes: lookup(
      catalog,
      related((c) => c.levelPurposes),
    ),
    algorithmInputs: lookup(
      catalog,
      related((c) => c.algorithmInputs),
    ),
    algorithmPurposes: lookup(
      catalog,
      related((c) => c.algorithmPurposes),
    ),
    agreementDataCategories: lookup(
      catalog,
      related((c) => c.agreementDataCategories),
    ),
    partnerAgreements: lookup(
      catalog,
      related((c) => c.partnerAgreements),
    ),
  };
}

export type CatalogLoaders = ReturnType<typeof createCatalogLoaders>;
