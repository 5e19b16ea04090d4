import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { freePort } from "../tests/helpers/ports";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { fairness } from "./fairness";
import { BENCH_SECRET, prepare, type Prepared } from "./setup";
import { scenarios } from "./scenarios";
import { describeMachine, table, type Row, type Sample } from "./report";

// `npm run bench`: Candor in a process of its own (production mode), beside it the reference
// server (bench/limit-server.ts: node:http and plain SQL, the floor), and the load from a third
// process (bench/load.ts, autocannon). Each scenario runs in rounds, Candor and the reference
// alternating, on SQLite and on MariaDB, and the report is a markdown table of req/s, p50/p99,
// SQL statements per request, each server's RSS and the ratio to the reference.
// `npm run bench:smoke` is the short version: SQLite, 1 s runs, one round, no warm-up — it checks
// that every scenario answers on both servers and reports the statement counts.

const env = process.env;
const smoke = env.BENCH_SMOKE === "1";
const SECONDS = Number(env.BENCH_DURATION ?? (smoke ? 1 : 10));
const ROUNDS = Number(env.BENCH_ROUNDS ?? (smoke ? 1 : 3));
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 10);
const SEEDED = env.BENCH_SEEDED === "1";
const POOL = Number(env.BENCH_PEOPLE ?? (SEEDED ? 1_000_000 : smoke ? 1000 : 10_000));
const ALL = ["widget", "widgets", "consents", "catalog", "checks", "record1", "record1000", "updateConsents"];
const SCENARIOS = (env.BENCH_SCENARIOS ?? (SEEDED ? "widget,widgets" : ALL.join(",")))
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);
const DATABASES = (env.BENCH_DB ?? (smoke ? "sqlite" : "sqlite,mariadb")).split(",").map((s) => s.trim());
const MARIADB_URL = env.BENCH_MARIADB_URL ?? "mariadb://root@127.0.0.1:3306/bench_candor";
const SQLITE_FILE = env.BENCH_SQLITE_FILE ?? join(tmpdir(), "candor-bench.sqlite");
/** dist: Candor from `npm run build` and the reference transpiled beside it; ts-node: both through ts-node. */
const RUNTIME = env.BENCH_RUNTIME ?? (smoke ? "ts-node" : "dist");
const OUT = env.BENCH_OUT ?? "bench-results.md";
const ROOT = join(__dirname, "..");

/** A node process running `script` (TypeScript through ts-node, or JavaScript). */
function node(script: string, args: string[], extra: Record<string, string>): ChildProcess {
  const pre = script.endsWith(".ts") ? ["-r", "ts-node/register/transpile-only"] : [];
  return spawn(process.execPath, [...pre, script, ...args], {
    cwd: ROOT,
    env: { ...(env as Record<string, string>), ...extra },
    stdio: ["pipe", "pipe", "inherit"],
  });
}

/** Builds Candor (dist/) and transpiles the reference server next to it, so neither runs a compiler. */
function build(): { candor: string; reference: string } {
  if (RUNTIME === "ts-node") return { candor: "src/main.ts", reference: "bench/limit-server.ts" };
  // BENCH_BUILD=0 reuses the last build (when only the bench's settings changed).
  if (env.BENCH_BUILD !== "0") {
    console.error("bench: building Candor (npm run build)…");
    execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
  }
  mkdirSync(join(ROOT, "dist/bench"), { recursive: true });
  for (const file of ["limit-server", "limit-catalog", "limit-db"]) {
    const source = readFileSync(join(ROOT, `bench/${file}.ts`), "utf8");
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    writeFileSync(join(ROOT, `dist/bench/${file}.js`), outputText);
  }
  return { candor: "dist/src/main.js", reference: "dist/bench/limit-server.js" };
}

async function post(url: string, body: object, token: string | null) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text(), statements: Number(res.headers.get("x-candor-sql-count")) };
}

async function startCandor(script: string, url: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = node(script, [], {
    NODE_ENV: "production",
    DATABASE_URL: url,
    HOST: "127.0.0.1",
    PORT: String(port),
    CANDOR_JWT_SECRET: BENCH_SECRET,
    CANDOR_EXPOSE_SQL_COUNT: "1",
    LOG_LEVEL: "warn",
    // The work itself is measured: no rate limits, no response cache (the fairness part has them).
    CANDOR_RATE_LIMIT_ANONYMOUS: "1000000000",
    CANDOR_RATE_LIMIT_SIGNED_IN: "1000000000",
    CANDOR_RESPONSE_CACHE_ENTRIES: "0",
  });
  child.stdout!.resume();
  const graphql = `http://127.0.0.1:${port}/graphql`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`Candor exited with ${child.exitCode}`);
    try {
      if ((await post(graphql, { query: "{ __typename }" }, null)).status === 200) return { child, url: graphql };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("Candor did not start within 2 minutes");
}

function startReference(script: string, url: string): Promise<{ child: ChildProcess; url: string }> {
  const child = node(script, [], { DATABASE_URL: url, CANDOR_JWT_SECRET: BENCH_SECRET, PORT: "0" });
  return new Promise((resolve, reject) => {
    child.stdout!.once("data", (line: Buffer) => resolve({ child, url: line.toString().trim() }));
    child.once("exit", (code) => reject(new Error(`the reference server exited with ${code}`)));
  });
}

