// Decisions' public face: the services other domains and the app use, and the types they return.
import type { DecisionReader } from "./decision-read.service";
import type { DecisionLoaders } from "./decisions.loaders";
import type { DecisionService } from "./decisions.service";

export { DecisionReader } from "./decision-read.service";
export { Decision } from "./decision.entity";
export { DecisionService } from "./decisions.service";

declare module "../../kernel/context" {
  interface Loaders {
    decisions: DecisionLoaders;
  }
  interface Services {
    decisions: DecisionService;
    decisionReader: DecisionReader;
  }
}
