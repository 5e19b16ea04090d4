import type { EntityManager } from "typeorm";
import { DataCategory } from "./data-category.entity";
import { Partner } from "./partner.entity";
import { Purpose } from "./purpose.entity";
import { SharingAgreement } from "./sharing-agreement.entity";

/** What a policy version described: the catalog as it stood when the version was published. */
export interface CatalogSnapshot {
  purposes: Array<{ key: string; name: string; description: string; benefit: string; dataCategories: string[] }>;
  dataCategories: Array<{ key: string; name: string; retentionDays: number | null }>;
  partners: Array<{ key: string; name: string; role: string; dataCategories: string[]; purposes: string[] }>;
}

/** The live catalog, as a snapshot (keys, in catalog order). Four statements. */
export async function snapshotCatalog(m: EntityManager): Promise<CatalogSnapshot> {
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
  const now = new Date();
  const active = agreements.filter((a) => a.startedAt <= now && (a.endedAt === null || a.endedAt > now));
  return {
    purposes: purposes.map((p) => ({
      key: p.key,
      name: p.name,
      description: p.description,
      benefit: p.benefit,
      dataCategories: purposeLinks
        .filter((l) => l.owner === p.id)
        .map((l) => categoryKey.get(l.target)!)
        .sort(),
    })),
    dataCategories: categories.map((c) => ({ key: c.key, name: c.name, retentionDays: c.retentionDays })),
    partners: partners
      .map((p) => {
        const mine = active.filter((a) => a.partnerId === p.id);
        return {
          key: p.key,
          name: p.name,
          role: p.role,
          purposes: [...new Set(mine.map((a) => purposeKey.get(a.purposeId)!))].sort(),
          dataCategories: [
            ...new Set(
              mine.flatMap((a) =>
                agreementLinks.filter((l) => l.owner === a.id).map((l) => categoryKey.get(l.target)!),
              ),
            ),
          ].sort(),
        };
      })
      .filter((p) => p.purposes.length > 0),
  };
}
