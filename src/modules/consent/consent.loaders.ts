import DataLoader from "dataloader";
import { In, type EntityManager } from "typeorm";
import { byIdLoader } from "../../kernel/db/loaders";
import { purposesWithSensitivity, type Purpose } from "../catalog";
import { ConsentEvent } from "./consent-event.entity";
import { ConsentReceipt } from "./consent-receipt.entity";
import { ConsentState } from "./consent-state.entity";
import type { PurposeFacts } from "./effective-consent";

/** The catalog as the consent rules need it: purposes in order, and which use sensitive data. */
export interface ConsentCatalog {
  purposes: Purpose[];
  byKey: Map<string, Purpose>;
  facts: PurposeFacts[];
}

/** DPV purposes whose end is marketing: profiling for one of them is profiling for ads. */
const MARKETING_PURPOSES = new Set(
  [
    "Advertising",
    "DirectMarketing",
    "Marketing",
    "PersonalisedAdvertising",
    "SocialMediaMarketing",
    "TargetedAdvertising",
  ].map((name) => `https://w3id.org/dpv#${name}`),
);

/** One statement: every purpose in catalog order, with whether it uses sensitive data. */
export async function loadConsentCatalog(manager: EntityManager): Promise<ConsentCatalog> {
  const { purposes, sensitive } = await purposesWithSensitivity(manager);
  return {
    purposes,
    byKey: new Map(purposes.map((p) => [p.key, p])),
    facts: purposes.map((p) => ({
      id: p.id,
      defaultMode: p.defaultMode,
      regulatedUses: p.regulatedUses,
      usesSensitiveData: sensitive.has(p.id),
      profilingForAds: p.dpvIri !== null && MARKETING_PURPOSES.has(p.dpvIri),
    })),
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
    /** Explicit choices per subject id. */
    choices: new DataLoader<string, ConsentState[]>(async (subjectIds) => {
      const rows = await manager().findBy(ConsentState, { subjectId: In([...subjectIds]) });
      return subjectIds.map((id) => rows.filter((r) => r.subjectId === id));
    }),
    event: byIdLoader(manager, ConsentEvent),
    receipt: byIdLoader(manager, ConsentReceipt),
    /** Drops the cached choices of a person who just changed. */
    forget(subjectId: string): void {
      loaders.choices.clear(subjectId);
    },
  };
  return loaders;
}

export type ConsentLoaders = ReturnType<typeof createConsentLoaders>;
