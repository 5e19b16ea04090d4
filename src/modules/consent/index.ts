// Consent's public face: what other domains may use to read or change a person's consent.
import type { ConsentReader } from "./consent-read.service";
import type { ConsentLoaders } from "./consent.loaders";
import type { ConsentService } from "./consent.service";

export { ConsentReader } from "./consent-read.service";
export {
  ConsentService,
  type Call,
  type ConsentChange,
  type ConsentListener,
  type ConsentResult,
} from "./consent.service";
export { consentTimeline, type ConsentAt } from "./consent-timeline";
export { Channel, ConsentSource, ConsentStatus } from "./consent.enums";
export { ConsentCheck } from "./consent.types";
export { GPC_USES } from "./effective-consent";

declare module "../../kernel/context" {
  interface Loaders {
    consent: ConsentLoaders;
  }
  interface Services {
    consent: ConsentService;
    consentReader: ConsentReader;
  }
}
