import type DataLoader from "dataloader";
import type { EntityManager } from "typeorm";
import { byForeignKeyLoader, byIdLoader, manyToManyLoader } from "../../kernel/db/loaders";
import { AlgorithmCard } from "./algorithm-card.entity";
import { DataCategory } from "./data-category.entity";
import { Partner } from "./partner.entity";
import { PersonalizationLevel } from "./personalization-level.entity";
import { PrivacyPolicy } from "./privacy-policy.entity";
import { Purpose } from "./purpose.entity";
import { SharingAgreement } from "./sharing-agreement.entity";
import { Surface } from "./surface.entity";

/** Per-request loaders of the catalog. Created fresh for each request, never shared. */
export function createCatalogLoaders(manager: () => EntityManager) {
  let surfaces: Promise<Surface[]> | null = null;
  const surface = byIdLoader(manager, Surface);
  return {
    /** Every surface, once per request (and primed into the by-id loader). */
    allSurfaces(): Promise<Surface[]> {
      surfaces ??= manager()
        .find(Surface, { order: { position: "ASC" } })
        .then((rows) => (rows.forEach((r) => surface.prime(r.id, r)), rows));
      return surfaces;
    },
    purpose: byIdLoader(manager, Purpose),
    dataCategory: byIdLoader(manager, DataCategory),
    surface,
    algorithmCard: byIdLoader(manager, AlgorithmCard),
    partner: byIdLoader(manager, Partner),
    sharingAgreement: byIdLoader(manager, SharingAgreement),
    privacyPolicy: byIdLoader(manager, PrivacyPolicy),
    purposeDataCategories: manyToManyLoader<DataCategory>(manager, Purpose, "dataCategories"),
    levelPurposes: manyToManyLoader<Purpose>(manager, PersonalizationLevel, "purposes"),
    algorithmInputs: manyToManyLoader<DataCategory>(manager, AlgorithmCard, "inputs"),
    algorithmPurposes: manyToManyLoader<Purpose>(manager, AlgorithmCard, "purposes"),
    agreementDataCategories: manyToManyLoader<DataCategory>(manager, SharingAgreement, "dataCategories"),
    partnerAgreements: byForeignKeyLoader(manager, SharingAgreement, "partnerId", "key") as DataLoader<
      string,
      SharingAgreement[]
    >,
  };
}

export type CatalogLoaders = ReturnType<typeof createCatalogLoaders>;
