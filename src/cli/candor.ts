import "reflect-metadata";
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { createServices } from "../app/services";
import { ApiKeyError } from "../auth/api-key.service";
import { hs256Key, signToken } from "../auth/jwt";
import { CLI_ACTOR } from "../kernel/principal";
import {
  type Config,
  ConfigError,
  DEFAULT_DATABASE_URL,
  JURISDICTION_EXAMPLES,
  JURISDICTION_SHAPE,
  loadConfig,
} from "../config";
import { openDatabase } from "../app/entities";
import type { Services } from "../app/context";
import { startupProblem } from "../app/startup";
import { CatalogApplyService } from "../modules/catalog/catalog-apply.service";
import { CatalogFileError } from "../modules/catalog/catalog-file";
import { seed } from "./seed";

// The `candor` command. Tokens and keys go to stdout alone, so scripts can capture them;
// everything else goes to stderr.

const USAGE = `usage: candor <command>
  help, --help, -h                                     this text
  migrate [--revert]                                   run pending migrations (or revert the last one)
  catalog apply <file.yaml>                            upsert a catalog file, all or nothing
  token subject <externalId> [--jurisdiction US-CA] [--ttl seconds]
  token admin [--sub name] [--ttl seconds]
  apikey service <name> --scopes consent:read,consent:write,decisions:write,sharing:write
  apikey partner <partnerKey>
  apikey revoke <first 12 characters of the key>
  audit                                                run the data audit (purge past retention, report findings as JSON)
  seed --people 1000000 --decisions 10000000           write test people and decisions (benchmarks); resumable`;

class UsageError extends Error {}

function count(value: string, option: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > 100_000_000)
    throw new UsageError(`${option} is a whole number between ${min} and 100000000`);
  return n;
}

const DAY = 24 * 3600;

function ttl(value: string | undefined): number {
  if (value === undefined) return DAY;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 60 || seconds > 365 * DAY)
    throw new UsageError("--ttl is a number of seconds between 60 and 31536000");
  return seconds;
}

async function withServices<T>(work: (services: Services) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const services = await createServices(
    config,
    pino({ level: config.logLevel === "silent" ? "silent" : "warn" }, pino.destination(2)),
  );
  try {
    return await work(services);
  } finally {
    await services.db.close();
  }
}

/**
 * The database a command used, as a reader can compare it with the server's: a token signed with
 * the development secret, or a key, works only on a server that uses the same database.
 */
