import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";

// The bench's markdown: the machine it ran on, then one row per scenario and database.

export interface Sample {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  failures: number;
  sample: string;
}

interface Side {
  /** Requests per second, or decisions per second for recordDecisions. */
  rps: number;
  p50: number;
  p99: number;
  statements: number;
  rss: number;
}

export interface Row {
  db: string;
  scenario: string;
  perRequest: number;
  candor: Side;
  reference: Side;
}

function mariaDbVersion(): string {
  try {
    return execFileSync("mariadb", ["-uroot", "-N", "-e", "SELECT VERSION()"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

export function describeMachine(): string {
  const cpu = cpus();
  return [
    `Machine: ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM;`,
    `Node ${process.version}; MariaDB ${mariaDbVersion()}; ${new Date().toISOString().slice(0, 16)} UTC.`,
  ].join(" ");
}

const n = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
/** A run in which no request finished (each took longer than the run) has no rate: "none done". */
const rate = (x: number, unit: string) => (x > 0 ? `${n(x)}${unit}` : "none done");

export function table(rows: Row[]): string {
  const head =
    "| database | scenario | Candor req/s | reference req/s | ratio | Candor p50 / p99 ms | reference p50 / p99 ms | SQL/request Candor / ref. | RSS MB Candor / ref. |";
  const lines = rows.map((r) => {
    const unit = r.perRequest > 1 ? " decisions/s" : "";
    return (
      `| ${r.db} | ${r.scenario} | ${rate(r.candor.rps, unit)} | ${rate(r.reference.rps, unit)} | ` +
      `${r.reference.rps > 0 ? (r.candor.rps / r.reference.rps).toFixed(2) : "—"} | ${r.candor.p50} / ${r.candor.p99} | ` +
      `${r.reference.p50} / ${r.reference.p99} | ${r.candor.statements} / ${r.reference.statements} | ` +
      `${r.candor.rss.toFixed(0)} / ${r.reference.rss.toFixed(0)} |`
    );
  });
  return [head, "|---|---|---|---|---|---|---|---|---|", ...lines].join("\n");
}
