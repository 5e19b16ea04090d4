import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { build } from "esbuild";
import type { Browser, Page } from "playwright-core";

// Browser tests (tests/browser): Debian's Chromium driven by playwright-core, pages served from
// their own origin by a tiny node:http server, against the real Candor server on another.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ROOT = join(__dirname, "..", "..");
export const ARTIFACTS = join(ROOT, "test-artifacts");

/**
 * Whether this run drives a browser: SQLite runs only (the components read the same GraphQL on
 * MariaDB, which the API suites cover), and Chromium must be there; in CI its absence is a failure.
 */
export function browserTestsEnabled(): boolean {
  if (process.env.TEST_DATABASE_URL) return false;
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === "true")
    throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium)`);
  console.warn(`Browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  return false;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  // --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}

/** The widget bundle built now from clients/web/src (what `npm run build:widget` writes). */
export async function buildWidget(): Promise<string> {
  const result = await build({
    entryPoints: [join(ROOT, "clients", "web", "src", "index.ts")],
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2022",
    legalComments: "none",
    write: false,
  });
  return result.outputFiles[0].text;
}

export interface StaticSite {
  /** e.g. http://localhost:43123: another origin than the API's http://127.0.0.1:port. */
  origin: string;
  close(): Promise<void>;
}

/** Serves `files` (path → body) with their content types; anything else is 404. */
export async function serveStatic(files: Record<string, string>): Promise<StaticSite> {
  const types: Record<string, string> = { js: "text/javascript", html: "text/html" };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const body = files[path];
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": `${types[path.split(".").pop()!] ?? "text/plain"}; charset=utf-8` });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://localhost:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A host page: the component's markup, the bundle, and a token callback reading window.candorToken. */
export function hostPage(lang: string, markup: string): string {
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>Candor components</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:48rem}</style></head>
<body><main><h1>Trailhead Outfitters</h1>${markup}</main>
<script src="/candor.js"></script>
<script>for (const el of document.querySelectorAll("candor-why, candor-consent-center")) el.getToken = async () => window.candorToken;</script>
</body></html>`;
}

/** WCAG 2.2 A and AA violations axe-core finds on the page (open shadow roots included). */
export async function axeViolations(page: Page, selector: string): Promise<Array<{ id: string; nodes: number }>> {
  await page.addScriptTag({ content: readFileSync(join(ROOT, "node_modules", "axe-core", "axe.min.js"), "utf8") });
  return page.evaluate(async (include) => {
    const axe = (globalThis as any).axe;
    const result = await axe.run(
      { include: [include] },
      { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } },
    );
    return result.violations.map((v: any) => ({
      id: v.id,
      nodes: v.nodes.length,
      help: v.help,
      targets: v.nodes.map((n: any) => n.target),
    }));
  }, selector);
}

export function artifactsDir(): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}
