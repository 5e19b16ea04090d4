// The person: other domains find, lock and create people only through PeopleService.
import type { PeopleLoaders } from "./people.loaders";
import type { PeopleService } from "./people.service";
import type { Subject } from "./subject.entity";

export {
  isKnownJurisdictionCode,
  PeopleService,
  type LockedPeople,
  type PersonFacts,
  type PersonRef,
} from "./people.service";
export { ownedBy } from "./ownership";
export {
  batchAuditEntry,
  judgeBatch,
  rememberAccepted,
  replayedRows,
  type BatchPlan,
  type Verdict,
} from "./people-batch";
export type { PeopleLoaders } from "./people.loaders";
export { Subject } from "./subject.entity";
export { Viewer } from "./viewer.types";

declare module "../../kernel/context" {
  /** A subject's request knows its person as a Subject. */
  interface CallingPerson extends Subject {}
  interface Loaders {
    people: PeopleLoaders;
  }
  interface Services {
    people: PeopleService;
  }
}
