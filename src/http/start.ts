import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { buildBareSchema, buildServedSchema } from "../app/schema";
import type { Services } from "../app/services";
import { listen } from "../app/startup";
import { createApollo } from "./apollo";
import { Metrics } from "./metrics";
import { RateLimits } from "./rate-limit";
import { createHttpServer } from "./server";
import { manifestPath, PersistedOperations } from "./persisted";

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
  // Locked to the manifest's operations, Candor does not start without a readable, valid manifest.
  const persisted = services.config.persistedOnly ? PersistedOperations.read(manifestPath(services.config)) : null;
  const metrics = new Metrics();
  const schema = options.unguarded ? await buildBareSchema() : await buildServedSchema();
  const apollo = createApollo(services.config, schema, metrics);
  await apollo.start();
  const limits = await RateLimits.connect(services.config, services.logger);
  const server = createHttpServer({ services, apollo, metrics, limits, persisted });
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 30_000;
  try {
    await listen(server, services.config.port, services.config.host);
  } catch (err) {
    await apollo.stop();
    await limits.close();
    throw err;
  }
  if (!options.unguarded) services.dispatcher.start();
  await services.catalogVersion.start();
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
      await limits.close();
      services.catalogVersion.stop();
      await services.dispatcher.stop();
      await services.db.close();
    },
  };
}
