import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import Redis from "ioredis";
import type { Logger } from "pino";
import type { Config } from "../config";
import { Role, type Principal } from "../kernel/principal";

/**
 * Requests per client and window (DESIGN §9, "Limits"): anonymous callers are counted by IP,
 * signed-in ones by principal, each in its own budget, so a flood of anonymous requests from one
 * address does not stop a signed-in caller behind it, and the reverse. State lives in Redis when
 * `CANDOR_REDIS_URL` is set (shared by every process), else in this process's memory; never in SQL.
 */
export class RateLimits {
  private constructor(
    private readonly anonymous: RateLimiterAbstract,
    private readonly signedIn: RateLimiterAbstract,
    /** Lets go of the store's connection, if it has one. */
    readonly close: () => Promise<void>,
  ) {}

  /** Opens the store; a Redis that does not answer within a few seconds is waited for no longer. */
  static async connect(config: Config, logger: Logger): Promise<RateLimits> {
    const window = config.rateLimitWindowSeconds;
    const store = rateLimitStore(config, logger);
    await store.ready;
    return new RateLimits(
      store.limiter({ keyPrefix: "candor-anon", points: config.rateLimitAnonymous, duration: window }),
      store.limiter({ keyPrefix: "candor-principal", points: config.rateLimitSignedIn, duration: window }),
      store.close,
    );
  }

  /** Counts one anonymous request from `ip`: null when it may go on, else the seconds to wait. */
  byAddress(ip: string): Promise<number | null> {
    return take(this.anonymous, ip);
  }

  /** Counts one request from a signed-in principal. */
  byPrincipal(principal: Principal): Promise<number | null> {
    return take(this.signedIn, principalKey(principal));
  }
}

export function principalKey(principal: Principal): string {
  return principal.role === Role.SERVICE || principal.role === Role.PARTNER
    ? `${principal.role}:${principal.apiKeyId}`
    : `${principal.role}:${principal.externalId}`;
}

async function take(limiter: RateLimiterAbstract, key: string): Promise<number | null> {
  try {
    await limiter.consume(key, 1);
    return null;
  } catch (refusal) {
    // A store that fails outright (no insurance left) must not take the API down with it.
    if (!(refusal instanceof RateLimiterRes)) return null;
    return Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
  }
}

const READY_WAIT_MS = 3000;

type LimiterOptions = { keyPrefix: string; points: number; duration: number };
type Store = {
  limiter: (options: LimiterOptions) => RateLimiterAbstract;
  ready: Promise<void>;
  close: () => Promise<void>;
};

/**
 * Memory per process, or Redis shared by every process. While Redis cannot be reached, each
 * process limits on its own (rate-limiter-flexible's insurance limiter) rather than not at all.
 */
function rateLimitStore(config: Config, logger: Logger): Store {
  if (config.redisUrl === null)
    return {
      limiter: (options) => new RateLimiterMemory(options),
      ready: Promise.resolve(),
      close: () => Promise.resolve(),
    };
  const client = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  let reported = false;
  client.on("error", (err: Error) => {
    // ioredis retries on its own; one line per outage is enough.
    if (!reported) logger.warn({ err: err.message }, "rate-limit store (Redis) unreachable: limiting per process");
    reported = true;
  });
  client.on("ready", () => (reported = false));
  // Until the connection is up, commands would go to the per-process insurance limiter: wait for it.
  const ready = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, READY_WAIT_MS);
    client.once("ready", () => (clearTimeout(timer), resolve()));
  });
  return {
    ready,
    limiter: (options) =>
      new RateLimiterRedis({ storeClient: client, insuranceLimiter: new RateLimiterMemory(options), ...options }),
    close: async () => {
      client.disconnect();
    },
  };
}
