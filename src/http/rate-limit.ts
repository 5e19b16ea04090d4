import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
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
  ) {}

  static create(config: Config): RateLimits {
    const window = config.rateLimitWindowSeconds;
    const store = rateLimitStore(config);
    return new RateLimits(
      store({ keyPrefix: "candor-anon", points: config.rateLimitAnonymous, duration: window }),
      store({ keyPrefix: "candor-principal", points: config.rateLimitSignedIn, duration: window }),
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
    // A store that fails (Redis down) must not take the API down with it: the request goes on.
    if (!(refusal instanceof RateLimiterRes)) return null;
    return Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
  }
}

type LimiterOptions = { keyPrefix: string; points: number; duration: number };

/**
 * The store seam. Redis needs a client library (ioredis), which this build does not ship: with
 * `CANDOR_REDIS_URL` set and no client installed, Candor refuses to start rather than silently
 * limiting per process.
 */
function rateLimitStore(config: Config): (options: LimiterOptions) => RateLimiterAbstract {
  if (config.redisUrl === null) return (options) => new RateLimiterMemory(options);
  let Redis: new (url: string, options: object) => unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Redis = require("ioredis");
  } catch {
    throw new Error("CANDOR_REDIS_URL is set, but the Redis client (the ioredis package) is not installed");
  }
  const client = new Redis(config.redisUrl, { enableOfflineQueue: false, lazyConnect: false });
  return (options) => new RateLimiterRedis({ storeClient: client, ...options });
}
