import DataLoader from "dataloader";
import { In, type EntityManager } from "typeorm";
import { byIdLoader } from "../../kernel/db/loaders";
import { purposesWithSensitivity, type LiveCatalog, type Purpose } from "../catalog";
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

/** One statement: every purpose in catalog order, with whether it uses sensitive data (for writers, in their transaction). */
export async function loadConsentCatalog(manager: EntityManager): Promise<ConsentCatalog> {
  const { purposes, sensitive } = await purposesWithSensitivity(manager);
  return consentCatalogOf(purposes, sensitive);
}

/** Built once per catalog version, for every request that reads it. */
const fromLive = new WeakMap<LiveCatalog, ConsentCatalog>();

/** The consent rules' view of the catalog held in memory: no statement. */
export function consentCatalogFrom(live: LiveCatalog): ConsentCatalog {
  let catalog = fromLive.get(live);
  if (!catalog) fromLive.set(live, (catalog = consentCatalogOf([...live.purposes.list], live.sensitivePurposes)));
  return catalog;
}

function consentCatalogOf(purposes: Purpose[], sensitive: ReadonlySet<string>): ConsentCatalog {
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

/** Where the app reads a person's explicit choices from when it batches them with other state. */
export interface ConsentLoaderSources {
  /** Explicit choices per subject id, in the order asked. */
  choices?: (subjectIds: readonly string[]) => Promise<ConsentState[][]>;
  /** Told when the request drops what it holds about a person who just changed. */
  forget?: (subjectId: string) => void;
}

/** Per-request loaders of the consent domain. */
export function createConsentLoaders(
  manager: () => EntityManager,
  live: () => Promise<LiveCatalog>,
  sources: ConsentLoaderSources = {},
) {
  const loaders = {
    /** The catalog held in memory, as the consent rules read it (no statement). */
    async catalog(): Promise<ConsentCatalog> {
      return consentCatalogFrom(await live());
    },
    /** Explicit choices per subject id. */
    choices: new DataLoader<string, ConsentState[]>(
      sources.choices ??
        (async (subjectIds) => {
          const rows = await manager().findBy(ConsentState, { subjectId: In([...subjectIds]) });
          return subjectIds.map((id) => rows.filter((r) => r.subjectId === id));
        }),
    ),
    event: byIdLoader(manager, ConsentEvent),
    receipt: byIdLoader(manager, ConsentReceipt),
    /** Drops the cached choices of a person who just changed. */
    forget(subjectId: string): void {
      loaders.choices.clear(subjectId);
      sources.forget?.(subjectId);
    },
  };
  return loaders;
}

export type ConsentLoaders = ReturnType<typeof createConsentLoaders>;
