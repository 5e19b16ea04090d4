import DataLoader from "dataloader";
import { In, type EntityManager } from "typeorm";
import { byForeignKeyLoader, byIdLoader } from "../../kernel/db/loaders";
import { DecisionFactor } from "./decision-factor.entity";
import { Decision } from "./decision.entity";
import { HiddenSponsor } from "./hidden-sponsor.entity";
import { RecommenderModeChoice } from "./recommender-mode.entity";

/** Per-request loaders of the decisions domain. */
export function createDecisionLoaders(manager: () => EntityManager) {
  return {
    decision: byIdLoader(manager, Decision),
    factors: byForeignKeyLoader(manager, DecisionFactor, "decisionId", "position"),
    /** Sponsors each person hid, by subject id. */
    hiddenSponsors: new DataLoader<string, string[]>(async (subjectIds) => {
      const rows = await manager().find(HiddenSponsor, {
        where: { subjectId: In([...subjectIds]) },
        order: { sponsor: "ASC" },
      });
      return subjectIds.map((id) => rows.filter((r) => r.subjectId === id).map((r) => r.sponsor));
    }),
    modes: new DataLoader<string, RecommenderModeChoice[]>(async (subjectIds) => {
      const rows = await manager().findBy(RecommenderModeChoice, { subjectId: In([...subjectIds]) });
      return subjectIds.map((id) => rows.filter((r) => r.subjectId === id));
    }),
  };
}

export type DecisionLoaders = ReturnType<typeof createDecisionLoaders>;
