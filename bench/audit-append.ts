import "reflect-metadata";
import { openDatabase } from "../src/app/entities";
import { appendAudit } from "../src/kernel/audit/audit-log";
import { resetDatabase } from "../tests/helpers/database";

// The audit append alone, without HTTP or GraphQL (so it needs little CPU on a busy machine):
// CALLERS loops, each committing transactions that append one entry about a person of its own,
// on MariaDB. v1 queued every such transaction on one head row; lanes do not.
//   BENCH_DATABASE_URL=mariadb://root@127.0.0.1:3306/bench npx ts-node --transpile-only bench/audit-append.ts

const URL = process.env.BENCH_DATABASE_URL ?? "mariadb://root@127.0.0.1:3306/bench_lanes";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CALLERS = Number(process.env.BENCH_CALLERS ?? 10);

async function main(): Promise<void> {
  await resetDatabase(URL);
  const db = await openDatabase(URL);
  try {
    await db.migrate();
    let commits = 0;
    const until = Date.now() + SECONDS * 1000;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CALLERS }, async (_, c) => {
        for (let i = 0; Date.now() < until; i++) {
          await db.transaction((m) =>
            appendAudit(m, [
              { actor: "bench", action: "bench.append", entityType: "Subject", entityId: `person-${c}`, detail: { i } },
            ]),
          );
          commits += 1;
        }
      }),
    );
    const elapsed = (Date.now() - started) / 1000;
    console.log(
      JSON.stringify({ callers: CALLERS, seconds: elapsed, commitsPerSecond: Math.round(commits / elapsed) }),
    );
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
