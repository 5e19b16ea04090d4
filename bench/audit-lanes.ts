import "reflect-metadata";
import { createServices } from "../src/app/services";
import { startServer } from "../src/http/start";
import { loadConfig } from "../src/config";
import { loadDemoCatalogIfEmpty } from "../src/app/demo/demo";
// The test suite's own decision and database reset: the bench records what the tests do.
import { resetDatabase } from "../tests/helpers/database";
import { recommendation, visitFactor } from "../tests/helpers/decisions";

// How fast single-decision writes go when many callers write at once: CALLERS loops, each posting
// recordDecisions with one decision per call, for people of its own (PEOPLE each, so every
// caller writes about different people). On MariaDB this is what the audit lanes are for: v1
// queued every writer on one audit head row. Usage (wipes every table of that database):
//   BENCH_DATABASE_URL=mariadb://root@127.0.0.1:3306/bench npx ts-node --transpile-only bench/audit-lanes.ts

const URL = process.env.BENCH_DATABASE_URL ?? "mariadb://root@127.0.0.1:3306/bench_lanes";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CALLERS = Number(process.env.BENCH_CALLERS ?? 10);
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 20);

const RECORD = `mutation($input: RecordDecisionsInput!) { recordDecisions(input: $input) { results { decision { id } userErrors { code } } userErrors { code } } }`;

async function main(): Promise<void> {
  await resetDatabase(URL);
  const config = loadConfig({
    NODE_ENV: "production",
    DATABASE_URL: URL,
    PORT: "0",
    HOST: "127.0.0.1",
    CANDOR_JWT_SECRET: "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    CANDOR_DEFAULT_JURISDICTION: "US-CA",
    LOG_LEVEL: "silent",
    CANDOR_RATE_LIMIT_SIGNED_IN: "1000000000",
  });
  const services = await createServices(config);
  await loadDemoCatalogIfEmpty(services);
  const key = await services.apiKeys.createServiceKey("bench", ["decisions:write"]);
  const running = await startServer(services);
  const post = async (person: string) => {
    const r = await fetch(running.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({
        query: RECORD,
        variables: { input: { decisions: [recommendation(person, { factors: [visitFactor()] })] } },
      }),
    });
    const body = (await r.json()) as { data?: { recordDecisions: { results: Array<{ decision: unknown }> } } };
    if (!body.data?.recordDecisions.results[0].decision) throw new Error(JSON.stringify(body));
  };
  try {
    // Everyone seen once first: the measured calls record decisions, not first sights.
    for (let c = 0; c < CALLERS; c++)
      await Promise.all(Array.from({ length: PEOPLE }, (_, p) => post(`bench-${c}-${p}`)));
    let calls = 0;
    const until = Date.now() + SECONDS * 1000;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CALLERS }, async (_, c) => {
        for (let i = 0; Date.now() < until; i++) {
          await post(`bench-${c}-${i % PEOPLE}`);
          calls += 1;
        }
      }),
    );
    const elapsed = (Date.now() - started) / 1000;
    const audit = await services.auditReader.verify();
    console.log(
      JSON.stringify({
        dialect: services.db.dialect,
        callers: CALLERS,
        seconds: elapsed,
        decisionsPerSecond: Math.round(calls / elapsed),
        auditValid: audit.valid,
        auditEntries: audit.checkedEntries,
      }),
    );
  } finally {
    await running.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
