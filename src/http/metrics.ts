import { createHash, timingSafeEqual } from "node:crypto";
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

const MAX_OPERATION_NAMES = 200;

/** Prometheus metrics: GraphQL requests and latency by operation name, plus process defaults. */
export class Metrics {
  readonly registry = new Registry();
  private readonly names = new Set<string>();
  readonly requests = new Counter({
    name: "candor_graphql_requests_total",
    help: "GraphQL requests by operation name and outcome",
    labelNames: ["operation", "outcome"] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: "candor_graphql_request_duration_seconds",
    help: "GraphQL request latency by operation name",
    labelNames: ["operation"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly http = new Counter({
    name: "candor_http_responses_total",
    help: "HTTP responses by route and status",
    labelNames: ["route", "status"] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Client-chosen names are bounded: odd or too many distinct names count as "other". */
  operationLabel(name: string | null | undefined): string {
    if (!name) return "anonymous";
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return "other";
    if (this.names.has(name)) return name;
    if (this.names.size >= MAX_OPERATION_NAMES) return "other";
    this.names.add(name);
    return name;
  }
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * Who may read /metrics (operation names and counts tell a stranger what clients do): only a
 * caller with `Authorization: Bearer <CANDOR_METRICS_TOKEN>`; without a token configured, nobody.
 */
export function metricsAccess(token: string | null, authorization: string | undefined): "ok" | "unauthorized" | "off" {
  if (token === null) return "off";
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "");
  // Equal-length digests: the comparison takes the same time whatever the guess.
  return match && timingSafeEqual(digest(match[1]), digest(token)) ? "ok" : "unauthorized";
}
