import { spawn } from "node:child_process";
import { join } from "node:path";

// Getting started: what a newcomer sees when starting Candor and using the candor command, each
// through the real process (src/main.ts, src/cli/candor.ts under ts-node) on a throwaway database.

const root = join(__dirname, "..");
const tsNode = require.resolve("ts-node/register/transpile-only");

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Env without the caller's Candor variables, so the machine's settings do not leak into a test. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(CANDOR_|DATABASE_URL$|PORT$|HOST$|NODE_ENV$|LOG_LEVEL$)/.test(k)));
  return { ...env, ...extra };
}

/** Runs the candor command to its end. */
function candor(args: string[], env: Record<string, string>, cwd = root): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn("node", ["-r", tsNode, join(root, "src", "cli", "candor.ts"), ...args], {
      cwd,
      env: cleanEnv({ LOG_LEVEL: "silent", TS_NODE_PROJECT: join(root, "tsconfig.json"), ...env }),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("Getting started: what a newcomer sees", () => {
  describe("the candor command", () => {
    it.each([["--help"], ["-h"], ["help"]])("candor %s prints the usage on stdout and exits 0", async (flag) => {
      const r = await candor([flag], {});
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^usage: candor <command>/);
      expect(r.stdout).toContain("token subject <externalId>");
      expect(r.stderr).toBe("");
    });
  });
});
