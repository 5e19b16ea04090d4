import "reflect-metadata";
import pino from "pino";
import { createServices } from "./app/services";
import { startServer } from "./http/start";
import { ConfigError, loadConfig } from "./config";
import { createDemoCredentials, loadDemoCatalogIfEmpty } from "./app/demo/demo";
import { recordDemoDecisions } from "./app/demo/demo-decisions";
import { startupProblem } from "./app/startup";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Candor cannot start: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const logger = pino({ level: config.logLevel });
  const services = await createServices(config, logger);
  if (config.loadDemoCatalog && (await loadDemoCatalogIfEmpty(services))) {
    // Asked for in production, the demo catalog comes alone: no demo person, no demo decisions.
    if (config.nodeEnv === "production") {
      logger.info("loaded catalog/demo.yaml into the empty database (production: no demo people or decisions)");
    } else {
      const decisions = await recordDemoDecisions(services);
      logger.info({ decisions }, "loaded catalog/demo.yaml and demo decisions into the empty database");
    }
  }
  const running = await startServer(services);
  logger.info({ url: running.url, database: services.db.dialect }, "Candor is serving");

  if (config.nodeEnv !== "production") {
    const demo = await createDemoCredentials(services);
    if (demo) {
      console.log(`
Candor is serving ${running.url}  (database: ${services.db.dialect})

Demo credentials (send as  Authorization: Bearer <credential>):
  subject  (demo-person-1, US-CA)  ${demo.subjectToken}
  service  (all scopes)            ${demo.serviceKey}
  partner  ${demo.partnerKey ? `(${demo.partner})`.padEnd(24) + demo.partnerKey : "(none: the catalog has no partner yet)"}
  admin                            ${demo.adminToken}

Try:  curl -s ${running.url} -H 'content-type: application/json' \\
        -d '{"query":"{ viewer { role } purposes { key name defaultMode } }"}'
`);
    }
  }

  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down");
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((err) => {
  // Problems with a known remedy are one line that says it; anything else keeps its message.
  const problem = startupProblem(err);
  if (problem !== null) console.error(`Candor cannot start: ${problem}`);
  else console.error("Candor failed to start:", err instanceof Error ? err.message : err);
  process.exit(1);
});
