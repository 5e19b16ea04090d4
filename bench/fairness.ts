import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { parse } from "graphql";
import { SignJWT } from "jose";
import { buildServedSchema } from "../src/app/schema";
import { DEMO_PERSON } from "../src/app/demo/demo-decisions";
import { MAX_QUERY_COST, queryCost } from "../src/http/query-cost";

// The fairness scenario of `npm run bench` (issue 12): under a 16-connection flood of the
// heaviest anonymous query the limits accept, a normal signed-in query's p95 must stay within 5x
// its unloaded p95. Three processes, so no client shares the server's event loop: Candor
// (bench/serve.ts), the flood (bench/flood.ts, autocannon) and this one, which probes one request at a time.

const FLOOD_CONNECTIONS = 16;
const PROBES = Number(process.env.BENCH_PROBES ?? 300);
const PROBE_SECONDS = 30;
const NORMAL = "{ me { consents { purpose { key name description benefit } status source } } }";

/** Anonymous catalog queries an attacker could send; the heaviest the cost limit accepts is the flood. */
const practices =
  "privacyPolicy { version dataPractices { retentionDays dataCategory { key name description } purposes { key name description benefit } recipients { key name role country agreements { key reason retentionDays isSale } } } }";
const CANDIDATES = [
  practices,
  "purposes { key name description benefit legalBasis dataCategories { key name sensitive retentionDays } } partners { key name role country website agreements { key reason isSale isSharingForAdvertising safeguards retentionDays purpose { key name } dataCategories { key name } } }",
  ...[8, 12, 16, 20].map((n) =>
    Array.from(
      { length: n },
      (_, i) => `a${i}: purposes { key name description benefit dataCategories { key name } }`,
    ).join(" "),
  ),
].map((body) => `{ ${body} }`);

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function post(url: string, query: string, token?: string): Promise<{ status: number; bytes: number; ms: number }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        let bytes = 0;
        res.on("data", (c: Buffer) => (bytes += c.length));
        res.on("end", () =>
          resolve({ status: res.statusCode!, bytes, ms: Number(process.hrtime.bigint() - started) / 1e6 }),
        );
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify({ query }));
  });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/** `count` signed-in requests one after another, or as many as fit in PROBE_SECONDS. */
async function probe(url: string, token: string, count: number): Promise<{ p50: number; p95: number; n: number }> {
  const times: number[] = [];
  const deadline = Date.now() + PROBE_SECONDS * 1000;
  for (let i = 0; i < count && Date.now() < deadline; i++) {
    const r = await post(url, NORMAL, token);
    if (r.status !== 200) throw new Error(`the signed-in probe got HTTP ${r.status}`);
    times.push(r.ms);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), n: times.length };
}

function tsNode(script: string, args: string[], env: Record<string, string>): ChildProcess {
  const bin = require.resolve("ts-node/dist/bin");
  return spawn(process.execPath, [bin, "--transpile-only", join(__dirname, script), ...args], {
    env,
    stdio: ["pipe", "pipe", "inherit"],
  });
}

function startCandor(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = tsNode("serve.ts", [], { ...(process.env as Record<string, string>), ...env });
  return new Promise((resolve, reject) => {
    child.stdout!.once("data", (line: Buffer) => resolve({ child, url: line.toString().trim() }));
    child.once("exit", (code) => reject(new Error(`Candor exited with ${code}`)));
  });
}

/** Floods from a process of its own (bench/flood.ts) until stopped; then its answer counts. */
function flood(url: string, query: string): { stop(): Promise<Record<string, number>> } {
  const child = tsNode("flood.ts", [url, String(FLOOD_CONNECTIONS), query], process.env as Record<string, string>);
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c));
  const done = new Promise<Record<string, number>>((resolve) => child.on("exit", () => resolve(JSON.parse(out))));
  return {
    stop() {
      child.stdin!.end();
      return done;
    },
  };
}

export async function fairness(): Promise<void> {
  const secret = "bench-fairness-secret-0123456789-abcdefghijklmnop";
  const token = await new SignJWT({ role: "subject", jurisdiction: "US-CA" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(DEMO_PERSON)
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(secret));
  const schema = await buildServedSchema();
  const accepted = CANDIDATES.filter((q) => queryCost(schema, parse(q)) <= MAX_QUERY_COST);
  const settings: Array<[string, Record<string, string>]> = [
    ["defaults (rate limits + response cache)", {}],
    ["rate limits, no cache (as for queries varied to miss it)", { CANDOR_RESPONSE_CACHE_ENTRIES: "0" }],
    [
      "cost limit alone (no rate limits, no cache)",
      {
        CANDOR_RATE_LIMIT_ANONYMOUS: "1000000000",
        CANDOR_RATE_LIMIT_SIGNED_IN: "1000000000",
        CANDOR_RESPONSE_CACHE_ENTRIES: "0",
      },
    ],
  ];
  console.log(
    `\nFairness: a signed-in consent screen, ${PROBES} probes, alone and under a ${FLOOD_CONNECTIONS}-connection anonymous flood`,
  );
  for (const [name, env] of settings) {
    const { child, url } = await startCandor({ CANDOR_JWT_SECRET: secret, ...env });
    try {
      // The heaviest accepted query: the largest answer among the candidates the cost limit lets through.
      let heaviest = { query: accepted[0], bytes: 0, cost: 0 };
      for (const query of accepted) {
        const r = await post(url, query);
        if (r.bytes > heaviest.bytes) heaviest = { query, bytes: r.bytes, cost: queryCost(schema, parse(query)) };
      }
      await probe(url, token, 50);
      const alone = await probe(url, token, PROBES);
      const flooding = flood(url, heaviest.query);
      // Let the flood start (ts-node) and fill the server's queue.
      await new Promise((resolve) => setTimeout(resolve, 6000));
      const loaded = await probe(url, token, PROBES);
      const floodStats = await flooding.stop();
      console.log(
        `- ${name}: ${loaded.n} probes under load; flood query cost ${heaviest.cost}, ${heaviest.bytes} bytes; flood answers ${JSON.stringify(floodStats)}`,
      );
      console.log(
        `  p50 ${alone.p50.toFixed(2)} ms -> ${loaded.p50.toFixed(2)} ms; p95 ${alone.p95.toFixed(2)} ms -> ${loaded.p95.toFixed(2)} ms: ` +
          `${(loaded.p95 / alone.p95).toFixed(2)}x (target <= 5x: ${loaded.p95 <= 5 * alone.p95 ? "met" : "NOT met"})`,
      );
    } finally {
      child.stdin!.end();
      await new Promise((resolve) => child.once("exit", resolve));
    }
  }
  agent.destroy();
}
