import type { ApiKeyService } from "./api-key.service";
import type { Authenticator } from "./authenticate";

export { ApiKeyService } from "./api-key.service";
export { Authenticator } from "./authenticate";

declare module "../kernel/context" {
  interface Services {
    apiKeys: ApiKeyService;
    authenticator: Authenticator;
  }
}
