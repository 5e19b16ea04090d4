import type { Context, Loaders, Services } from "../kernel/context";
import { actorOf, type Principal, Role } from "../kernel/principal";
import type { Logger } from "pino";
import { createBreachLoaders } from "../modules/breach/breach.loaders";
import { createCatalogLoaders } from "../modules/catalog/catalog.loaders";
import { createConsentLoaders } from "../modules/consent/consent.loaders";
import { createDecisionLoaders } from "../modules/decisions/decisions.loaders";
import type { Subject } from "../modules/people";
import { createPeopleLoaders } from "../modules/people/people.loaders";
import { createRightsLoaders } from "../modules/rights/rights.loaders";
import { createSharingLoaders } from "../modules/sharing/sharing.loaders";
import { personStateLoader, type PersonState } from "./queries/person-state";

export type { Context, Loaders, Services };

/**
 * Fresh per request: a loader's cache must never outlive the request (or leak across callers).
 * The catalog comes from memory; a person's consent choices, modes and hidden sponsors come
 * together, in one statement (`person-state`), whichever of them is asked for first.
 */
export function createLoaders(services: Pick<Services, "db" | "catalogVersion">): Loaders {
  const reader = () => services.db.manager;
  const catalog = createCatalogLoaders(services.catalogVersion.cache);
  const state = personStateLoader(reader);
  const forget = (subjectId: string) => void state.clear(subjectId);
  const each =
    <T>(pick: (s: PersonState) => T) =>
    async (ids: readonly string[]) =>
      (await state.loadMany(ids)).map((s) => {
        if (s instanceof Error) throw s;
        return pick(s);
      });
  return {
    catalog,
    people: createPeopleLoaders(reader),
    consent: createConsentLoaders(reader, catalog.catalog, { choices: each((s) => s.choices), forget }),
    decisions: createDecisionLoaders(reader, {
      modes: each((s) => s.modes),
      hiddenSponsors: each((s) => s.hiddenSponsors),
      forget,
    }),
    sharing: createSharingLoaders(reader),
    breach: createBreachLoaders(reader),
    rights: createRightsLoaders(reader),
  };
}

export interface RequestFacts {
  principal: Principal;
  requestId: string;
  log: Logger;
  /** `Sec-GPC: 1` on the request (exactly "1"). */
  gpcSignal: boolean;
}

export async function buildContext(services: Services, facts: RequestFacts): Promise<Context> {
  const { principal } = facts;
  let me: Promise<Subject | null> | null = null;
  const loaders = createLoaders(services);
  const context: Context = {
    principal,
    requestId: facts.requestId,
    log: facts.log,
    loaders,
    services,
    me() {
      if (principal.role !== Role.SUBJECT) return Promise.resolve(null);
      const person = { externalId: principal.externalId!, jurisdiction: principal.jurisdiction ?? null };
      // Read once per request: primed into the people loaders, so that nothing reads the person again.
      me ??= (
        facts.gpcSignal
          ? services.consent.applyGpcSignal(principal)
          : services.people.ensure(person, actorOf(principal))
      ).then((subject) => (loaders.people.remember(subject), subject));
      return me;
    },
    remember(subject) {
      me = Promise.resolve(subject);
    },
  };
  // A person's browser saying Sec-GPC: 1 sets their signal, whatever the request asks.
  if (principal.role === Role.SUBJECT && facts.gpcSignal) await context.me();
  return context;
}
