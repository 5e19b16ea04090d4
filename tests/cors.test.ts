import { ConfigError, loadConfig } from "../src/config";
import { CORS_MAX_AGE_SECONDS } from "../src/http/cors";
import { startTestServer, TEST_JWT_SECRET, type TestServer } from "./helpers/server";

// CORS through the real server: which origins may read Candor's answers from a browser page.

const QUERY = JSON.stringify({ query: "{ purposes { key } }" });
const post = (t: TestServer, origin?: string) =>
  fetch(t.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(origin ? { origin } : {}) },
    body: QUERY,
  });
const preflight = (url: string, origin: string) =>
  fetch(url, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type, x-apollo-operation-name",
    },
  });
const varies = (r: Response) => (r.headers.get("vary") ?? "").split(/\s*,\s*/);

describe("CORS by default outside production: any local origin, nothing else", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ env: { CANDOR_RESPONSE_CACHE_ENTRIES: "100" } });
  });
  afterAll(() => t.close());

  it.each(["http://localhost:5173", "http://127.0.0.1:8080", "https://localhost", "http://[::1]:3000"])(
    "lets %s read an answer, by name, with x-request-id exposed",
    async (origin) => {
      const r = await post(t, origin);
      expect(r.status).toBe(200);
      expect(r.headers.get("access-control-allow-origin")).toBe(origin);
      expect(r.headers.get("access-control-expose-headers")).toMatch(/\bx-request-id\b/);
      expect(r.headers.get("access-control-allow-credentials")).toBeNull();
      expect(varies(r)).toEqual(expect.arrayContaining(["Origin", "Authorization"]));
    },
  );

  it.each(["https://evil.example", "http://localhost.evil.example", "null", "http://localhost:5173.evil.example"])(
    "gives %s no Access-Control-Allow-Origin (the browser withholds the answer)",
    async (origin) => {
      const r = await post(t, origin);
      expect(r.headers.get("access-control-allow-origin")).toBeNull();
      expect(r.headers.get("access-control-expose-headers")).toBeNull();
      expect(varies(r)).toContain("Origin");
    },
  );

  it("sends no CORS header without an Origin (same-origin pages, curl, servers)", async () => {
    const r = await post(t);
    expect(r.status).toBe(200);
    expect(r.headers.get("access-control-allow-origin")).toBeNull();
    expect(varies(r)).toContain("Origin");
  });

  it("answers a preflight from an allowed origin: methods, headers, and two hours to keep it", async () => {
    const r = await preflight(t.url, "http://localhost:5173");
    expect(r.status).toBe(204);
    expect(r.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(r.headers.get("access-control-allow-methods")).toMatch(/\bPOST\b/);
    const allowed = r.headers.get("access-control-allow-headers")!.split(/\s*,\s*/);
    expect(allowed).toEqual(
      expect.arrayContaining([
        "authorization",
        "content-type",
        "apollo-require-preflight",
        "x-apollo-operation-name",
        "sec-gpc",
      ]),
    );
    expect(r.headers.get("access-control-max-age")).toBe(String(CORS_MAX_AGE_SECONDS));
    expect(varies(r)).toContain("Origin");
  });

  it("answers a preflight from another origin with no Access-Control-Allow-* header", async () => {
    const r = await preflight(t.url, "https://evil.example");
    expect(r.status).toBe(204);
    for (const name of ["origin", "methods", "headers"])
      expect(r.headers.get(`access-control-allow-${name}`)).toBeNull();
  });

  it("never hands a cached answer's CORS headers to another origin", async () => {
    const first = await post(t, "http://localhost:5173");
    const cached = await post(t, "https://evil.example");
    expect(cached.headers.get("x-candor-sql-count")).toBe("0");
    expect(await cached.text()).toBe(await first.text());
    expect(cached.headers.get("access-control-allow-origin")).toBeNull();
    const again = await post(t, "http://localhost:4000");
    expect(again.headers.get("access-control-allow-origin")).toBe("http://localhost:4000");
  });

  it("puts the same headers on refusals and other routes, so a page can read why", async () => {
    const refused = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://localhost:5173" },
      body: "{",
    });
    expect(refused.status).toBe(400);
    expect(refused.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    const missing = await fetch(t.url.replace("/graphql", "/nowhere"), {
      headers: { origin: "http://localhost:5173" },
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
  });
});

describe("CANDOR_CORS_ORIGINS names the origins", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ env: { CANDOR_CORS_ORIGINS: "https://shop.example, https://Help.Example:8443/" } });
  });
  afterAll(() => t.close());

  it("lets the listed origins read answers and no other, local ones included", async () => {
    expect((await post(t, "https://shop.example")).headers.get("access-control-allow-origin")).toBe(
      "https://shop.example",
    );
    expect((await post(t, "https://help.example:8443")).headers.get("access-control-allow-origin")).toBe(
      "https://help.example:8443",
    );
    for (const origin of ["http://shop.example", "https://shop.example:8443", "http://localhost:5173"]) {
      expect((await post(t, origin)).headers.get("access-control-allow-origin")).toBeNull();
    }
    expect((await preflight(t.url, "http://localhost:5173")).headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("CORS configuration", () => {
  const env = (nodeEnv: string, origins?: string) =>
    loadConfig({
      NODE_ENV: nodeEnv,
      CANDOR_JWT_SECRET: TEST_JWT_SECRET,
      ...(origins === undefined ? {} : { CANDOR_CORS_ORIGINS: origins }),
    });

  it("allows no cross-origin page in production unless told, any local one in development", () => {
    expect(env("production")).toMatchObject({ corsOrigins: [], corsLocalhost: false });
    expect(env("development")).toMatchObject({ corsOrigins: [], corsLocalhost: true });
  });

  it("keeps origins as browsers send them, and `localhost` for any local origin", () => {
    expect(env("production", "https://Shop.Example/,localhost, https://shop.example")).toMatchObject({
      corsOrigins: ["https://shop.example"],
      corsLocalhost: true,
    });
    expect(env("development", "https://shop.example")).toMatchObject({ corsLocalhost: false });
  });

  it.each(["*", "shop.example", "https://shop.example/app", "ftp://shop.example", "https://shop.example?x=1"])(
    "refuses %s with a message at start-up",
    (origins) => {
      expect(() => env("development", origins)).toThrow(ConfigError);
      expect(() => env("development", origins)).toThrow(/CANDOR_CORS_ORIGINS/);
    },
  );
});
