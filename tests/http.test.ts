import pino from "pino";
import { applyFixture, startTestServer, type TestServer } from "./helpers/server";

const post = (t: TestServer, body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
  fetch(t.url, { method: "POST", headers, body });
const METRICS_TOKEN = "metrics-token-0123456789";
const base = (t: TestServer) => t.url.replace(/\/graphql$/, "");

describe("HTTP: health checks, limits and error answers every client meets", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ demoCatalog: false, env: { CANDOR_METRICS_TOKEN: METRICS_TOKEN } });
    await applyFixture(t, "small.yaml");
  });
  afterAll(() => t.close());

  it("answers liveness and readiness (database reachable, migrations current)", async () => {
    const live = await fetch(`${base(t)}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${base(t)}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ok", database: "ok", migrations: "current" });
  });

  it("publishes /.well-known/gpc.json", async () => {
    const r = await fetch(`${base(t)}/.well-known/gpc.json`);
    expect(r.status).toBe(200);
    expect(((await r.json()) as any).gpc).toBe(true);
  });

  it("exports request counts and latency by operation name on /metrics", async () => {
    await t.gql("query CatalogScreen { purposes { key } }");
    const text = await (
      await fetch(`${base(t)}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    expect(text).toMatch(/candor_graphql_requests_total\{operation="CatalogScreen",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/candor_graphql_request_duration_seconds_count\{operation="CatalogScreen"\} [1-9]/);
  });

  it("answers a malformed body with 400 per GraphQL over HTTP", async () => {
    const r = await post(t, '{"query": "{ viewer { role } }"');
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).errors[0].extensions.code).toBe("BAD_REQUEST");
    const missing = await post(t, JSON.stringify({ variables: {} }));
    expect(missing.status).toBe(400);
  });

  it("answers a malformed request path with 400, not 500", async () => {
    const r = await fetch(t.url.replace("/graphql", "//"));
    expect(r.status).toBe(400);
  });

  it("refuses a body over the limit with 413", async () => {
    const r = await post(t, JSON.stringify({ query: `{ viewer { role } } # ${"x".repeat(1_100_000)}` }));
    expect(r.status).toBe(413);
    expect(((await r.json()) as any).errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("blocks a simple GET without a preflight header (CSRF prevention), allows it with one", async () => {
    const blocked = await fetch(`${t.url}?query=${encodeURIComponent("{ viewer { role } }")}`);
    expect(blocked.status).toBe(400);
    const allowed = await fetch(`${t.url}?query=${encodeURIComponent("{ viewer { role } }")}`, {
      headers: { "apollo-require-preflight": "true" },
    });
    expect(allowed.status).toBe(200);
  });

  it("refuses queries over the depth, alias and token limits, and keeps serving", async () => {
    // partners → agreements → partner → agreements …: 16 levels, over the limit of 12.
    const levels = Array.from({ length: 15 }, (_, i) => (i === 0 ? "partners" : i % 2 ? "agreements" : "partner"));
    const deep = `{ ${levels.join(" { ")} { key ${"} ".repeat(levels.length)}}`;
    const tooDeep = await t.gql(deep);
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(tooDeep.body.errors?.[0]?.message).toMatch(/depth/i);

    const aliases = `{ ${Array.from({ length: 25 }, (_, i) => `a${i}: viewer { role }`).join(" ")} }`;
    const tooMany = await t.gql(aliases);
    expect(tooMany.body.errors?.[0]?.message).toMatch(/alias/i);

    const tokens = `{ ${Array.from({ length: 700 }, () => "viewer { role scopes }").join(" ")} }`;
    const tooLong = await t.gql(tokens);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors?.[0]?.message).toMatch(/2000 tokens/i);

    const broken = await t.gql("{ viewer { role }");
    expect(broken.status).toBe(400);
    expect(broken.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");

    const fine = await t.gql("{ viewer { role } }");
    expect(fine.body.data?.viewer.role).toBe("ANONYMOUS");
  });

  it("puts no stack trace in any error response", async () => {
    const responses = [
      await t.gql("{ nope }"),
      await t.gql("{ privacyPolicy(version: -1) { version } }"),
      await t.gql('{ sharingDisclosures(partner: "no-such-partner") { key } }'),
      await t.gql("{ viewer { role } }", {}, { token: "garbage" }),
    ];
    for (const r of responses) {
      expect(r.body.errors?.length).toBeGreaterThan(0);
      expect(JSON.stringify(r.body)).not.toMatch(/stacktrace|at .*\.ts:\d+|node_modules/);
    }
  });

  // CORS (which origins, preflights, Vary): tests/cors.test.ts.
});

describe("HTTP: internal errors", () => {
  let t: TestServer;
  const logged: Array<{ msg: string; requestId?: string }> = [];
  beforeAll(async () => {
    // Development mode: Apollo would include stack traces here unless told not to.
    const logger = pino({ level: "info" }, { write: (line: string) => logged.push(JSON.parse(line)) });
    t = await startTestServer({ demoCatalog: false, env: { NODE_ENV: "development" }, logger });
    await applyFixture(t, "small.yaml");
  });
  afterAll(() => t.close());

  it("are logged for operators; a caller's mistakes (refused, not found) are answered, not logged as faults", async () => {
    const token = await t.subjectToken("logged-person");
    const refused = await t.gql(
      `mutation { submitDataRequest(input: { kind: ACCESS, subjectExternalId: "someone-else" }) { userErrors { code } } }`,
      {},
      { token },
    );
    expect(refused.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const missing = await t.gql(`{ sharingDisclosures(partner: "no-such-partner") { key } }`);
    expect(missing.body.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(logged.filter((l) => l.msg === "internal error")).toEqual([]);

    // A table the request reads (the catalog is served from memory, so not a catalog table).
    await t.services.db.writer.query("ALTER TABLE data_request RENAME TO data_request_gone");
    try {
      const fault = await t.gql("{ privacyPolicy { requestMetrics(year: 2025) { kind received } } }");
      const faults = logged.filter((l) => l.msg === "internal error");
      expect(faults).toHaveLength(1);
      expect(faults[0].requestId).toBe(fault.headers.get("x-request-id"));
    } finally {
      await t.services.db.writer.query("ALTER TABLE data_request_gone RENAME TO data_request");
    }
  });

  it("are masked: no message detail, no SQL, no stack; the request id lets operators find the log", async () => {
    // Break the database under the running server: a real fault, not a client mistake.
    await t.services.db.writer.query("ALTER TABLE data_request RENAME TO data_request_gone");
    try {
      const r = await t.gql("{ privacyPolicy { requestMetrics(year: 2025) { kind received } } }");
      expect(r.status).toBe(200);
      expect(r.body.errors?.[0]).toEqual({
        message: "Internal server error",
        path: ["privacyPolicy", "requestMetrics"],
        locations: [{ line: 1, column: 19 }],
        extensions: { code: "INTERNAL_SERVER_ERROR" },
      });
      expect(r.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      const validation = await t.gql("{ nope }");
      expect(JSON.stringify(validation.body)).not.toContain("stacktrace");
    } finally {
      await t.services.db.writer.query("ALTER TABLE data_request_gone RENAME TO data_request");
    }
  });
});

describe("HTTP in production", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ demoCatalog: false, env: { NODE_ENV: "production", LOG_LEVEL: "silent" } });
  });
  afterAll(() => t.close());

  it("turns introspection off and suggests no field names", async () => {
    const r = await t.gql("{ __schema { types { name } } }");
    expect(r.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const typo = await t.gql("{ purpose { key } }");
    expect(typo.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
    expect(JSON.stringify(typo.body)).not.toContain("stacktrace");
  });
});
