import DataLoader from "dataloader";
import { In, type EntityManager } from "typeorm";
import { byIdLoader } from "../../kernel/db/loaders";
import { Purpose } from "../catalog/purpose.entity";
import { ConsentEvent } from "./consent-event.entity";
import { ConsentReceipt } from "./consent-receipt.entity";
import { ConsentState } from "./consent-state.entity";
import type { PurposeFacts } from "./effective-consent";
import { Subject } from "../people/subject.entity";

/** The catalog as the consent rules need it: purposes in order, and which use sensitive data. */
export interface ConsentCatalog {
  purposes: Purpose[];
  byKey: Map<string, Purpose>;
  facts: PurposeFacts[];
}

/** One statement: every purpose, with whether any of its categories is sensitive. */
export async function loadConsentCatalog(manager: EntityManager): Promise<ConsentCatalog> {
  const { raw, entities } = await manager
    .getRepository(Purpose)
    .createQueryBuilder("p")
    .addSelect((sub) =>
      sub.select("COUNT(*)").from("purpose_data_category", "j").innerJoin("data_category", "d", "d.id = j.data_category_id")
        .where("j.purpose_id = p.id AND d.sensitive = 1"), "sensitive_count")
    .orderBy("p.position", "ASC")
    .getRawAndEntities();
  const sensitive = new Map((raw as Array<{ p_id: string; sensitive_count: string | number }>).map((r) => [r.p_id, Number(r.sensitive_count) > 0]));
  return {
    purposes: entities,
    byKey: new Map(entities.map((p) => [p.key, p])),
    facts: entities.map((p) => ({ id: p.id, defaultMode: p.defaultMode, regulatedUses: p.regulatedUses, usesSensitiveData: sensitive.get(p.id) ?? false })),
  };
}

/** Per-request loaders of the consent domain. */
export function createConsentLoaders(manager: () => EntityManager, onCatalog: (catalog: ConsentCatalog) => void) {
  let catalog: Promise<ConsentCatalog> | null = null;
  const loaders = {
    /** Memoized for the request; primes the purpose loader so `Consent.purpose` costs nothing. */
    catalog(): Promise<ConsentCatalog> {
      catalog ??= loadConsentCatalog(manager()).then((c) => (onCatalog(c), c));
      return catalog;
    },
    subjectByExternalId: new DataLoader<string, Subject | null>(async (ids) => {
      const rows = await manager().findBy(Subject, { externalId: In([...ids]) });
      const byId = new Map(rows.map((r) => [r.externalId, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    subject: byIdLoader(manager, Subject),
    /** Explicit choices per subject id. */
    choices: new DataLoader<string, ConsentState[]>(async (subjectIds) => {
      const rows = await manager().findBy(ConsentState, { subjectId: In([...subjectIds]) });
      return subjectIds.map((id) => rows.filter((r) => r.subjectId === id));
    }),
    event: byIdLoader(manager, ConsentEvent),
    receipt: byIdLoader(manager, ConsentReceipt),
    /** Drops what the request cached about a person who just changed. */
    forget(subject: Subject): void {
      loaders.choices.clear(subject.id);
      loaders.subject.clear(subject.id).prime(subject.id, subject);
      loaders.subjectByExternalId.clear(subject.externalId).prime(subject.externalId, subject);
    },
  };
  return loaders;
}

export type ConsentLoaders = ReturnType<typeof createConsentLoaders>;
