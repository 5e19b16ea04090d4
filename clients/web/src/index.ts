import { CandorConsentCenter } from "./consent-center";
import { CandorWhy } from "./why";

// The bundle's entry (clients/web/dist/candor.js, `npm run build:widget`): defines both elements once.
if (!customElements.get("candor-why")) customElements.define("candor-why", CandorWhy);
if (!customElements.get("candor-consent-center")) customElements.define("candor-consent-center", CandorConsentCenter);

export { CandorConsentCenter, CandorWhy };
