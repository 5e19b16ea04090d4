import type { Logger } from "pino";
import type { Authenticator } from "../auth/authenticate";
import type { ApiKeyService } from "../auth/api-key.service";
import { actorOf, type Principal, Role } from "../kernel/principal";
import type { Config } from "../config";
import type { AuditReader } from "../modules/audit/audit-read.service";
import type { DataAuditService } from "../modules/audit/data-audit.service";
import { createBreachLoaders } from "../modules/breach/breach.loaders";
import type { BreachService } from "../modules/breach/breach.service";
import type { PolicyService } from "../modules/policy/policy.service";
import { createRightsLoaders } from "../modules/rights/rights.loaders";
import type { RightsService } from "../modules/rights/rights.service";
import type { Database } from "../kernel/db/database";
import { createCatalogLoaders } from "../modules/catalog/catalog.loaders";
import type { CatalogService } from "../modules/catalog/catalog.service";
import type { ConsentReader } from "../modules/consent/consent-read.service";
import { createConsentLoaders } from "../modules/consent/consent.loaders";
import type { ConsentService } from "../modules/consent/consent.service";
import type { ReceiptSigner } from "../kernel/signer";
import type { Subject } from "../modules/people/subject.entity";
import type { SubjectService } from "../modules/people/people.service";
import type { DecisionReader } from "../modules/decisions/decision-read.service";
import { createDecisionLoaders } from "../modules/decisions/decisions.loaders";
import type { DecisionService } from "../modules/decisions/decisions.service";
import type { SharingReader } from "../modules/sharing/sharing-read.service";
import { createSharingLoaders } from "../modules/sharing/sharing.loaders";
import type { SharingService } from "../modules/sharing/sharing.service";
import type { SignalService } from "../modules/sharing/signals.service";
import type { WebhookDispatcher, WebhookService } from "../modules/sharing/webhooks";

/** Long-lived services, built once at start-up. */
export interface Services {
  config: Config;
  db: Database;
  logger: Logger;
  authenticator: Authenticator;
  apiKeys: ApiKeyService;
  catalog: CatalogService;
  subjects: SubjectService;
  consent: ConsentService;
  consentReader: ConsentReader;
  receipts: ReceiptSigner;
  decisions: DecisionService;
  decisionReader: DecisionReader;
  sharing: SharingService;
  sharingReader: SharingReader;
  signals: SignalService;
  webhooks: WebhookService;
  dispatcher: WebhookDispatcher;
  auditReader: AuditReader;
  breaches: BreachService;
  policies: PolicyService;
  rights: RightsService;
  dataAudit: DataAuditService;
}

/** Fresh per request: a loader's cache must never outlive the request (or leak across callers). */
export function createLoaders(services: Services) {
  const reader = () => services.db.manager;
  const catalog = createCatalogLoaders(reader);
  return {
    catalog,
    consent: createConsentLoaders(reader, (c) => c.purposes.forEach((p) => catalog.purpose.prime(p.id, p))),
    decisions: createDecisionLoaders(reader),
    sharing: createSharingLoaders(reader),
    breach: createBreachLoaders(reader),
    rights: createRightsLoaders(reader),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

export interface Context {
  principal: Principal;
  requestId: string;
  log: Logger;
  loaders: Loaders;
  services: Services;
  /** The calling person (created when first seen); null unless the caller is a subject. */
  me(): Promise<Subject | null>;
  /** Replaces the cached calling person after a change to them. */
  remember(subject: Subject): void;
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
      me ??= facts.gpcSignal
        ? services.consent.applyGpcSignal(principal)
        : services.subjects.ensure(principal.externalId!, principal.jurisdiction, actorOf(principal));
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