const rssMb = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/);
  return line ? Number(line[1]) / 1024 : NaN;
};

function load(job: Record<string, unknown>): Promise<Sample & { calls: number }> {
  const child = node(join(ROOT, "bench/load.ts"), [JSON.stringify(job)], {});
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c));
  return new Promise((resolve, reject) =>
    child.once("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load exited ${code}`)))),
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function benchDatabase(db: string, scripts: { candor: string; reference: string }): Promise<Row[]> {
  const url = db === "sqlite" ? `sqlite:${SQLITE_FILE}` : MARIADB_URL;
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  console.error(`bench: preparing ${db} (${POOL} seeded people)…`);
  const prepared: Prepared = await prepare(url, POOL, SEEDED);
  console.error(`bench: ${db} prepared after ${elapsed()}; starting both servers`);
  const [candor, reference] = await Promise.all([
    startCandor(scripts.candor, url),
    startReference(scripts.reference, url),
  ]);
  console.error(`bench: ${db} servers up after ${elapsed()}`);
  const servers = { candor, reference } as const;
  const rows: Row[] = [];
  const context = { pool: prepared.pool, person: "demo-person-1" };
  try {
    for (const key of SCENARIOS) {
      const scenario = scenarios(context)[key];
      if (!scenario) throw new Error(`unknown scenario ${key}; known: ${ALL.join(", ")}`);
      const token =
        scenario.caller === "subject"
          ? prepared.subjectToken
          : scenario.caller === "service"
            ? prepared.serviceKey
            : null;
      // One call each first: it must succeed, and it says how many statements a request runs.
      let offset = 1;
      const probe = async (target: "candor" | "reference") => {
        const at = scenarios(context, offset)[key];
        const r =
          target === "candor"
            ? await post(servers.candor.url, at.candor(0), token)
            : await post(`${servers.reference.url}/${at.reference(0).route}`, at.reference(0).body, token);
        offset += 1;
        if (r.status !== 200 || /"errors"|"code"/.test(r.text))
          throw new Error(`${target} failed ${key}: ${r.status} ${r.text.slice(0, 400)}`);
        return r.statements;
      };
      const statements = { candor: await probe("candor"), reference: await probe("reference") };
      const samples: Record<"candor" | "reference", Sample[]> = { candor: [], reference: [] };
      const rss = { candor: 0, reference: 0 };
      const job = (target: "candor" | "reference", seconds: number) => ({
        url: servers[target].url,
        target,
        scenario: key,
        token,
        seconds,
        // 1,000 decisions a call: two calls in flight are load enough (ten would time out).
        connections: scenario.perRequest > 1 ? Math.min(CONNECTIONS, 2) : CONNECTIONS,
        pool: prepared.pool,
        person: context.person,
        offset,
      });
      // Warm both up (JIT, pools, caches) without measuring (the smoke run only checks that all works).
      if (!smoke)
        for (const target of ["candor", "reference"] as const) offset += (await load(job(target, 2))).calls + 1;
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate who goes first, so neither always runs on the warmer (or hotter) machine.
        const order: Array<"candor" | "reference"> =
          round % 2 === 0 ? ["candor", "reference"] : ["reference", "candor"];
        for (const target of order) {
          // A run must hold several calls even when one call is slow (1,000 decisions).
          const result = await load(job(target, scenario.perRequest > 1 && !smoke ? Math.max(SECONDS, 5) : SECONDS));
          offset += result.calls + 1;
          if (result.failures > 0 || result.non2xx > 0 || result.errors > 0)
            console.error(`bench: ${target} ${key}: ${result.failures} failed answers, e.g. ${result.sample}`);
          samples[target].push(result);
          rss[target] = Math.max(rss[target], rssMb(servers[target].child.pid!));
        }
      }
      const summary = (target: "candor" | "reference") => ({
        rps: median(samples[target].map((s) => s.rps)) * scenario.perRequest,
        p50: median(samples[target].map((s) => s.p50)),
        p99: median(samples[target].map((s) => s.p99)),
        statements: statements[target],
        rss: rss[target],
      });
      const row: Row = {
        db,
        scenario: scenario.name,
        perRequest: scenario.perRequest,
        candor: summary("candor"),
        reference: summary("reference"),
      };
      rows.push(row);
      console.error(`bench: ${db} ${key} done after ${elapsed()}: ${JSON.stringify(row)}`);
    }
  } finally {
    for (const { child } of [candor, reference]) {
      child.kill("SIGTERM");
      child.stdin!.end();
    }
  }
  return rows;
}

async function main(): Promise<void> {
  if (env.BENCH_FAIRNESS_ONLY === "1") return fairness();
  const scripts = build();
  const rows: Row[] = [];
  for (const db of DATABASES) rows.push(...(await benchDatabase(db, scripts)));
  const settings =
    `${SECONDS} s per run, ${ROUNDS} round(s) alternating Candor and the reference, ${CONNECTIONS} connections, ` +
    `${POOL} seeded people${SEEDED ? " (BENCH_SEEDED: the seeded database as it was)" : ""}, runtime ${RUNTIME}`;
  const report = `${describeMachine()}\n\n${settings}\n\n${table(rows)}\n`;
  writeFileSync(OUT, report);
  process.stdout.write(report);
  if (!smoke && !env.BENCH_SCENARIOS) await fairness();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
