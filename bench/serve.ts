import "reflect-metadata";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServices } from "../src/app/services";
import { startServer } from "../src/http/start";
import { loadConfig } from "../src/config";
import { loadDemoCatalogIfEmpty } from "../src/app/demo/demo";
import { recordDemoDecisions } from "../src/app/demo/demo-decisions";

// A Candor process for the fairness bench (bench/fairness.ts): production settings, a throwaway
// SQLite database with the demo catalog and decisions. Extra environment (limits, cache) passes
// through. Prints its GraphQL URL on one line, then serves until its parent closes stdin.

async function main(): Promise<void> {
  const file = join(tmpdir(), `candor-bench-fair-${process.pid}.sqlite`);
  const config = loadConfig({
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: `sqlite:${file}`,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
  });
  const services = await createServices(config);
  await loadDemoCatalogIfEmpty(services);
  await recordDemoDecisions(services);
  const running = await startServer(services);
  process.stdout.write(`${running.url}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => {
    void running.close().then(() => {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
      process.exit(0);
    });
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
