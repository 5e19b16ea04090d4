import type { IncomingMessage } from "node:http";
import proxyaddr from "proxy-addr";
import type { Config } from "../config";

/**
 * The address a request comes from, as rate limits count it. X-Forwarded-For is believed only
 * through the proxies named in `CANDOR_TRUSTED_PROXIES` (proxy-addr walks the chain from the peer
 * and stops at the first hop that is not trusted), so a client cannot pick its own address.
 */
export function clientAddressResolver(config: Config): (req: IncomingMessage) => string {
  if (config.trustedProxies.length === 0) return (req) => req.socket.remoteAddress ?? "unknown";
  const trust = proxyaddr.compile(config.trustedProxies);
  return (req) => proxyaddr(req, trust);
}
