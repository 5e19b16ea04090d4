import { admin, anyOf, scope, service, subject, type PermissionMap } from "../../kernel/rules";

const owner = anyOf(subject, admin);
/** Decisions: the person's own, the recording engine's own results, or an admin. */
const readers = anyOf(subject, scope("decisions:write"), admin);

export const decisionPermissions: PermissionMap = {
  Query: { decision: owner, whyAmISeeing: subject },
  Mutation: { recordDecisions: scope("decisions:write"), setRecommenderMode: subject, hideSponsor: subject },
  Subject: { decisions: owner, recommenderModes: anyOf(subject, service, admin), hiddenSponsors: owner },
  Decision: readers,
  Factor: readers,
  Control: readers,
  Sponsor: readers,
  Explanation: readers,
  FactorExplanation: readers,
  Readability: readers,
  DecisionResult: scope("decisions:write"),
  RecordDecisionsPayload: scope("decisions:write"),
  DecisionEdge: owner,
  DecisionConnection: owner,
  SurfaceMode: anyOf(subject, service, admin),
  SetRecommenderModePayload: subject,
  HideSponsorPayload: subject,
};
