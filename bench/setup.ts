import "reflect-metadata";
import { rmSync } from "node:fs";
import { SignJWT } from "jose";
import { createConnection } from "mysql2/promise";
import { createServices } from "../src/app/services";
import { loadConfig } from "../src/config";
import { loadDemoCatalogIfEmpty } from "../src/app/demo/demo";
import { DEMO_PERSON, recordDemoDecisions } from "../src/app/demo/demo-decisions";
import { seed } from "../src/cli/seed";

// Prepares the bench's database: a fresh one (a SQLite file, or a MariaDB database the bench
// creates), migrated, with the demo catalog and decisions, `pool` seeded people (the writes'
// people; BENCH_SEEDED keeps an already seeded database as it is), and the credentials the load
// sends: a subject token for the demo person and a service key with every scope.

export const BENCH_SECRET = "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

export interface Prepared {
  url: string;
  subjectToken: string;
  serviceKey: string;
  pool: number;
}

/** Drops and creates the MariaDB database named in `url` (never one the bench did not name). */
async function freshMariaDb(url: string): Promise<void> {
  const target = new URL(url.replace(/^mariadb:/, "mysql:"));
  const name = target.pathname.slice(1);
  if (!/^bench_[a-z0-9_]+$/.test(name)) throw new Error(`the bench creates only databases named bench_*, not ${name}`);
  target.pathname = "/";
  const connection = await createConnection({ uri: target.toString() });
  await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await connection.query(`CREATE DATABASE \`${name}\``);
  await connection.end();
}

export async function prepare(url: string, pool: number, keep: boolean): Promise<Prepared> {
  if (!keep) {
    if (url.startsWith("sqlite:"))
      for (const suffix of ["", "-wal", "-shm"]) rmSync(url.slice("sqlite:".length) + suffix, { force: true });
    else await freshMariaDb(url);
  }
  const config = loadConfig({
    NODE_ENV: "production",
    DATABASE_URL: url,
    CANDOR_JWT_SECRET: BENCH_SECRET,
    LOG_LEVEL: "silent",
  });
  const services = await createServices(config);
  try {
    await loadDemoCatalogIfEmpty(services);
    // A database seeded with `candor seed` has the catalog but not the demo person's decisions.
    if (!(await services.people.find(DEMO_PERSON))) await recordDemoDecisions(services);
    await seed(services.db, { people: pool, decisions: pool * 2 });
    const serviceKey = await services.apiKeys.createServiceKey(`bench-${Date.now()}`, [
      "consent:read",
      "consent:write",
      "decisions:write",
      "sharing:write",
    ]);
    const subjectToken = await new SignJWT({ role: "subject", jurisdiction: "US-CA" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(DEMO_PERSON)
      .setExpirationTime("2h")
      .sign(new TextEncoder().encode(BENCH_SECRET));
    return { url, subjectToken, serviceKey, pool };
  } finally {
    await services.db.close();
  }
}
