import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino, { type Logger } from "pino";
import { ApiKeyService } from "../auth/api-key.service";
import { Authenticator } from "../auth/authenticate";
import { hs256Key, JwtVerifier } from "../auth/jwt";
import type { Config } from "../config";
import { Database } from "../kernel/db/database";
import type { Services } from "./context";
import { listen } from "./startup";
import { buildBareSchema, buildServedSchema } from "./schema";
import { createApollo } from "../http/apollo";
import { Metrics } from "../http/metrics";
import { createHttpServer } from "../http/server";
import { AuditReader } from "../modules/audit/audit-read.service";
import { DataAuditService } from "../modules/audit/data-audit.service";
import { BreachService } from "../modules/breach/breach.service";
import { PolicyService } from "../modules/policy/policy.service";
import { RightsService } from "../modules/rights/rights.service";
import { CatalogService } from "../modules/catalog/catalog.service";
import { ConsentReader } from "../modules/consent/consent-read.service";
import { ConsentService } from "../modules/consent/consent.service";
import { ReceiptSigner } from "../kernel/signer";
import { SubjectService } from "../modules/people/people.service";
import { DecisionReader } from "../modules/decisions/decision-read.service";
import { DecisionService } from "../modules/decisions/decisions.service";
import { Pseudonyms } from "../modules/sharing/pseudonyms";
import { SharingReader } from "../modules/sharing/sharing-read.service";
import { SharingService } from "../modules/sharing/sharing.service";
import { SignalService } from "../modules/sharing/signals.service";
import { WebhookDispatcher, WebhookService } from "../modules/sharing/webhooks";

/**
 * Opens and migrates the database, then builds the long-lived services, for the server and the
 * CLI alike. (A generated development JWT secret lives in the database, so migrations come first.)
 */
export async function createServices(config: Config, logger: Logger = pino({ level: config.logLevel })): Promise<Services> {
  const db = await Database.open(config.databaseUrl, {
    onQueryError: (message) => logger.debug({ message }, "query failed"),
  });
  try {
    await db.migrate();
    const apiKeys = new ApiKeyService(db);
    const jwt = new JwtVerifier(config, await hs256Key(config, db));
    const receipts = await ReceiptSigner.load(config, db);
    const subjects = new SubjectService(db, config);
    const signals = new SignalService(db, config);
    const consent = new ConsentService(db, config, subjects, receipts, [signals]);
    const dispatcher = new WebhookDispatcher(db, config, logger);
    // A commit that wrote outbox rows wakes the dispatcher (it otherwise polls rarely).
    signals.onOutbox = () => dispatcher.wake();
    return {
      config,
      db,
      logger,
      apiKeys,
      authenticator: new Authenticator(jwt, apiKeys),
      catalog: new CatalogService(() => db.manager),
      subjects,
      consent,
      consentReader: new ConsentReader(config, subjects, () => db.manager),
      receipts,
      decisions: new DecisionService(db, config, subjects),
      decisionReader: new DecisionReader(() => db.manager),
      sharing: new SharingService(db, config, subjects, await Pseudonyms.load(db), signals),
      sharingReader: new SharingReader(() => db.manager),
      signals,
      webhooks: new WebhookService(db, config),
      dispatcher,
      auditReader: new AuditReader(() => db.manager, receipts),
      breaches: new BreachService(db),
      policies: new PolicyService(db),
      rights: new RightsService(db, subjects, consent, signals),
      dataAudit: new DataAuditService(db),
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}

export interface RunningServer {
  services: Services;
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * Serves Candor. `unguarded` drops the permission layer: only for `npm run bench`, as the
 * baseline that shows what graphql-shield costs.
 */
export async function startServer(services: Services, options: { unguarded?: boolean } = {}): Promise<RunningServer> {
  const metrics = new Metrics();
  const schema = options.unguarded ? await buildBareSchema() : await buildServedSchema();
  const apollo = createApollo(services.config, schema, metrics);
  await apollo.start();
  const server = createHttpServer({ services, apollo, metrics });
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 30_000;
  await listen(server, services.config.port, services.config.host);
  if (!options.unguarded) services.dispatcher.start();
  const { port } = server.address() as AddressInfo;
  const host = services.config.host === "0.0.0.0" ? "localhost" : services.config.host;
  return {
    services,
    server,
    url: `http://${host}:${port}/graphql`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await apollo.stop();
      await services.dispatcher.stop();
      await services.db.close();
    },
  };
}
