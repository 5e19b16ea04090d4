import type { EntityManager } from "typeorm";
import { DataCategory } from "./data-category.entity";
import { Partner } from "./partner.entity";
import { Purpose } from "./purpose.entity";
import { SharingAgreement } from "./sharing-agreement.entity";
import type { LegalBasis, RegulatedUse } from "./catalog.enums";
import type { Translations } from "../../kernel/text/locale";

/**
 * What a policy version describes: the catalog's practices as they stood when it was published.
 * Fields added later are optional, so that snapshots of older versions still read (a field a
 * snapshot lacks is not compared).
 */
export interface CatalogSnapshot {
  purposes: Array<{
    key: string;
    name: string;
    description: string;
    benefit: string;
    dataCategories: string[];
    legalBasis?: LegalBasis;
    regulatedUses?: RegulatedUse[];
  }>;
  dataCategories: Array<{
    key: string;
    name: string;
    retentionDays: number | null;
    sensitive?: boolean;
    /** The name in other locales, for generated text (not a practice: never compared). */
    translations?: Translations<"name"> | null;
  }>;
  partners: Array<{
    key: string;
    name: string;
    role: string;
    dataCategories: string[];
    purposes: string[];
    country?: string;
  }>;
  /** Agreements in force at publication, keyed `partner/agreement`. */
  agreements?: SnapshotAgreement[];
}

export interface SnapshotAgreement {
  key: string;
  partner: string;
  purpose: string;
  dataCategories: string[];
  isSale: boolean;
  isSharingForAdvertising: boolean;
  retentionDays: number | null;
}

export const EMPTY_SNAPSHOT: CatalogSnapshot = { purposes: [], dataCategories: [], partners: [], agreements: [] };

/** The live catalog, as a snapshot (keys, in catalog order). Six statements. */
export async function snapshotCatalog(m: EntityManager, at: Date = new Date()): Promise<CatalogSnapshot> {
  const [purposes, categories, partners, agreements, purposeLinks, agreementLinks] = await Promise.all([
    m.find(Purpose, { order: { position: "ASC" } }),
    m.find(DataCategory, { order: { position: "ASC" } }),
    m.find(Partner, { order: { position: "ASC" } }),
    m.find(SharingAgreement),
    m
      .createQueryBuilder()
      .select(["j.purpose_id AS owner", "j.data_category_id AS target"])
      .from("purpose_data_category", "j")
      .getRawMany<{ owner: string; target: string }>(),
    m
      .createQueryBuilder()
      .select(["j.sharing_agreement_id AS owner", "j.data_category_id AS target"])
      .from("sharing_agreement_data_category", "j")
      .getRawMany<{ owner: string; target: string }>(),
  ]);
  const categoryKey = new Map(categories.map((c) => [c.id, c.key]));
  const purposeKey = new Map(purposes.map((p) => [p.id, p.key]));
  const partnerKey = new Map(partners.map((p) => [p.id, p.key]));
  const linked = (links: Array<{ owner: string; target: string }>, owner: string) =>
    links
      .filter((l) => l.owner === owner)
      .map((l) => categoryKey.get(l.target)!)
      .sort();
  const active = agreements
    .filter((a) => a.startedAt <= at && (a.endedAt === null || a.endedAt > at))
    .map((a) => ({
      key: `${partnerKey.get(a.partnerId)}/${a.key}`,
      partner: partnerKey.get(a.partnerId)!,
      purpose: purposeKey.get(a.purposeId)!,
      dataCategories: linked(agreementLinks, a.id),
      isSale: a.isSale,
      isSharingForAdvertising: a.isSharingForAdvertising,
      retentionDays: a.retentionDays,
    }))
    .sort((x, y) => x.key.localeCompare(y.key));
  return {
    purposes: purposes.map((p) => ({
      key: p.key,
      name: p.name,
      description: p.description,
      benefit: p.benefit,
      dataCategories: linked(purposeLinks, p.id),
      legalBasis: p.legalBasis,
      regulatedUses: [...p.regulatedUses].sort(),
    })),
    dataCategories: categories.map((c) => ({
      key: c.key,
      name: c.name,
      retentionDays: c.retentionDays,
      sensitive: c.sensitive,
      translations: c.translations?.es ? { es: { name: c.translations.es.name } } : null,
    })),
    partners: partners
      .map((p) => {
        const mine = active.filter((a) => a.partner === p.key);
        return {
          key: p.key,
          name: p.name,
          role: p.role,
          country: p.country,
          purposes: [...new Set(mine.map((a) => a.purpose))].sort(),
          dataCategories: [...new Set(mine.flatMap((a) => a.dataCategories))].sort(),
        };
      })
      .filter((p) => p.purposes.length > 0),
    agreements: active,
  };
}
