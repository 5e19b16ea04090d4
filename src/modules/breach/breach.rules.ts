import { admin, anyOf, subject, type PermissionMap } from "../../kernel/rules";

const owner = anyOf(subject, admin);

/** Admins report and update incidents; people read and acknowledge their own notices. */
export const breachPermissions: PermissionMap = {
  Mutation: { reportBreachIncident: admin, updateBreachIncident: admin, acknowledgeBreachNotice: subject },
  Subject: { breachNotices: owner },
  BreachIncident: owner,
  BreachNotice: owner,
  BreachIncidentPayload: admin,
  AcknowledgeBreachNoticePayload: subject,
};
