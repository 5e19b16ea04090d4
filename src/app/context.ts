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

export type { Context, Loaders, Services };

/** Fresh per request: a loader's cache must never outlive the request (or leak across callers). */
export function createLoaders(services: Pick<Services, "db">): Loaders {
  const reader = () => services.db.manager;
  const catalog = createCatalogLoaders(reader);
  return {
    catalog,
    people: createPeopleLoaders(reader),
    consent: createConsentLoaders(reader, (c) => c.purposes.forEach((p) => catalog.purpose.prime(p.id, p))),
    decisions: createDecisionLoaders(reader),
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
  const context: Context = {
    principal,
    requestId: facts.requestId,
    log: facts.log,
    loaders: createLoaders(services),
    services,
    me() {
      if (principal.role !== Role.SUBJECT) return Promise.resolve(null);
      const person = { externalId: principal.externalId!, jurisdiction: principal.jurisdiction ?? null };
      me ??= facts.gpcSignal
        ? services.consent.applyGpcSignal(principal)
        : services.people.ensure(person, actorOf(principal));
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
