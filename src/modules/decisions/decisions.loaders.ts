import DataLoader from "dataloader";
import { In, type EntityManager } from "typeorm";
import { byForeignKeyLoader, byIdLoader } from "../../kernel/db/loaders";
import { DecisionFactor } from "./decision-factor.entity";
import { Decision } from "./decision.entity";
import { RecommenderModeChoice } from "./recommender-mode.entity";

/** Per-request loaders of the decisions domain. */
export function createDecisionLoaders(manager: () => EntityManager) {
  return {
    decision: byIdLoader(manager, Decision),
    factors: byForeignKeyLoader(manager, DecisionFactor, "decisionId", "position"),
    modes: new DataLoader<string, RecommenderModeChoice[]>(async (subjectIds) => {
      const rows = await manager().findBy(RecommenderModeChoice, { subjectId: In([...subjectIds]) });
      return subjectIds.map((id) => rows.filter((r) => r.subjectId === id));
    }),
  };
}

export type DecisionLoaders = ReturnType<typeof createDecisionLoaders>;
