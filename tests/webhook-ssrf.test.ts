import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import type { AddressInfo } from "node:net";
import { loadConfig, ConfigError } from "../src/config";
import { AuditLog } from "../src/kernel/audit/audit-log.entity";
import { DeliveryStatus, PartnerWebhook, WebhookDelivery } from "../src/modules/sharing/webhook.entity";
import { addressKind } from "../src/modules/sharing/webhook-target";
import { Partner } from "../src/modules/catalog";
import { UPDATE } from "./helpers/consent";
import { startTestServer, type TestServer } from "./helpers/server";
import { agreementIds, share } from "./helpers/sharing";

// Issue 12, defect 4: webhook URLs that reach inward (by name or by address form) are refused when
// set and when delivered, and a delivery never connects to them. Names resolve through a
// hosts-style map given to the server (no DNS, no traffic beyond loopback).

const SET_WEBHOOK = `mutation($input: SetPartnerWebhookInput!) { setPartnerWebhook(input: $input) { secret userErrors { field code message } } }`;
const ENV = { CANDOR_SIGNAL_LAG_MS: "0", CANDOR_WEBHOOK_BACKOFF_MS: "40", CANDOR_WEBHOOK_POLL_MS: "60000" };

/** /etc/hosts for tests: a name → its addresses; unknown names do not resolve; every lookup is counted. */
class Hosts {
  map = new Map<string, string[] | (() => string[])>();
  lookups = new Map<string, number>();
  resolve = async (name: string): Promise<string[]> => {
    this.lookups.set(name, (this.lookups.get(name) ?? 0) + 1);
    const entry = this.map.get(name);
    if (!entry) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: "ENOTFOUND" });
    return typeof entry === "function" ? entry() : entry;
  };
}

async function waitFor(check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("timed out waiting");
}

/** A TCP listener on loopback that counts every connection made to it (it must see none). */
async function tripwire(): Promise<{ server: TcpServer; port: number; connections: () => number }> {
  let count = 0;
  const server = createTcpServer((socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, connections: () => count };
}

/** Shares a person's data with the data broker, then withdraws: one signal, one delivery. */
async function oneSignal(t: TestServer, person: string): Promise<void> {
  const engine = await t.serviceKey(["sharing:write"]);
  const sale = (await agreementIds(t))["audience-data-sale"];
  await share(t, engine, [
    { subjectExternalId: person, agreement: sale, dataCategories: ["user.behavior.purchase_history"] },
  ]);
  await t.gql(
    UPDATE,
    { input: { channel: "WEB", changes: [{ purpose: "sale-to-data-partners", granted: false }] } },
    { token: await t.subjectToken(person) },
  );
}

describe("Webhook addresses (ipaddr.js special-purpose ranges)", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["::1", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:2", "loopback"],
    ["64:ff9b::7f00:1", "inward"],
    ["64:ff9b::a9fe:a9fe", "inward"],
    ["100.64.0.1", "inward"],
    ["198.18.0.1", "inward"],
    ["192.0.0.8", "inward"],
    ["224.0.0.1", "inward"],
    ["ff02::1", "inward"],
    ["255.255.255.255", "inward"],
    ["169.254.169.254", "inward"],
    ["10.1.2.3", "inward"],
    ["172.16.0.1", "inward"],
    ["192.168.1.1", "inward"],
    ["0.0.0.0", "inward"],
    ["::", "inward"],
    ["fe80::1", "inward"],
    ["fd00::1", "inward"],
    ["2001:db8::1", "inward"],
    ["2002:7f00:1::", "inward"],
    ["::7f00:1", "inward"],
    ["240.0.0.1", "inward"],
    ["not-an-address", "inward"],
    ["8.8.8.8", "public"],
    ["2606:4700:4700::1111", "public"],
    ["::ffff:8.8.8.8", "public"],
  ])("%s is %s", (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });

  it("the loopback allowance cannot be set in production, and is off there by default", () => {
    const production = { NODE_ENV: "production", CANDOR_JWT_SECRET: "x".repeat(32) };
    expect(() => loadConfig({ ...production, CANDOR_WEBHOOK_ALLOW_LOOPBACK: "true" })).toThrow(ConfigError);
    expect(loadConfig(production).webhookAllowLoopback).toBe(false);
    expect(loadConfig({ NODE_ENV: "test" }).webhookAllowLoopback).toBe(true);
  });
});

