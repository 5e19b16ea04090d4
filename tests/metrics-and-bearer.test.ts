import { loadConfig, ConfigError } from "../src/config";
import { startTestServer, type TestServer } from "./helpers/server";

// Issue 12, defect 7: /metrics is served only to the holder of CANDOR_METRICS_TOKEN, and a bearer
// token outside the credential alphabet is refused before any lookup or signature check.

const VIEWER = "{ viewer { role } }";
const TOKEN = "metrics-token-abcdefghijklmnop";
const base = (t: TestServer) => t.url.replace(/\/graphql$/, "");

describe("/metrics behind CANDOR_METRICS_TOKEN", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ env: { CANDOR_METRICS_TOKEN: TOKEN } });
  });
  afterAll(() => t.close());

  it("answers the token's holder, and 401 to anyone else", async () => {
    await t.gql("query Probe { viewer { role } }");
    const ok = await fetch(`${base(t)}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/candor_graphql_requests_total\{operation="Probe",outcome="ok"\} 1/);
    for (const authorization of [undefined, "Bearer wrong-token-0123456789", `Bearer ${TOKEN}x`, `Basic ${TOKEN}`]) {
      const r = await fetch(`${base(t)}/metrics`, { headers: authorization ? { authorization } : {} });
      expect({ authorization, status: r.status }).toEqual({ authorization, status: 401 });
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await r.text()).not.toContain("candor_graphql");
    }
  });

  it("a too short or odd token stops Candor at start-up", () => {
    expect(() => loadConfig({ CANDOR_METRICS_TOKEN: "short" })).toThrow(ConfigError);
    expect(() => loadConfig({ CANDOR_METRICS_TOKEN: "has spaces inside it, sixteen+" })).toThrow(ConfigError);
  });
});

describe("/metrics without a token configured", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ demoCatalog: false });
  });
  afterAll(() => t.close());

  it("is not served at all", async () => {
    await t.gql("query Probe { viewer { role } }");
    for (const headers of [{}, { authorization: "Bearer anything-at-all-0123" }] as Array<Record<string, string>>) {
      const r = await fetch(`${base(t)}/metrics`, { headers });
      expect(r.status).toBe(404);
      expect(await r.text()).not.toContain("candor_graphql");
    }
  });

  it("bearer tokens outside base64url (with JWT dots, cnd_ keys) or with trailing Unicode space: UNAUTHENTICATED before any lookup", async () => {
    const key = await t.serviceKey(["consent:read"]);
    expect(key).toMatch(/^cnd_[A-Za-z0-9_-]{32}$/);
    const subject = await t.subjectToken("bearer-person");
    // The clean credentials work; a well-formed unknown key costs its one lookup.
    expect((await t.gql(VIEWER, {}, { token: key })).body.data?.viewer.role).toBe("SERVICE");
    expect((await t.gql(VIEWER, {}, { token: subject })).body.data?.viewer.role).toBe("SUBJECT");
    const unknown = await t.gql(VIEWER, {}, { token: "cnd_" + "A".repeat(32) });
    expect(unknown.status).toBe(401);
    expect(unknown.sqlCount).toBe(1);
    for (const authorization of [
      `Bearer ${key}\u00a0`,
      `Bearer ${key}\u0085`,
      `Bearer ${subject}\u00a0`,
      `Bearer ${key.slice(0, -1)}+`,
      `Bearer ${key.slice(0, -1)}/`,
      `Bearer ${key}=`,
      `Bearer ${key.slice(0, 10)}\u00e9${key.slice(11)}`,
      `Bearer ${subject.replace(".", "%2E")}`,
      `Bearer ${key};`,
      `Bearer\u00a0${key}`,
    ]) {
      const r = await t.gql(VIEWER, {}, { headers: { authorization } });
      expect({ authorization, status: r.status, code: r.body.errors?.[0]?.extensions?.code, sql: r.sqlCount }).toEqual({
        authorization,
        status: 401,
        code: "UNAUTHENTICATED",
        sql: 0,
      });
      expect(r.body.data ?? null).toBeNull();
    }
  });
});
