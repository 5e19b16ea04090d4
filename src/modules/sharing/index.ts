// Sharing's public face: the services other domains and the app use.
import type { SharingReader } from "./sharing-read.service";
import type { SharingLoaders } from "./sharing.loaders";
import type { SharingService } from "./sharing.service";
import type { SignalService } from "./signals.service";
import type { WebhookDispatcher, WebhookService } from "./webhooks";

export { SharingReader } from "./sharing-read.service";
export { SharingService } from "./sharing.service";
export { SignalService } from "./signals.service";

declare module "../../kernel/context" {
  interface Loaders {
    sharing: SharingLoaders;
  }
  interface Services {
    sharing: SharingService;
    sharingReader: SharingReader;
    signals: SignalService;
    webhooks: WebhookService;
    dispatcher: WebhookDispatcher;
  }
}
