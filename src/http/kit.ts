import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import type { Services } from "../app/context";
import { demoSubjectToken } from "../app/demo/demo";
import { projectRoot } from "../kernel/paths";

// The frontends' kit, served for trying it: the web components' bundle at /widget/candor.js and
// the demo privacy center at /privacy. Both are read from clients/web (CANDOR_WEB_DIR) at each
// request, so a rebuild shows at once; neither is part of the API.

/** How long the development privacy page's demo subject token lasts. */
export const DEMO_TOKEN_TTL_SECONDS = 30 * 60;
/** The meta tag the page reads its demo credential from (development only). */
export const DEMO_TOKEN_META = "candor-demo-subject-token";

export const webDir = (config: Services["config"]) => config.webDir ?? join(projectRoot(), "clients", "web");

const notFound = (res: ServerResponse, error: string) =>
  res.writeHead(404, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify({ error }));

/** The file's text, or null when it is not there (not built yet). */
async function readIfThere(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

export function kitRoutes(services: Services) {
  const { config } = services;
  const dir = webDir(config);
  // Said in a 404 as configured, never as this machine's absolute path.
  const shown = config.webDir ?? "clients/web";
  // Production keeps the bundle an hour (the ETag revalidates it after); development always revalidates.
  const bundleCaching = config.nodeEnv === "production" ? "public, max-age=3600" : "no-cache";

  async function widget(req: IncomingMessage, res: ServerResponse): Promise<string> {
    const bundle = await readIfThere(join(dir, "dist", "candor.js"));
    if (bundle === null) {
      notFound(
        res,
        `The widget is not built: build the web components (npm run build:widget) so that ${shown}/dist/candor.js exists`,
      );
      return "not-found";
    }
    const etag = `"${createHash("sha256").update(bundle).digest("base64url").slice(0, 27)}"`;
    const headers = { etag, "cache-control": bundleCaching, "x-content-type-options": "nosniff" };
    const wanted = String(req.headers["if-none-match"] ?? "").split(/\s*,\s*/);
    if (wanted.includes(etag) || wanted.includes(`W/${etag}`)) {
      res.writeHead(304, headers).end();
      return "widget";
    }
    res.writeHead(200, { ...headers, "content-type": "text/javascript; charset=utf-8" }).end(bundle);
    return "widget";
  }

  async function privacy(res: ServerResponse): Promise<string> {
    if (!config.privacyPage) {
      notFound(res, "Not found");
      return "not-found";
    }
    const page = await readIfThere(join(dir, "privacy.html"));
    if (page === null) {
      notFound(res, `The privacy center page is missing: ${shown}/privacy.html`);
      return "not-found";
    }
    let html = page.toString("utf8");
    // Development only: the page signs in as the demo person with a short-lived token. Production
    // (CANDOR_PRIVACY_PAGE=true) serves the page alone; the host page supplies the person's token.
    const token = config.nodeEnv === "production" ? null : await demoSubjectToken(services, DEMO_TOKEN_TTL_SECONDS);
    if (token !== null) {
      const meta = `<meta name="${DEMO_TOKEN_META}" content="${token}">`;
      html = /<\/head>/i.test(html) ? html.replace(/<\/head>/i, `${meta}\n</head>`) : meta + html;
    }
    res
      .writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        // It may carry a credential: never kept by a cache, never sent on in a Referer.
        "cache-control": "no-store",
        "referrer-policy": "no-referrer",
        "x-content-type-options": "nosniff",
      })
      .end(html);
    return "privacy";
  }

  return { widget, privacy };
}
