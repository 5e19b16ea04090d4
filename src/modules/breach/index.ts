import type { BreachLoaders } from "./breach.loaders";
import type { BreachService } from "./breach.service";

export { BreachService } from "./breach.service";

declare module "../../kernel/context" {
  interface Loaders {
    breach: BreachLoaders;
  }
  interface Services {
    breaches: BreachService;
  }
}
