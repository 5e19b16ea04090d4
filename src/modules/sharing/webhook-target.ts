import { lookup } from "node:dns/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import ipaddr from "ipaddr.js";

// Where a webhook may go (issue 12, SSRF). A URL's text says little: a public-looking name may
// resolve to loopback, a cloud metadata service or a NAT64 form of either. So every host is
// resolved, every address it resolves to must be public unicast, and the request connects to
// the address that was checked (never a second lookup that DNS rebinding could answer otherwise).

/** A host name → its addresses (IPv4 or IPv6 text). Injected in tests; DNS otherwise. */
export type HostResolver = (hostname: string) => Promise<string[]>;

export const dnsResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/** IANA's global unicast block for IPv6: nothing outside it is a partner's endpoint. */
const IPV6_GLOBAL_UNICAST = ipaddr.parseCIDR("2000::/3");

/**
 * Names that are never on the public internet (RFC 6761 localhost, RFC 6762 .local, RFC 8375
 * home.arpa, ICANN's .internal, as in metadata.google.internal): refused before any lookup.
 */
const INWARD_NAME = /(^|\.)(localhost|local|internal|home\.arpa|localdomain)$/i;

export type AddressKind = "public" | "loopback" | "inward";

/** What an address is, by ipaddr.js's special-purpose ranges; IPv4-mapped IPv6 is judged as IPv4. */
export function addressKind(address: string): AddressKind {
  if (!ipaddr.isValid(address)) return "inward";
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  if (range === "loopback") return "loopback";
  if (range !== "unicast") return "inward";
  if (parsed.kind() === "ipv6" && !(parsed as ipaddr.IPv6).match(IPV6_GLOBAL_UNICAST)) return "inward";
  return "public";
}

export class WebhookTargetError extends Error {
  /** The host did not resolve (not yet published, or a passing DNS failure), rather than resolving inward. */
  constructor(
    message: string,
    readonly unresolved = false,
  ) {
    super(message);
  }
}

/** A URL whose host was resolved and checked: connect to `address`, name the host in Host and SNI. */
export interface CheckedTarget {
  url: URL;
  address: string;
}

export interface TargetPolicy {
  resolve: HostResolver;
  /** Development and tests: http/https to loopback addresses (never in production: see config.ts). */
  allowLoopback: boolean;
}

/** The URL's shape: https (http only where loopback is allowed), a host, no credentials. */
export function parseWebhookUrl(text: string, allowLoopback: boolean): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookTargetError("The webhook URL is not a URL");
  }
  if (url.protocol !== "https:" && !(allowLoopback && url.protocol === "http:"))
    throw new WebhookTargetError("A webhook URL must use https" + (allowLoopback ? " (or http on loopback)" : ""));
  if (url.username || url.password) throw new WebhookTargetError("A webhook URL must not carry credentials");
  return url;
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, "");

/**
 * Resolves the URL's host once and checks every address it gives: one inward address refuses
 * the URL (an attacker's name may list a public address beside a private one). Names that do not
 * resolve are refused too.
 */
export async function checkWebhookTarget(text: string, policy: TargetPolicy): Promise<CheckedTarget> {
  const url = parseWebhookUrl(text, policy.allowLoopback);
  const host = bare(url.hostname);
  let addresses: string[];
  if (ipaddr.isValid(host)) addresses = [host];
  else {
    // Under the loopback allowance, `localhost` names go on to resolution (and must resolve to loopback).
    if (!policy.allowLoopback && INWARD_NAME.test(host.replace(/\.$/, "")))
      throw new WebhookTargetError("A webhook URL must reach a public host");
    try {
      addresses = await policy.resolve(host);
    } catch (err) {
      addresses = [];
      const code = (err as { code?: string }).code;
      if (url.protocol === "https:")
        throw new WebhookTargetError(`The webhook host does not resolve${code ? ` (${code})` : ""}`, true);
    }
    if (addresses.length === 0 && url.protocol === "https:")
      throw new WebhookTargetError("The webhook host does not resolve", true);
  }
  const kinds = addresses.map(addressKind);
  if (url.protocol === "http:" && (kinds.length === 0 || !kinds.every((k) => k === "loopback")))
    throw new WebhookTargetError("A webhook URL must use https (or http on loopback)");
  const allowed = (k: AddressKind) => k === "public" || (k === "loopback" && policy.allowLoopback);
  if (!kinds.every(allowed)) throw new WebhookTargetError("A webhook URL must reach a public host");
  return { url, address: addresses[0] };
}

/**
 * POSTs to a checked target: the socket goes to the checked address (no lookup happens: the host
 * given to node is an IP literal); the Host header and TLS server name (certificate check) carry
 * the URL's host. Redirects are never followed (node:http does not follow them).
 */
export function postToTarget(
  target: CheckedTarget,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<number> {
  const { url, address } = target;
  const named = !ipaddr.isValid(bare(url.hostname));
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        host: address,
        port: url.port || (url.protocol === "https:" ? 443 : 80),
        path: url.pathname + url.search,
        method: "POST",
        headers: { ...headers, host: url.host, "content-length": String(Buffer.byteLength(body)) },
        ...(named ? { servername: bare(url.hostname) } : {}),
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res: IncomingMessage) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
