import DataLoader from "dataloader";
import { In, type EntityManager } from "typeorm";
import { byForeignKeyLoader, byIdLoader } from "../../kernel/db/loaders";
import { DecisionFactor } from "./decision-factor.entity";
import { Decision } from "./decision.entity";
import { HiddenSponsor } from "./hidden-sponsor.entity";
import { RecommenderModeChoice } from "./recommender-mode.entity";

/** Where the app reads a person's modes and hidden sponsors from when it batches them with other state. */
export interface DecisionLoaderSources {
  /** Sponsors each person hid (ordered), in the order asked. */
  hiddenSponsors?: (subjectIds: readonly string[]) => Promise<string[][]>;
  modes?: (subjectIds: readonly string[]) => Promise<RecommenderModeChoice[][]>;
  /** Told when the request drops what it holds about a person who just changed. */
  forget?: (subjectId: string) => void;
}

/** Per-request loaders of the decisions domain. */
export function createDecisionLoaders(manager: () => EntityManager, sources: DecisionLoaderSources = {}) {
  const loaders = {
    decision: byIdLoader(manager, Decision),
    factors: byForeignKeyLoader(manager, DecisionFactor, "decisionId", "position"),
    /** Sponsors each person hid, by subject id. */
    hiddenSponsors: new DataLoader<string, string[]>(
      sources.hiddenSponsors ??
        (async (subjectIds) => {
          const rows = await manager().find(HiddenSponsor, {
            where: { subjectId: In([...subjectIds]) },
            order: { sponsor: "ASC" },
          });
          return subjectIds.map((id) => rows.filter((r) => r.subjectId === id).map((r) => r.sponsor));
        }),
    ),
    modes: new DataLoader<string, RecommenderModeChoice[]>(
      sources.modes ??
        (async (subjectIds) => {
          const rows = await manager().findBy(RecommenderModeChoice, { subjectId: In([...subjectIds]) });
          return subjectIds.map((id) => rows.filter((r) => r.subjectId === id));
        }),
    ),
    /** Drops what the request holds about a person who just changed their modes or sponsors. */
    forget(subjectId: string): void {
      loaders.hiddenSponsors.clear(subjectId);
      loaders.modes.clear(subjectId);
      sources.forget?.(subjectId);
    },
  };
  return loaders;
}

export type DecisionLoaders = ReturnType<typeof createDecisionLoaders>;