describe("Webhook SSRF, as in production (no loopback allowance)", () => {
  let t: TestServer;
  let admin: string;
  const hosts = new Hosts();
  let wire: Awaited<ReturnType<typeof tripwire>>;
  beforeAll(async () => {
    wire = await tripwire();
    t = await startTestServer({ env: { ...ENV, CANDOR_WEBHOOK_ALLOW_LOOPBACK: "false" }, resolveHost: hosts.resolve });
    admin = await t.adminToken();
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => wire.server.close(r));
  });

  // Each name resolves (through the map) to an address that reaches this machine or its network.
  const INWARD_NAMES: Array<[string, string[]]> = [
    ["loop.partner.example", ["127.0.0.1"]],
    ["mapped.partner.example", ["::ffff:127.0.0.1"]],
    ["nat64.partner.example", ["64:ff9b::7f00:1"]],
    ["cgnat.partner.example", ["100.64.0.1"]],
    ["bench.partner.example", ["198.18.0.1"]],
    ["v6loop.partner.example", ["::1"]],
    ["mixed.partner.example", ["8.8.8.8", "127.0.0.1"]],
  ];
  // Refused by name before any lookup (even if the map says otherwise).
  const INWARD_BY_NAME = ["localhost", "localhost.", "candor.localhost", "metadata.google.internal"];
  beforeAll(() => {
    for (const [name, addresses] of INWARD_NAMES) hosts.map.set(name, addresses);
    for (const name of INWARD_BY_NAME) hosts.map.set(name, ["127.0.0.1"]);
  });

  it("refuses at setPartnerWebhook every URL whose host resolves inward, writing nothing", async () => {
    const partner = (await t.services.db.manager.findOneByOrFail(Partner, { key: "open-range-data" })).id;
    const auditBefore = await t.services.db.manager.count(AuditLog);
    const urls = [
      ...[...INWARD_NAMES.map(([n]) => n), ...INWARD_BY_NAME].map((n) => `https://${n}:${wire.port}/hook`),
      "https://[::ffff:127.0.0.1]/hook",
      "https://[64:ff9b::7f00:1]/hook",
      "https://100.64.0.1/hook",
      "https://198.18.0.1/hook",
      "https://192.0.0.8/hook",
      "https://224.0.0.1/hook",
      "https://255.255.255.255/hook",
      "https://[ff02::1]/hook",
      "https://127.0.0.1/hook",
      "https://2130706433/hook",
      "https://0x7f.0.0.1/hook",
      "http://127.0.0.1:8080/hook",
    ];
    for (const url of urls) {
      const r = await t.gql(SET_WEBHOOK, { input: { partner: "open-range-data", url } }, { token: admin });
      expect({ url, payload: r.body.data!.setPartnerWebhook }).toEqual({
        url,
        payload: {
          secret: null,
          userErrors: [{ field: ["input", "url"], code: "INVALID", message: expect.any(String) }],
        },
      });
    }
    expect(await t.services.db.manager.countBy(PartnerWebhook, { partnerId: partner })).toBe(0);
    expect(await t.services.db.manager.count(AuditLog)).toBe(auditBefore);
    expect(wire.connections()).toBe(0);
  });

  it("accepts a public host, and one whose name does not resolve yet (delivery checks again)", async () => {
    hosts.map.set("hooks.partner.example", ["203.0.114.7"]);
    for (const url of ["https://hooks.partner.example/candor", "https://unpublished.partner.example/candor"]) {
      const r = await t.gql(SET_WEBHOOK, { input: { partner: "open-range-data", url } }, { token: admin });
      expect(r.body.data!.setPartnerWebhook).toMatchObject({
        secret: expect.stringMatching(/^whsec_/),
        userErrors: [],
      });
    }
    await t.gql(SET_WEBHOOK, { input: { partner: "open-range-data", url: null } }, { token: admin });
  });

  it("refuses at delivery a host that resolves inward now, and never connects to it", async () => {
    const partner = (await t.services.db.manager.findOneByOrFail(Partner, { key: "open-range-data" })).id;
    const cases = [...INWARD_NAMES.map(([n]) => n), ...INWARD_BY_NAME];
    const seen = new Set<string>();
    for (const [i, name] of cases.entries()) {
      // Set while the name did not resolve (or stored before this check existed), then DNS turns inward.
      const url = `https://${name}:${wire.port}/hook`;
      const remembered = hosts.map.get(name)!;
      hosts.map.delete(name);
      const set = await t.gql(SET_WEBHOOK, { input: { partner: "open-range-data", url } }, { token: admin });
      if (set.body.data!.setPartnerWebhook.userErrors.length > 0)
        await t.services.db.writer.manager.upsert(
          PartnerWebhook,
          { partnerId: partner, url, secret: "whsec_" + "A".repeat(32), updatedAt: new Date() },
          ["partnerId"],
        );
      hosts.map.set(name, remembered);
      await oneSignal(t, `ssrf-${i}`);
      let delivery: WebhookDelivery | undefined;
      await waitFor(async () => {
        const failed = await t.services.db.manager.findBy(WebhookDelivery, { status: DeliveryStatus.FAILED });
        delivery = failed.find((d) => !seen.has(d.id));
        return delivery !== undefined;
      });
      seen.add(delivery!.id);
      // Refused for good on the first attempt: an inward target is not retried.
      expect({ name, attempts: delivery!.attempts, error: delivery!.lastError }).toEqual({
        name,
        attempts: 1,
        error: "A webhook URL must reach a public host",
      });
    }
    expect(await t.services.db.manager.countBy(WebhookDelivery, { status: DeliveryStatus.DELIVERED })).toBe(0);
    expect(wire.connections()).toBe(0);
  });
});

