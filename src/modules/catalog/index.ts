// The catalog's public face. Other domains use these classes as the GraphQL types their fields
// return and read catalog data through CatalogService or the request's loaders.
import type { CatalogLoaders } from "./catalog.loaders";
import type { CatalogService } from "./catalog.service";
import type { CatalogVersionWatcher } from "./catalog-cache";

export { AlgorithmCard } from "./algorithm-card.entity";
export { EMPTY_SNAPSHOT, snapshotCatalog, type CatalogSnapshot, type SnapshotAgreement } from "./catalog-snapshot";
export { diffSnapshots, duration, PolicyChangeKind, PolicyEntity, type PracticeChange } from "./policy-diff";
export * from "./catalog.enums";
export type { CatalogLoaders } from "./catalog.loaders";
export { CatalogService, purposesWithSensitivity } from "./catalog.service";
export { DataCategory } from "./data-category.entity";
export { AgeBracket, isChild, isMinor } from "./age-bracket";
export { findJurisdiction, Jurisdiction, rulesFor, UNKNOWN_JURISDICTION } from "./jurisdiction";
export { lawCodes } from "./privacy-laws";
export { placeName } from "./place-names";
export { isPlaceCode, isUsPlace } from "./privacy-laws";
export { DataController } from "./data-controller.entity";
export { bumpCatalogVersion, CATALOG_CHANGED, CatalogVersion } from "./catalog-version";
export { CatalogCache, CatalogVersionWatcher, type Entries, type LiveCatalog } from "./catalog-cache";
export { Partner } from "./partner.entity";
export { PersonalizationLevel } from "./personalization-level.entity";
export { PolicySection, PrivacyPolicy, sectionsMissingSummary, type PolicySectionData } from "./privacy-policy.entity";
export { Purpose } from "./purpose.entity";
export { SharingAgreement } from "./sharing-agreement.entity";
export { MainParameter, Surface } from "./surface.entity";

declare module "../../kernel/context" {
  interface Loaders {
    catalog: CatalogLoaders;
  }
  interface Services {
    catalog: CatalogService;
    catalogVersion: CatalogVersionWatcher;
  }
}
