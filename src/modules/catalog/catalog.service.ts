import type { EntityManager } from "typeorm";
import { DomainError, notFound } from "../../kernel/errors";
import type { AlgorithmCard } from "./algorithm-card.entity";
import type { CatalogCache, Entries, LiveCatalog } from "./catalog-cache";
import type { DataCategory } from "./data-category.entity";
import { findJurisdiction, type Jurisdiction } from "./jurisdiction";
import type { Partner } from "./partner.entity";
import type { PersonalizationLevel } from "./personalization-level.entity";
import type { PrivacyPolicy } from "./privacy-policy.entity";
import { Purpose } from "./purpose.entity";
import type { SharingAgreement } from "./sharing-agreement.entity";
import type { Surface } from "./surface.entity";

/** Every purpose in catalog order, and the ids of those that use a sensitive category: one statement. */
export async function purposesWithSensitivity(
  manager: EntityManager,
): Promise<{ purposes: Purpose[]; sensitive: Set<string> }> {
  const { raw, entities } = await manager
    .getRepository(Purpose)
    .createQueryBuilder("p")
    .addSelect(
      (sub) =>
        sub
          .select("COUNT(*)")
          .from("purpose_data_category", "j")
          .innerJoin("data_category", "d", "d.id = j.data_category_id")
          .where("j.purpose_id = p.id AND d.sensitive = 1"),
      "sensitive_count",
    )
    .orderBy("p.position", "ASC")
    .getRawAndEntities();
  const rows = raw as Array<{ p_id: string; sensitive_count: string | number }>;
  return {
    purposes: entities,
    sensitive: new Set(rows.filter((r) => Number(r.sensitive_count) > 0).map((r) => r.p_id)),
  };
}

/**
 * Reads of the public catalog, from the catalog held in memory (no statement). Lists come in the
 * order the catalog file gives them; callers get the shared, frozen entries.
 */
export class CatalogService {
  constructor(private readonly cache: CatalogCache) {}

  private async list<T extends { id: string }>(pick: (c: LiveCatalog) => Entries<T>): Promise<T[]> {
    return [...pick(await this.cache.current()).list];
  }

  purposes(): Promise<Purpose[]> {
    return this.list((c) => c.purposes);
  }

  dataCategories(): Promise<DataCategory[]> {
    return this.list((c) => c.dataCategories);
  }

  personalizationLevels(): Promise<PersonalizationLevel[]> {
    return this.list((c) => c.levels);
  }

  surfaces(): Promise<Surface[]> {
    return this.list((c) => c.surfaces);
  }

  algorithms(): Promise<AlgorithmCard[]> {
    return this.list((c) => c.algorithms);
  }

  partners(): Promise<Partner[]> {
    return this.list((c) => c.partners);
  }

  jurisdiction(code: string): Jurisdiction | null {
    if (code.length > 20) throw new DomainError("INVALID", "A jurisdiction code looks like US-CA", ["code"]);
    return findJurisdiction(code);
  }

  /** Every published version, oldest first. */
  policyVersions(): Promise<PrivacyPolicy[]> {
    return this.list((c) => c.policies);
  }

  /** The current policy is the newest version already in effect. */
  async privacyPolicy(version: number | null | undefined): Promise<PrivacyPolicy | null> {
    const policies = (await this.cache.current()).policies.list;
    if (version !== null && version !== undefined) {
      if (!Number.isInteger(version) || version < 1)
        throw new DomainError("INVALID", "A policy version is a positive integer", ["version"]);
      return policies.find((p) => p.version === version) ?? null;
    }
    const now = new Date();
    return [...policies].reverse().find((p) => p.effectiveAt <= now) ?? null;
  }

  /** Agreements in force (not ended), optionally for one partner or purpose key. */
  async sharingDisclosures(partnerKey?: string | null, purposeKey?: string | null): Promise<SharingAgreement[]> {
    const c = await this.cache.current();
    let agreements = c.agreements.list;
    if (partnerKey) {
      const partner = c.partners.list.find((p) => p.key === partnerKey);
      if (!partner) throw notFound("partner", partnerKey, ["partner"]);
      agreements = agreements.filter((a) => a.partnerId === partner.id);
    }
    if (purposeKey) {
      const purpose = c.purposes.list.find((p) => p.key === purposeKey);
      if (!purpose) throw notFound("purpose", purposeKey, ["purpose"]);
      agreements = agreements.filter((a) => a.purposeId === purpose.id);
    }
    const now = new Date();
    return agreements
      .filter((a) => a.endedAt === null || a.endedAt > now)
      .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || compareKeys(a.key, b.key));
  }
}

/** Keys compare as the database orders them: by code unit (keys are ASCII slugs). */
const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
