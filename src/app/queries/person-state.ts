import DataLoader from "dataloader";
import type { EntityManager } from "typeorm";
import { ConsentState } from "../../modules/consent/consent-state.entity";
import type { ConsentSource, ConsentStatus } from "../../modules/consent";
import type { RecommenderMode } from "../../modules/catalog";
import { RecommenderModeChoice } from "../../modules/decisions/recommender-mode.entity";
import { asDate } from "./data-use";

// A person's state as a "why am I seeing this?" widget needs it — explicit consent choices (the
// consent domain), recommender modes and hidden sponsors (the decisions domain) — in ONE statement
// for any number of people, instead of one per table. Plain rows mapped to the domains' own types:
// no entity hydration on this hot path. Writes stay with the domains.

export interface PersonState {
  choices: ConsentState[];
  modes: RecommenderModeChoice[];
  /** In the database's order of sponsors. */
  hiddenSponsors: string[];
}

interface Row {
  kind: "C" | "M" | "H";
  subject_id: string;
  ref: string;
  a: string | null;
  b: string | null;
  flag: number | string | boolean | null;
  n: number | string | null;
  at: string | Date;
}

const SQL = (marks: string) =>
  "SELECT 'C' AS kind, subject_id, purpose_id AS ref, status AS a, source AS b, gpc_overridden AS flag, " +
  `policy_version AS n, updated_at AS at FROM consent_state WHERE subject_id IN (${marks}) ` +
  "UNION ALL SELECT 'M', subject_id, surface_id, mode, NULL, NULL, NULL, updated_at " +
  `FROM recommender_mode WHERE subject_id IN (${marks}) ` +
  "UNION ALL SELECT 'H', subject_id, sponsor, NULL, NULL, NULL, NULL, hidden_at " +
  `FROM hidden_sponsor WHERE subject_id IN (${marks}) ORDER BY kind, subject_id, ref`;

/** Per request: each person's state, loaded together for everyone asked about in one tick. */
export function personStateLoader(manager: () => EntityManager): DataLoader<string, PersonState> {
  return new DataLoader(async (subjectIds) => {
    const ids = [...subjectIds];
    const marks = ids.map(() => "?").join(", ");
    const rows = (await manager().query(SQL(marks), [...ids, ...ids, ...ids])) as Row[];
    const states = new Map(ids.map((id) => [id, { choices: [], modes: [], hiddenSponsors: [] } as PersonState]));
    for (const r of rows) {
      const state = states.get(r.subject_id)!;
      if (r.kind === "C") {
        state.choices.push(
          Object.assign(new ConsentState(), {
            subjectId: r.subject_id,
            purposeId: r.ref,
            status: r.a as ConsentStatus,
            source: r.b as ConsentSource,
            gpcOverridden: r.flag === true || Number(r.flag) === 1,
            policyVersion: Number(r.n),
            updatedAt: asDate(r.at),
          }),
        );
      } else if (r.kind === "M") {
        state.modes.push(
          Object.assign(new RecommenderModeChoice(), {
            subjectId: r.subject_id,
            surfaceId: r.ref,
            mode: r.a as RecommenderMode,
            updatedAt: asDate(r.at),
          }),
        );
      } else {
        state.hiddenSponsors.push(r.ref);
      }
    }
    return ids.map((id) => states.get(id)!);
  });
}
