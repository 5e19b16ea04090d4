import { Foundation1764374400000 } from "./1764374400000-foundation";
import { Consent1764460800000 } from "./1764460800000-consent";
import { Decisions1764547200000 } from "./1764547200000-decisions";
import { Sharing1764633600000 } from "./1764633600000-sharing";
import { Breach1764720000000 } from "./1764720000000-breach";
import { PolicySnapshot1764806400000 } from "./1764806400000-policy-snapshot";
import { DataRequests1764892800000 } from "./1764892800000-data-requests";
import { UsableWithoutProfiling1764979200000 } from "./1764979200000-usable-without-profiling";
import { DecisionThreshold1765065600000 } from "./1765065600000-decision-threshold";
import { HiddenSponsor1765152000000 } from "./1765152000000-hidden-sponsor";
import { AgeBracket1765238400000 } from "./1765238400000-age-bracket";
import { DataRequestReceived1765324800000 } from "./1765324800000-data-request-received";
import { Translations1765411200000 } from "./1765411200000-translations";
import { DataController1765497600000 } from "./1765497600000-data-controller";
import { CatalogVersion1765756800000 } from "./1765756800000-catalog-version";
import { AuditLanes1766000000000 } from "./1766000000000-audit-lanes";

/** Every migration, in order. Append-only once released. */
export const migrations = [
  Foundation1764374400000,
  Consent1764460800000,
  Decisions1764547200000,
  Sharing1764633600000,
  Breach1764720000000,
  PolicySnapshot1764806400000,
  DataRequests1764892800000,
  UsableWithoutProfiling1764979200000,
  DecisionThreshold1765065600000,
  HiddenSponsor1765152000000,
  AgeBracket1765238400000,
  DataRequestReceived1765324800000,
  Translations1765411200000,
  DataController1765497600000,
  CatalogVersion1765756800000,
  AuditLanes1766000000000,
];
