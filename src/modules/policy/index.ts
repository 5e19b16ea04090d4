import type { PolicyService } from "./policy.service";

export { PolicyService } from "./policy.service";

declare module "../../kernel/context" {
  interface Services {
    policies: PolicyService;
  }
}