/** A loopback receiver that records each request's Host header, answering `status` (302 to `location`). */
async function receiver(status: number, location?: string) {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createHttpServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on("end", () => res.writeHead(status, location ? { location } : {}).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

describe("Webhook delivery connects to the address it checked (development allowance for loopback)", () => {
  let t: TestServer;
  let admin: string;
  const hosts = new Hosts();
  beforeAll(async () => {
    t = await startTestServer({ env: ENV, resolveHost: hosts.resolve });
    admin = await t.adminToken();
  });
  afterAll(() => t.close());

  it("resolves once per attempt: a rebinding answer after the check is never used; Host names the URL's host", async () => {
    const ok = await receiver(204);
    try {
      // The first two answers (set, delivery) reach the receiver; any later lookup would not.
      let answers = 0;
      hosts.map.set("rebind.partner.test", () => (++answers <= 2 ? ["127.0.0.1"] : ["127.0.0.3"]));
      const url = `http://rebind.partner.test:${ok.port}/hook`;
      const set = await t.gql(SET_WEBHOOK, { input: { partner: "open-range-data", url } }, { token: admin });
      expect(set.body.data!.setPartnerWebhook.userErrors).toEqual([]);
      await oneSignal(t, "rebind-1");
      await waitFor(
        async () => (await t.services.db.manager.countBy(WebhookDelivery, { status: DeliveryStatus.DELIVERED })) === 1,
      );
      expect(hosts.lookups.get("rebind.partner.test")).toBe(2);
      expect(ok.seen.map((h) => h.host)).toEqual([`rebind.partner.test:${ok.port}`]);
    } finally {
      await new Promise((r) => ok.server.close(r));
    }
  });

  it("never follows a redirect (to loopback or anywhere)", async () => {
    const target = await receiver(204);
    const redirecting = await receiver(302, `http://127.0.0.1:${target.port}/elsewhere`);
    try {
      const url = `http://127.0.0.1:${redirecting.port}/hook`;
      const set = await t.gql(SET_WEBHOOK, { input: { partner: "open-range-data", url } }, { token: admin });
      expect(set.body.data!.setPartnerWebhook.userErrors).toEqual([]);
      const before = await t.services.db.manager.count(WebhookDelivery);
      await oneSignal(t, "redirect-1");
      await waitFor(async () => {
        const rows = await t.services.db.manager.find(WebhookDelivery, { order: { createdAt: "DESC" }, take: 1 });
        return (await t.services.db.manager.count(WebhookDelivery)) > before && rows[0].lastError === "HTTP 302";
      });
      expect(redirecting.seen.length).toBeGreaterThanOrEqual(1);
      expect(target.seen).toEqual([]);
    } finally {
      await new Promise((r) => target.server.close(r));
      await new Promise((r) => redirecting.server.close(r));
    }
  });

  it("still refuses non-loopback inward addresses (metadata, NAT64, CGNAT) under the allowance", async () => {
    hosts.map.set("meta.partner.test", ["169.254.169.254"]);
    hosts.map.set("nat.partner.test", ["64:ff9b::a9fe:a9fe"]);
    hosts.map.set("cg.partner.test", ["100.64.0.1"]);
    for (const name of ["meta.partner.test", "nat.partner.test", "cg.partner.test"]) {
      const r = await t.gql(
        SET_WEBHOOK,
        { input: { partner: "open-range-data", url: `https://${name}/hook` } },
        { token: admin },
      );
      expect(r.body.data!.setPartnerWebhook.userErrors).toEqual([
        { field: ["input", "url"], code: "INVALID", message: "A webhook URL must reach a public host" },
      ]);
    }
  });
});
