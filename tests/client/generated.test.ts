import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { buildWidget } from "../helpers/browser";

// What CI regenerates must be what is committed, and the widget must stay small enough to embed.

const ROOT = join(__dirname, "..", "..");
const CLIENT = join(ROOT, "clients", "js");
const FILES = ["src/generated/graphql.ts", "src/generated/schema.ts", "persisted-operations.json"];

/** The widget bundle's budget, gzipped (issue 14). */
const WIDGET_BUDGET_BYTES = 15 * 1024;

describe("The client kit's build", () => {
  it("has generated code current with schema/schema.graphql and the operations (else: npm run client:generate)", async () => {
    const out = mkdtempSync(join(tmpdir(), "candor-client-"));
    try {
      // A process of its own: the generator's CLI is ES modules, which jest's CommonJS cannot load.
      await promisify(execFile)(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", join(CLIENT, "scripts", "generate.ts"), out],
        { cwd: ROOT },
      );
      for (const file of FILES) {
        const fresh = readFileSync(join(out, file), "utf8");
        const committed = readFileSync(join(CLIENT, file), "utf8");
        if (fresh !== committed) throw new Error(`${file} is stale: run npm run client:generate`);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it(`bundles both components within ${WIDGET_BUDGET_BYTES / 1024} kB gzipped`, async () => {
    const bundle = await buildWidget();
    expect(bundle).toContain("candor-why");
    expect(bundle).toContain("candor-consent-center");
    const gzipped = gzipSync(bundle, { level: 9 }).length;
    expect(gzipped).toBeLessThanOrEqual(WIDGET_BUDGET_BYTES);
  });
});
