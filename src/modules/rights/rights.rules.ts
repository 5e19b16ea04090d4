import { admin, anyOf, scope, subject, type PermissionMap } from "../../kernel/rules";

const owner = anyOf(subject, admin);
const submitters = anyOf(subject, scope("consent:write"), admin);

export const rightsPermissions: PermissionMap = {
  Query: { dataRequests: admin },
  Mutation: {
    submitDataRequest: submitters,
    completeDataRequest: admin,
    denyDataRequest: admin,
    extendDataRequest: admin,
  },
  Subject: { dataRequests: owner },
  DataRequest: {
    id: submitters,
    kind: submitters,
    status: submitters,
    receivedAt: submitters,
    dueAt: submitters,
    extendedDueAt: submitters,
    completedAt: submitters,
    details: submitters,
    statusReason: submitters,
    extensionReason: submitters,
    export: owner,
    summary: owner,
    subject: admin,
  },
  DataRequestEdge: admin,
  DataRequestConnection: admin,
  SubmitDataRequestPayload: submitters,
  DataRequestPayload: admin,
};
