import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { WebhookAttempt, WebhookDelivery } from "../src/modules/sharing/webhook.entity";
import { WebhookDispatcher } from "../src/modules/sharing/webhooks";
import { UPDATE } from "./helpers/consent";
import { startTestServer, TEST_DEFAULT_JURISDICTION, TEST_JWT_SECRET, type TestServer } from "./helpers/server";
import { agreementIds, share } from "./helpers/sharing";

/** A partner's endpoint: checks every signature, fails the first `failures` tries of each message. */
class Receiver {
  server: Server;
  url = "";
  secret = "";
  tries = new Map<string, number>();
  accepted = new Map<string, number>();
  bodies = new Map<string, any>();
  badSignatures = 0;

  constructor(public failures: number) {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const id = String(req.headers["webhook-id"]);
        try {
          new Webhook(this.secret).verify(body, req.headers as Record<string, string>);
        } catch {
          this.badSignatures += 1;
          res.writeHead(401).end();
          return;
        }
        const tries = (this.tries.get(id) ?? 0) + 1;
        this.tries.set(id, tries);
        if (tries <= this.failures) {
          res.writeHead(500).end("not yet");
          return;
        }
        this.accepted.set(id, (this.accepted.get(id) ?? 0) + 1);
        this.bodies.set(id, JSON.parse(body));
        res.writeHead(204).end();
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/candor`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function waitFor(check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("timed out waiting");
}

const SET_WEBHOOK = `mutation($input: SetPartnerWebhookInput!) { setPartnerWebhook(input: $input) { partner { key } secret userErrors { field code message } } }`;
const ENV = { CANDOR_SIGNAL_LAG_MS: "0", CANDOR_WEBHOOK_BACKOFF_MS: "40", CANDOR_WEBHOOK_POLL_MS: "60000" };

describe("Partner webhooks (each signal pushed to the partner's URL)", () => {
  let t: TestServer;
  let admin: string;
  let engine: string;
  let sale: string;
  beforeAll(async () => {
    t = await startTestServer({ env: ENV });
    admin = await t.adminToken();
    engine = await t.serviceKey(["sharing:write"]);
    sale = (await agreementIds(t))["audience-data-sale"];
  });
  afterAll(() => t.close());

  const withdrawAfterSharing = async (people: string[]) => {
    await share(
      t,
      engine,
      people.map((p) => ({
        subjectExternalId: p,
        agreement: sale,
        dataCategories: ["user.behavior.purchase_history"],
      })),
    );
    for (const p of people) {
      await t.gql(
        UPDATE,
        { input: { channel: "WEB", changes: [{ purpose: "sale-to-data-partners", granted: false }] } },
        { token: await t.subjectToken(p) },
      );
    }
  };

  it("are set by admins only, to https (or loopback in development), with a secret shown once", async () => {
    const bad = await t.gql(
      SET_WEBHOOK,
      { input: { partner: "open-range-data", url: "http://partner.example/hooks" } },
      { token: admin },
    );
    expect(bad.body.data!.setPartnerWebhook.userErrors[0]).toMatchObject({ field: ["input", "url"], code: "INVALID" });
    const unknown = await t.gql(
      SET_WEBHOOK,
      { input: { partner: "nobody", url: "https://x.example" } },
      { token: admin },
    );
    expect(unknown.body.data!.setPartnerWebhook.userErrors[0].code).toBe("NOT_FOUND");
    const byPartner = await t.gql(
      SET_WEBHOOK,
      { input: { partner: "open-range-data", url: "https://x.example" } },
      { token: await t.partnerKey("open-range-data") },
    );
    expect(byPartner.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const ok = await t.gql(
      SET_WEBHOOK,
      { input: { partner: "open-range-data", url: "https://hooks.partner.example/candor" } },
      { token: admin },
    );
    expect(ok.body.data!.setPartnerWebhook.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
    const removed = await t.gql(SET_WEBHOOK, { input: { partner: "open-range-data", url: null } }, { token: admin });
    expect(removed.body.data!.setPartnerWebhook).toMatchObject({ secret: null, userErrors: [] });
  });

  it("refuse URLs that reach private or cloud metadata addresses, or that are not https", async () => {
    for (const url of [
      "https://169.254.169.254/latest",
      "https://10.0.0.5/hook",
      "https://192.168.1.2/hook",
      "ftp://x.example/",
    ]) {
      const r = await t.gql(
        `mutation($url: String) { setPartnerWebhook(input: { partner: "open-range-data", url: $url }) { secret userErrors { code field } } }`,
        { url },
        { token: admin },
      );
      expect(r.body.data!.setPartnerWebhook).toEqual({
        secret: null,
        userErrors: [{ code: "INVALID", field: ["input", "url"] }],
      });
    }
  });

  it("deliver every signal, signed per Standard Webhooks, retrying failures with the same webhook-id, recording every attempt", async () => {
    const receiver = new Receiver(2);
    await receiver.listen();
    try {
      const set = await t.gql(
        SET_WEBHOOK,
        { input: { partner: "open-range-data", url: receiver.url } },
        { token: admin },
      );
      receiver.secret = set.body.data!.setPartnerWebhook.secret;
      await withdrawAfterSharing(["hook-1", "hook-2", "hook-3"]);
      await waitFor(() => receiver.accepted.size === 3);
      expect(receiver.badSignatures).toBe(0);
      for (const [id, count] of receiver.accepted) {
        expect(count).toBe(1);
        expect(receiver.tries.get(id)).toBe(3);
        expect(receiver.bodies.get(id)).toMatchObject({
          type: "partner.signal.opt_out_of_sale",
          data: { kind: "OPT_OUT_OF_SALE", subjectRef: expect.stringMatching(/^[0-9a-f]{64}$/) },
        });
      }
      const feed = await t.gql(
        `{ partnerSignals(first: 100) { edges { node { id } } } }`,
        {},
        { token: await t.partnerKey("open-range-data") },
      );
      const delivered = [...receiver.bodies.values()].map((b) => b.data.id);
      expect(feed.body.data!.partnerSignals.edges.map((e: any) => e.node.id)).toEqual(
        expect.arrayContaining(delivered),
      );
      await waitFor(
        async () => (await t.services.db.manager.countBy(WebhookDelivery, { status: "DELIVERED" as never })) === 3,
      );
      expect(await t.services.db.manager.count(WebhookAttempt)).toBe(9);
    } finally {
      await receiver.close();
    }
  });

  it("resume pending deliveries after a restart: the outbox, not the process, holds them", async () => {
    const receiver = new Receiver(1_000_000);
    await receiver.listen();
    try {
      const set = await t.gql(
        SET_WEBHOOK,
        { input: { partner: "open-range-data", url: receiver.url } },
        { token: admin },
      );
      receiver.secret = set.body.data!.setPartnerWebhook.secret;
      await withdrawAfterSharing(["restart-1"]);
      await waitFor(() => receiver.tries.size === 1);
      await t.services.dispatcher.stop(); // the process goes down with the delivery pending
      receiver.failures = 0;
      const restarted = new WebhookDispatcher(t.services.db, t.services.config, t.services.logger);
      restarted.start();
      try {
        await waitFor(() => receiver.accepted.size === 1);
      } finally {
        await restarted.stop();
        t.services.dispatcher.start();
      }
    } finally {
      await receiver.close();
    }
  });

  it("give up after the maximum number of attempts", async () => {
    // Nobody listens here: every attempt fails.
    const dead = new Receiver(0);
    await dead.listen();
    const url = dead.url;
    await dead.close();
    await t.gql(SET_WEBHOOK, { input: { partner: "open-range-data", url } }, { token: admin });
    await withdrawAfterSharing(["dead-1"]);
    await waitFor(
      async () => (await t.services.db.manager.countBy(WebhookDelivery, { status: "FAILED" as never })) === 1,
    );
    const failed = await t.services.db.manager.findOneByOrFail(WebhookDelivery, { status: "FAILED" as never });
    expect(failed.attempts).toBe(t.services.config.webhookMaxAttempts);
  });
});

/** A second Candor process on the same database (its own pool and dispatcher). */
function startProcess(databaseUrl: string, port: number): ChildProcess {
  return spawn(process.execPath, ["-r", "ts-node/register/transpile-only", join(__dirname, "..", "src", "main.ts")], {
    cwd: join(__dirname, ".."),
    env: {
      ...process.env,
      ...ENV,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      CANDOR_JWT_SECRET: TEST_JWT_SECRET,
      CANDOR_DEFAULT_JURISDICTION: TEST_DEFAULT_JURISDICTION,
      CANDOR_LOAD_DEMO_CATALOG: "false",
    },
    stdio: "ignore",
  });
}

describe("Partner webhooks from two Candor processes on one database", () => {
  it("deliver each signal once: one process claims a delivery at a time", async () => {
    const t = await startTestServer({ env: ENV });
    const receiver = new Receiver(1);
    await receiver.listen();
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const other = startProcess(t.services.config.databaseUrl, port);
    try {
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null))?.status === 200,
        60_000,
      );
      const set = await t.gql(
        SET_WEBHOOK,
        { input: { partner: "open-range-data", url: receiver.url } },
        { token: await t.adminToken() },
      );
      receiver.secret = set.body.data!.setPartnerWebhook.secret;
      const engine = await t.serviceKey(["sharing:write"]);
      const sale = (await agreementIds(t))["audience-data-sale"];
      const people = Array.from({ length: 12 }, (_, i) => `two-${i}`);
      await share(
        t,
        engine,
        people.map((p) => ({
          subjectExternalId: p,
          agreement: sale,
          dataCategories: ["user.behavior.purchase_history"],
        })),
      );
      // Withdrawals through both processes, so both dispatchers wake.
      const otherUrl = `http://127.0.0.1:${port}/graphql`;
      await Promise.all(
        people.map(async (p, i) => {
          const body = JSON.stringify({
            query: UPDATE,
            variables: { input: { channel: "WEB", changes: [{ purpose: "sale-to-data-partners", granted: false }] } },
          });
          const headers = { "content-type": "application/json", authorization: `Bearer ${await t.subjectToken(p)}` };
          const r = await fetch(i % 2 ? otherUrl : t.url, { method: "POST", headers, body });
          expect(((await r.json()) as any).data.updateConsents.userErrors).toEqual([]);
        }),
      );
      await waitFor(() => receiver.accepted.size === people.length, 30_000);
      await new Promise((r) => setTimeout(r, 300));
      expect([...receiver.accepted.values()].every((n) => n === 1)).toBe(true);
      expect(receiver.badSignatures).toBe(0);
    } finally {
      other.kill("SIGTERM");
      await receiver.close();
      await t.close();
    }
  });
});
