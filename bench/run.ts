import "reflect-metadata";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { SignJWT } from "jose";
import { createServices } from "../src/app/services";
import { startServer, type RunningServer } from "../src/http/start";
import { loadConfig } from "../src/config";
import { loadDemoCatalogIfEmpty } from "../src/app/demo/demo";
import { DEMO_PERSON, recordDemoDecisions } from "../src/app/demo/demo-decisions";
import { fairness } from "./fairness";

// `npm run bench`: autocannon against the real server, each scenario side by side with a baseline
// in the same run, reported as ratios. The baseline is the same server without graphql-shield,
// so the ratio is what the permission layer costs; `{ __typename }` shows the HTTP floor.

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SECRET = "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

const SCENARIOS: Array<{ name: string; query: string; as?: "subject" }> = [
  { name: "HTTP floor: { __typename }", query: "{ __typename }" },
  {
    name: "catalog page (wide, anonymous)",
    query:
      "{ purposes { key name description benefit dataCategories { key name } } partners { key name agreements { key reason purpose { key } dataCategories { key } } } }",
  },
  {
    name: "consent screen (subject)",
    query: "{ me { consents { purpose { key name description benefit } status source } } }",
    as: "subject",
  },
  {
    name: "why-am-I-seeing widgets x5 (subject)",
    query:
      "{ me { decisions(first: 5) { edges { node { itemLabel factors { share purpose { key } controls { kind active } } explanation { headline factors { text } } } } } } }",
    as: "subject",
  },
];

async function measure(url: string, query: string, token?: string, seconds = SECONDS): Promise<number> {
  const result = await autocannon({
    url,
    method: "POST",
    connections: CONNECTIONS,
    duration: seconds,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors for ${query}`);
  return result.requests.average;
}

async function main(): Promise<void> {
  const file = join(tmpdir(), `candor-bench-${process.pid}.sqlite`);
  const url = process.env.BENCH_DATABASE_URL ?? `sqlite:${file}`;
  const config = loadConfig({
    NODE_ENV: "production",
    DATABASE_URL: url,
    PORT: "0",
    HOST: "127.0.0.1",
    CANDOR_JWT_SECRET: SECRET,
    LOG_LEVEL: "silent",
    // These scenarios measure the permission layer: no rate limit, no response cache (the
    // fairness scenario below runs with them).
    CANDOR_RATE_LIMIT_ANONYMOUS: "1000000000",
    CANDOR_RATE_LIMIT_SIGNED_IN: "1000000000",
    CANDOR_RESPONSE_CACHE_ENTRIES: "0",
  });
  const services = await createServices(config);
  await loadDemoCatalogIfEmpty(services);
  await recordDemoDecisions(services);
  const token = await new SignJWT({ role: "subject", jurisdiction: "US-CA" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(DEMO_PERSON)
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(SECRET));
  const guarded: RunningServer = await startServer(services);
  const bare: RunningServer = await startServer({ ...services, config: { ...config } }, { unguarded: true });
  console.log(`Candor bench: ${SECONDS}s per run, ${CONNECTIONS} connections, ${services.db.dialect}\n`);
  console.log("scenario".padEnd(42), "baseline req/s".padStart(15), "candor req/s".padStart(14), "ratio".padStart(7));
  try {
    for (const s of process.env.BENCH_FAIRNESS_ONLY ? [] : SCENARIOS) {
      const t = s.as === "subject" ? token : undefined;
      // Warm both up (JIT, caches), then measure each once.
      await measure(bare.url, s.query, t, 1);
      await measure(guarded.url, s.query, t, 1);
      const base = await measure(bare.url, s.query, t);
      const real = await measure(guarded.url, s.query, t);
      console.log(
        s.name.padEnd(42),
        base.toFixed(0).padStart(15),
        real.toFixed(0).padStart(14),
        (real / base).toFixed(2).padStart(7),
      );
    }
    await fairness(token, SECRET);
  } finally {
    await bare.server.close();
    await guarded.close();
    rmSync(file, { force: true });
    for (const suffix of ["-wal", "-shm"]) rmSync(file + suffix, { force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
