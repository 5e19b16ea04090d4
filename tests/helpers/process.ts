import { spawn } from "node:child_process";
import { join } from "node:path";

// A real Candor process (src/main.ts under ts-node), for tests of what a newcomer sees and of
// several processes sharing one database.

const root = join(__dirname, "..", "..");
const tsNode = require.resolve("ts-node/register/transpile-only");

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Started extends Outcome {
  /** The URL the server logged once serving; null when the process exited first. */
  url: string | null;
  stop(): Promise<Outcome>;
}

/** Env without the caller's Candor variables, so the machine's settings do not leak into a test. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const theirs = /^(CANDOR_|DATABASE_URL$|PORT$|HOST$|NODE_ENV$|LOG_LEVEL$)/;
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !theirs.test(k))), ...extra };
}

/** Starts src/main.ts; resolves once it serves (its log says so) or once it exits. */
export function startMain(env: Record<string, string>): Promise<Started> {
  const child = spawn("node", ["-r", tsNode, "src/main.ts"], {
    cwd: root,
    env: cleanEnv({ HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", ...env }),
  });
  const out = { stdout: "", stderr: "" };
  const exited = new Promise<Outcome>((resolve) => child.on("exit", (code) => resolve({ code, ...out })));
  child.stdout.on("data", (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out.stderr += d.toString()));
  const serving = new Promise<string>((resolve) => {
    child.stdout.on("data", () => {
      const line = out.stdout.split("\n").find((l) => l.includes('"msg":"Candor is serving"'));
      if (line) resolve(JSON.parse(line).url);
    });
  });
  const stop = () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    return exited;
  };
  return Promise.race([
    serving.then((url) => ({ url, ...out, code: null, stop })),
    exited.then((o) => ({ ...o, url: null, stop })),
  ]);
}
