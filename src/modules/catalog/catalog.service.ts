import { IsNull, MoreThan, type EntityManager } from "typeorm";
import { DomainError, notFound } from "../../kernel/errors";
import { sameKey } from "../../kernel/text/well-formed";
import { AlgorithmCard } from "./algorithm-card.entity";
import { DataCategory } from "./data-category.entity";
import { findJurisdiction, type Jurisdiction } from "./jurisdiction";
import { Partner } from "./partner.entity";
import { PersonalizationLevel } from "./personalization-level.entity";
import { PrivacyPolicy } from "./privacy-policy.entity";
import { Purpose } from "./purpose.entity";
import { SharingAgreement } from "./sharing-agreement.entity";
import { Surface } from "./surface.entity";

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

/** Reads of the public catalog. Lists come in the order the catalog file gives them. */
export class CatalogService {
  constructor(private readonly manager: () => EntityManager) {}

  purposes(): Promise<Purpose[]> {
    return this.manager().find(Purpose, { order: { position: "ASC" } });
  }

  dataCategories(): Promise<DataCategory[]> {
    return this.manager().find(DataCategory, { order: { position: "ASC" } });
  }

  personalizationLevels(): Promise<PersonalizationLevel[]> {
    return this.manager().find(PersonalizationLevel, { order: { level: "ASC" } });
  }

  surfaces(): Promise<Surface[]> {
    return this.manager().find(Surface, { order: { position: "ASC" } });
  }

  algorithms(): Promise<AlgorithmCard[]> {
    return this.manager().find(AlgorithmCard, { order: { position: "ASC", validFrom: "ASC" } });
  }

  partners(): Promise<Partner[]> {
    return this.manager().find(Partner, { order: { position: "ASC" } });
  }

  jurisdiction(code: string): Jurisdiction | null {
    if (code.length > 20) throw new DomainError("INVALID", "A jurisdiction code looks like US-CA", ["code"]);
    return findJurisdiction(code);
  }

  /** Every published version, oldest first. */
  policyVersions(): Promise<PrivacyPolicy[]> {
    return this.manager().find(PrivacyPolicy, { order: { version: "ASC" } });
  }

  /** The current policy is the newest version already in effect. */
  async privacyPolicy(version: number | null | undefined): Promise<PrivacyPolicy | null> {
    if (version !== null && version !== undefined) {
      if (!Number.isInteger(version) || version < 1)
        throw new DomainError("INVALID", "A policy version is a positive integer", ["version"]);
      return this.manager().findOneBy(PrivacyPolicy, { version });
    }
    const [current] = await this.manager()
      .getRepository(PrivacyPolicy)
      .createQueryBuilder("p")
      .where("p.effective_at <= :now", { now: new Date() })
      .orderBy("p.version", "DESC")
      .limit(1)
      .getMany();
    return current ?? null;
  }

  /** Agreements in force (not ended), optionally for one partner or purpose key. */
  async sharingDisclosures(partnerKey?: string | null, purposeKey?: string | null): Promise<SharingAgreement[]> {
    const m = this.manager();
    const where: Record<string, unknown> = {};
    if (partnerKey) {
      const partner = sameKey(await m.findOneBy(Partner, { key: partnerKey }), partnerKey);
      if (!partner) throw notFound("partner", partnerKey, ["partner"]);
      where.partnerId = partner.id;
    }
    if (purposeKey) {
      const purpose = sameKey(await m.findOneBy(Purpose, { key: purposeKey }), purposeKey);
      if (!purpose) throw notFound("purpose", purposeKey, ["purpose"]);
      where.purposeId = purpose.id;
    }
    return m.find(SharingAgreement, {
      where: [
        { ...where, endedAt: IsNull() },
        { ...where, endedAt: MoreThan(new Date()) },
      ],
      order: { startedAt: "ASC", key: "ASC" },
    });
  }
}
