import type { RightsLoaders } from "./rights.loaders";
import type { RightsService } from "./rights.service";

export { DataRequest, DataRequestKind, DataRequestStatus } from "./data-request.entity";
export { RightsService } from "./rights.service";

declare module "../../kernel/context" {
  interface Loaders {
    rights: RightsLoaders;
  }
  interface Services {
    rights: RightsService;
  }
}
