import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { SignJWT } from "jose";
import { createServices } from "../../src/app/services";
import { SERVICE_SCOPES } from "../../src/kernel/principal";
import { loadConfig } from "../../src/config";
import { loadDemoCatalogIfEmpty } from "../../src/app/demo/demo";

// Candor as production runs it: its own node process (src/main.ts through ts-node), reached over
// HTTP only. The test sees what an operator sees: its answers, its log lines and whether the
// process is still the same one.

const ROOT = join(__dirname, "..", "..");
export const FAULTS_JWT_SECRET = "candor-faults-secret-0123456789-abcdefghijklmnop";

/** The environment every Candor process of these tests gets. */
function candorEnv(databaseUrl: string): Record<string, string> {
  return {
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    CANDOR_JWT_SECRET: FAULTS_JWT_SECRET,
    CANDOR_DEFAULT_JURISDICTION: "US-CA",
    CANDOR_LOAD_DEMO_CATALOG: "false",
    // The webhook dispatcher polls the database in the background: often, so that every outage
    // finds it polling too.
    CANDOR_WEBHOOK_POLL_MS: "250",
    // One client sends everything from one address: the limits are not what is under test.
    CANDOR_RATE_LIMIT_ANONYMOUS: "1000000",
    CANDOR_RATE_LIMIT_SIGNED_IN: "1000000",
  };
}

/**
 * Migrates the database and loads the demo catalog once, before any Candor process starts (two
 * processes starting together would both migrate), and returns a service key and an admin token.
 */
export async function prepareDatabase(databaseUrl: string): Promise<{ serviceKey: string; adminToken: string }> {
  const config = loadConfig(candorEnv(databaseUrl));
  const services = await createServices(config);
  try {
    await loadDemoCatalogIfEmpty(services);
    const serviceKey = await services.apiKeys.createServiceKey("faults-engine", [...SERVICE_SCOPES]);
    const adminToken = await new SignJWT({ role: "admin" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("faults-admin")
      .setIssuedAt()
      .setExpirationTime("2h")
      .sign(new TextEncoder().encode(FAULTS_JWT_SECRET));
    return { serviceKey, adminToken };
  } finally {
    await services.db.close();
  }
}

export class CandorProcess {
  private exitCode: number | null | undefined = undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    /** Every JSON log line, as pino wrote it (kept filling while the process runs). */
    readonly logLines: Array<Record<string, any>>,
  ) {
    child.once("exit", (code, signal) => {
      this.exitCode = code ?? (signal ? -1 : null);
    });
  }

  static async start(databaseUrl: string, name = "candor"): Promise<CandorProcess> {
    const child = spawn(process.execPath, ["-r", "ts-node/register", join(ROOT, "src", "main.ts")], {
      cwd: ROOT,
      env: { ...process.env, ...candorEnv(databaseUrl), TS_NODE_TRANSPILE_ONLY: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: Array<Record<string, any>> = [];
    const stderr: string[] = [];
    child.stderr!.on("data", (chunk: Buffer) => stderr.push(String(chunk)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start in 120 s:\n${stderr.join("")}`)), 120_000);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code} at start:\n${stderr.join("")}`));
      });
      // main.ts logs JSON lines (pino); the plain-text banner of development is not sent in production.
      createInterface({ input: child.stdout! }).on("line", (line) => {
        if (!line.startsWith("{")) return;
        const entry = JSON.parse(line) as Record<string, any>;
        lines.push(entry);
        if (entry.msg === "Candor is serving") {
          clearTimeout(timer);
          resolve(String(entry.url));
        }
      });
    });
    return new CandorProcess(child, url, lines);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** True while the process that was started is still running (it was never restarted). */
  get running(): boolean {
    return this.exitCode === undefined;
  }

  get healthUrl(): string {
    return this.url.replace(/\/graphql$/, "/health/ready");
  }

  /** Log lines at error level or above (pino: 50 error, 60 fatal). */
  errors(): Array<Record<string, any>> {
    return this.logLines.filter((l) => l.level >= 50);
  }

  /** How many warnings and errors were logged, by message. */
  warnings(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const l of this.logLines) if (l.level >= 40) out[l.msg] = (out[l.msg] ?? 0) + 1;
    return out;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    await exited;
  }
}