export function describeDatabase(url: string): string {
  const shown = url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
  const path = url.startsWith("sqlite:") ? url.slice("sqlite:".length).replace(/^\/\//, "") : null;
  const file = path && path !== ":memory:" && !isAbsolute(path) ? ` (the file ${resolve(path)})` : "";
  if (url === DEFAULT_DATABASE_URL) return `${shown}${file}, the default: DATABASE_URL is not set`;
  return `DATABASE_URL=${shown}${file}`;
}

/** Which secret signs the token, and so which server accepts it (said on stderr; stdout is the token alone). */
function signingNote(config: Config): string {
  const database = describeDatabase(config.databaseUrl);
  if (config.jwtSecret) {
    return (
      `candor: signed with CANDOR_JWT_SECRET (database: ${database}); ` +
      "a server accepts this token when it has the same CANDOR_JWT_SECRET"
    );
  }
  return (
    `candor: signed with the development secret kept in the database ${database}; a server accepts this token ` +
    "only when it uses the same DATABASE_URL (or when both set the same CANDOR_JWT_SECRET)"
  );
}

async function mintToken(
  services: Services,
  claims: Parameters<typeof signToken>[2],
  seconds: number,
): Promise<string> {
  const key = await hs256Key(services.config, services.db);
  if (!key)
    throw new UsageError(
      "Tokens can be minted only with CANDOR_JWT_SECRET (or, outside production, the generated development secret)",
    );
  console.error(signingNote(services.config));
  return signToken(services.config, key, claims, seconds);
}

/** Says on stderr where a new key is kept (only a server on that database accepts it); returns the key. */
function noted(services: Services, key: string): string {
  const database = describeDatabase(services.config.databaseUrl);
  console.error(`candor: key stored in the database ${database}; only a server that uses it accepts the key`);
  return key;
}

export async function run(argv: string[]): Promise<string | null> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      revert: { type: "boolean" },
      jurisdiction: { type: "string" },
      ttl: { type: "string" },
      sub: { type: "string" },
      scopes: { type: "string" },
      help: { type: "boolean", short: "h" },
      people: { type: "string" },
      decisions: { type: "string" },
    },
  });
  const [command, sub, arg, ...rest] = positionals;
  if (values.help || command === "help") return USAGE;
  if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(" ")}`);
  switch (`${command ?? ""} ${sub ?? ""}`.trim()) {
    case "migrate": {
      if (sub !== undefined) throw new UsageError("migrate takes no argument");
      const db = await openDatabase(loadConfig().databaseUrl);
      try {
        if (values.revert) {
          await db.revertLastMigration();
          console.error("reverted the last migration");
        } else {
          console.error(`ran ${await db.migrate()} migration(s)`);
        }
      } finally {
        await db.close();
      }
      return null;
    }
    case "catalog apply": {
      if (!arg) throw new UsageError("catalog apply needs a file");
      let source: string;
      try {
        source = readFileSync(arg, "utf8");
      } catch {
        throw new CatalogFileError(arg, ["cannot read the file"]);
      }
      const result = await withServices((s) => new CatalogApplyService(s.db).applyFile(arg, source, CLI_ACTOR));
      console.error(`${arg}: ${result.added} added, ${result.changed} changed, ${result.unchanged} unchanged`);
      return null;
    }
    case "token subject": {
      if (!arg) throw new UsageError("token subject needs the person's external id");
      const jurisdiction = values.jurisdiction;
      if (jurisdiction !== undefined && !JURISDICTION_SHAPE.test(jurisdiction))
        throw new UsageError(`--jurisdiction looks like ${JURISDICTION_EXAMPLES}`);
      if (arg.length > 200) throw new UsageError("an external id is at most 200 characters");
      return withServices((s) => mintToken(s, { sub: arg, role: "subject", jurisdiction }, ttl(values.ttl)));
    }
    case "token admin":
      if (arg) throw new UsageError("token admin takes no argument; use --sub");
      return withServices((s) => mintToken(s, { sub: values.sub ?? "admin", role: "admin" }, ttl(values.ttl)));
    case "apikey service": {
      if (!arg || !values.scopes) throw new UsageError("apikey service needs a name and --scopes");
      const scopes = values.scopes
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean);
      return withServices(async (s) => noted(s, await s.apiKeys.createServiceKey(arg, scopes)));
    }
    case "apikey partner":
      if (!arg) throw new UsageError("apikey partner needs a partner key from the catalog");
      return withServices(async (s) => noted(s, await s.apiKeys.createPartnerKey(arg)));
    case "apikey revoke":
      if (!arg) throw new UsageError("apikey revoke needs the first 12 characters of the key");
      await withServices((s) => s.apiKeys.revoke(arg));
      console.error(`revoked ${arg}…`);
      return null;
    case "audit": {
      if (sub !== undefined) throw new UsageError("audit takes no argument");
      const audit = await withServices((s) => s.dataAudit.run(CLI_ACTOR));
      return JSON.stringify(audit, null, 2);
    }
    case "seed": {
      if (sub !== undefined) throw new UsageError("seed takes no argument; use --people and --decisions");
      const people = count(values.people ?? "1000", "--people", 1);
      const decisions = count(values.decisions ?? String(people * 10), "--decisions", 0);
      const result = await withServices((s) =>
        seed(s.db, {
          people,
          decisions,
          onBatch: (done, total) => {
            if (done % 20_000 === 0 || done === total) console.error(`seed: ${done} of ${total} people`);
          },
        }),
      );
      console.error(`seed: ${result.written} batch(es) written, ${result.skipped} already there`);
      return null;
    }
    default:
      throw new UsageError(command ? `unknown command: ${positionals.join(" ")}` : "no command given");
  }
}

/** Runs one command: prints its token or key on stdout, problems on stderr, and sets the exit code. */
export function cli(argv: string[]): Promise<void> {
  return run(argv).then(
    (output) => {
      if (output !== null) process.stdout.write(`${output}\n`);
    },
    (err: unknown) => {
      if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
        console.error(`${(err as Error).message}\n\n${USAGE}`);
        process.exitCode = 2;
      } else if (err instanceof CatalogFileError || err instanceof ApiKeyError || err instanceof ConfigError) {
        console.error(err.message);
        process.exitCode = 1;
      } else if (startupProblem(err) !== null) {
        console.error(`candor: ${startupProblem(err)}`);
        process.exitCode = 1;
      } else {
        console.error(`candor: ${err instanceof Error ? err.message : String(err)}`);
        process.exitCode = 1;
      }
    },
  );
}

if (require.main === module) void cli(process.argv.slice(2));
