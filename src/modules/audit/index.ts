import type { AuditReader } from "./audit-read.service";
import type { DataAuditService } from "./data-audit.service";

export { AuditReader } from "./audit-read.service";
export { DataAuditService } from "./data-audit.service";

declare module "../../kernel/context" {
  interface Services {
    auditReader: AuditReader;
    dataAudit: DataAuditService;
  }
}
