import pino, { type Logger } from "pino";
import { ApiKeyService } from "../auth/api-key.service";
import { Authenticator } from "../auth/authenticate";
import { hs256Key, JwtVerifier } from "../auth/jwt";
import type { Config } from "../config";
import type { Services } from "../kernel/context";
import { ReceiptSigner } from "../kernel/signer";
import { useAuditLanes } from "../kernel/audit/audit-log";
import { AuditReader } from "../modules/audit/audit-read.service";
import { DataAuditService } from "../modules/audit/data-audit.service";
import { BreachService } from "../modules/breach/breach.service";
import { CatalogCache, CatalogService, CatalogVersionWatcher } from "../modules/catalog";
import { ConsentReader, ConsentService } from "../modules/consent";
import { DecisionReader } from "../modules/decisions/decision-read.service";
import { DecisionService } from "../modules/decisions/decisions.service";
import { PeopleService } from "../modules/people";
import { PolicyService } from "../modules/policy/policy.service";
import { RightsService } from "../modules/rights/rights.service";
import { Pseudonyms } from "../modules/sharing/pseudonyms";
import { SharingReader } from "../modules/sharing/sharing-read.service";
import { SharingService } from "../modules/sharing/sharing.service";
import { SignalService } from "../modules/sharing/signals.service";
import { WebhookDispatcher, WebhookService } from "../modules/sharing/webhooks";
import type { HostResolver } from "../modules/sharing/webhook-target";
import { AppAccessExporter } from "./access-export";
import { openDatabase } from "./entities";

export type { Services };

/**
 * Opens and migrates the database, then builds the long-lived services, for the server and the
 * CLI alike. (A generated development JWT secret lives in the database, so migrations come first.)
 * This is the one place that knows how the domains are wired to each other.
 */
export interface ServiceOptions {
  /** How webhook hosts are resolved (DNS by default); tests give a hosts-style map. */
  resolveHost?: HostResolver;
}

export async function createServices(
  config: Config,
  logger: Logger = pino({ level: config.logLevel }),
  options: ServiceOptions = {},
): Promise<Services> {
  const db = await openDatabase(config.databaseUrl, {
    onQueryError: (message) => logger.debug({ message }, "query failed"),
  });
  try {
    await db.migrate();
    await useAuditLanes(db.writer, config.auditLanes);
    const manager = () => db.manager;
    const apiKeys = new ApiKeyService(db);
    const jwt = new JwtVerifier(config, await hs256Key(config, db));
    const receipts = await ReceiptSigner.load(config, db);
    const catalogCache = new CatalogCache(db);
    const catalog = new CatalogService(catalogCache);
    const people = new PeopleService(db, config);
    const signals = new SignalService(db, config);
    const consent = new ConsentService(db, config, people, receipts, [signals]);
    const consentReader = new ConsentReader(config, people, manager);
    const decisions = new DecisionService(db, config, people);
    const sharing = new SharingService(db, config, people, await Pseudonyms.load(db), signals);
    const breaches = new BreachService(db, catalog, decisions, sharing);
    const decisionReader = new DecisionReader(manager, consentReader, receipts, config.explanationCacheEntries);
    // The access export needs every domain's records and app's read models: rights owns its
    // shape, app gathers it.
    const catalogVersion = new CatalogVersionWatcher(db, catalogCache, config.catalogVersionPollMs);
    const exporter = new AppAccessExporter(db, people, consentReader, decisionReader, catalogVersion);
    const dispatcher = new WebhookDispatcher(db, config, logger, options.resolveHost);
    // A commit that wrote outbox rows wakes the dispatcher (it otherwise polls rarely).
    signals.onOutbox = () => dispatcher.wake();
    return {
      config,
      db,
      logger,
      receipts,
      apiKeys,
      authenticator: new Authenticator(jwt, apiKeys),
      catalog,
      catalogVersion,
      people,
      consent,
      consentReader,
      decisions,
      decisionReader,
      sharing,
      sharingReader: new SharingReader(manager),
      signals,
      webhooks: new WebhookService(db, config, options.resolveHost),
      dispatcher,
      auditReader: new AuditReader(manager, receipts),
      breaches,
      policies: new PolicyService(db, consentReader),
      // Deletion asks every domain that holds data about people to forget the person.
      rights: new RightsService(db, people, consent, signals, [consent, decisions, sharing, breaches], exporter),
      dataAudit: new DataAuditService(db, catalog, decisions, sharing),
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}
