import { admin, type PermissionMap } from "../../kernel/rules";

/** The audit log is the privacy office's. */
export const auditPermissions: PermissionMap = {
  Query: { auditLog: admin, verifyAuditLog: admin, auditLogHead: admin },
  Mutation: { runDataAudit: admin },
  RunDataAuditPayload: admin,
  DataAudit: admin,
  AuditFinding: admin,
  AuditLogEntry: admin,
  AuditLogEdge: admin,
  AuditLogConnection: admin,
  AuditLogVerification: admin,
  AuditLogHead: admin,
};
