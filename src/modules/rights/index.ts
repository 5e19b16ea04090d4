import type { RightsLoaders } from "./rights.loaders";
import type { RightsService } from "./rights.service";

export { DataRequest, DataRequestKind, DataRequestStatus } from "./data-request.entity";
export {
  ACCESS_EXPORT_SCHEMA_PATH,
  type AccessExport,
  type AccessExportBody,
  type AccessExporter,
  type ExportLocale,
  type ExportTopic,
  type ExportedDecision,
  type Named,
} from "./access-export";
export { accessExportSchema } from "./access-export.schema";
export { RightsService } from "./rights.service";

declare module "../../kernel/context" {
  interface Loaders {
    rights: RightsLoaders;
  }
  interface Services {
    rights: RightsService;
  }
}
