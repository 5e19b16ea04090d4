import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { DEMO_TOKEN_META, DEMO_TOKEN_TTL_SECONDS } from "../src/http/kit";
import { startTestServer, type TestServer } from "./helpers/server";

// /widget/candor.js and /privacy, served from a web components directory (CANDOR_WEB_DIR) that the
// test writes: the real clients/web build is the other half of issue 14.

const BUNDLE = 'customElements.define("candor-why", class extends HTMLElement {});\n';
const PAGE =
  "<!doctype html><html><head><title>Privacy center</title></head><body><candor-consent-center></candor-consent-center></body></html>";

function webDir(files: { bundle?: string; page?: string }): string {
  const dir = mkdtempSync(join(tmpdir(), "candor-web-"));
  if (files.bundle !== undefined) {
    mkdirSync(join(dir, "dist"));
    writeFileSync(join(dir, "dist", "candor.js"), files.bundle);
  }
  if (files.page !== undefined) writeFileSync(join(dir, "privacy.html"), files.page);
  return dir;
}

const base = (t: TestServer) => t.url.replace(/\/graphql$/, "");
const demoToken = (html: string) => new RegExp(`<meta name="${DEMO_TOKEN_META}" content="([^"]+)">`).exec(html)?.[1];

describe("the kit, served for trying it (development)", () => {
  let t: TestServer;
  let dir: string;
  beforeAll(async () => {
    dir = webDir({ bundle: BUNDLE, page: PAGE });
    t = await startTestServer({ env: { CANDOR_WEB_DIR: dir } });
  });
  afterAll(() => t.close());

  it("serves the widget bundle as JavaScript with an ETag, to any allowed origin", async () => {
    const r = await fetch(`${base(t)}/widget/candor.js`, { headers: { origin: "http://localhost:8080" } });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(r.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(r.headers.get("cache-control")).toBe("no-cache");
    expect(r.headers.get("access-control-allow-origin")).toBe("http://localhost:8080");
    expect(await r.text()).toBe(BUNDLE);
  });

  it("answers 304 while the bundle is unchanged, and a new ETag once it is rebuilt", async () => {
    const etag = (await fetch(`${base(t)}/widget/candor.js`)).headers.get("etag")!;
    const same = await fetch(`${base(t)}/widget/candor.js`, { headers: { "if-none-match": etag } });
    expect(same.status).toBe(304);
    expect(await same.text()).toBe("");
    writeFileSync(join(dir, "dist", "candor.js"), `${BUNDLE}// rebuilt\n`);
    const rebuilt = await fetch(`${base(t)}/widget/candor.js`, { headers: { "if-none-match": etag } });
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.headers.get("etag")).not.toBe(etag);
    expect(await rebuilt.text()).toBe(`${BUNDLE}// rebuilt\n`);
  });

  it("serves /privacy with a short-lived demo subject token that signs in as demo-person-1", async () => {
    const r = await fetch(`${base(t)}/privacy`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(r.headers.get("cache-control")).toBe("no-store");
    const html = await r.text();
    expect(html).toContain("<candor-consent-center>");
    const token = demoToken(html)!;
    expect(html.indexOf(token)).toBeLessThan(html.indexOf("</head>"));
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: "demo-person-1", role: "subject" });
    expect(claims.exp! - claims.iat!).toBe(DEMO_TOKEN_TTL_SECONDS);
    const viewer = await t.gql("{ viewer { role } me { externalId } }", {}, { token });
    expect(viewer.body.errors).toBeUndefined();
    expect(viewer.body.data).toEqual({ viewer: { role: "SUBJECT" }, me: { externalId: "demo-person-1" } });
  });
});

describe("the kit, not built", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ demoCatalog: false, env: { CANDOR_WEB_DIR: webDir({}) } });
  });
  afterAll(() => t.close());

  it("answers 404 saying the widget is not built, and that the page is missing", async () => {
    const widget = await fetch(`${base(t)}/widget/candor.js`);
    expect(widget.status).toBe(404);
    expect(((await widget.json()) as any).error).toMatch(/The widget is not built: build the web components/);
    const page = await fetch(`${base(t)}/privacy`);
    expect(page.status).toBe(404);
    expect(((await page.json()) as any).error).toMatch(/privacy center page is missing/);
  });
});

describe("the kit in production", () => {
  const dir = webDir({ bundle: BUNDLE, page: PAGE });
  const production = (env: Record<string, string> = {}) =>
    startTestServer({ demoCatalog: false, env: { NODE_ENV: "production", CANDOR_WEB_DIR: dir, ...env } });

  it("serves the widget (cached an hour) but not /privacy, and no cross-origin page by default", async () => {
    const t = await production();
    try {
      const widget = await fetch(`${base(t)}/widget/candor.js`, { headers: { origin: "http://localhost:5173" } });
      expect(widget.status).toBe(200);
      expect(widget.headers.get("cache-control")).toBe("public, max-age=3600");
      expect(widget.headers.get("access-control-allow-origin")).toBeNull();
      expect((await fetch(`${base(t)}/privacy`)).status).toBe(404);
    } finally {
      await t.close();
    }
  });

  it("serves /privacy with CANDOR_PRIVACY_PAGE=true, never with a demo token", async () => {
    const t = await production({ CANDOR_PRIVACY_PAGE: "true" });
    try {
      const r = await fetch(`${base(t)}/privacy`);
      expect(r.status).toBe(200);
      const html = await r.text();
      expect(html).toBe(PAGE);
      expect(demoToken(html)).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
