import { ConfigError, loadConfig } from "../src/config";
import { postFrom } from "./helpers/post-from";
import { freePort } from "./helpers/ports";
import { redisInstalled, startPrivateRedis, type PrivateRedis } from "./helpers/private-redis";
import { startTestServer, type TestServer } from "./helpers/server";

// Whose budget a request spends (issue 12, defect 5): the address a client cannot choose — the
// peer's, or the one trusted proxies forwarded — and one budget across every Candor process when
// they share Redis. Redis here is a private redis-server started by the test.

const query = "{ viewer { role } }";
const limits = { CANDOR_RATE_LIMIT_ANONYMOUS: "2", CANDOR_RATE_LIMIT_WINDOW_SECONDS: "600" };

async function statuses(send: () => Promise<{ status: number }>, times: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < times; i++) seen.push((await send()).status);
  return seen;
}

describe("Whose budget a request spends", () => {
  describe("without trusted proxies", () => {
    let t: TestServer;
    beforeAll(async () => (t = await startTestServer({ demoCatalog: false, env: limits })));
    afterAll(() => t.close());

    it("ignores X-Forwarded-For: a client cannot name a fresh address for each request", async () => {
      let n = 0;
      const spoofed = () => postFrom(t.url, "127.0.0.5", query, undefined, { "x-forwarded-for": `203.0.113.${++n}` });
      expect(await statuses(spoofed, 3)).toEqual([200, 200, 429]);
    });
  });

  describe("behind a trusted proxy", () => {
    let t: TestServer;
    beforeAll(
      async () =>
        (t = await startTestServer({ demoCatalog: false, env: { ...limits, CANDOR_TRUSTED_PROXIES: "127.0.0.1" } })),
    );
    afterAll(() => t.close());

    it("counts the forwarded client, each apart", async () => {
      const via = (client: string) => () =>
        postFrom(t.url, "127.0.0.1", query, undefined, { "x-forwarded-for": client });
      expect(await statuses(via("203.0.113.7"), 3)).toEqual([200, 200, 429]);
      expect(await statuses(via("203.0.113.8"), 1)).toEqual([200]);
    });

    it("takes the hop the proxy saw, not an address the client prepended", async () => {
      // The client wrote "203.0.113.8"; the proxy appended the address it really came from.
      const forged = () =>
        postFrom(t.url, "127.0.0.1", query, undefined, { "x-forwarded-for": "203.0.113.8, 198.51.100.4" });
      expect(await statuses(forged, 3)).toEqual([200, 200, 429]);
    });

    it("does not believe a peer that is not a trusted proxy", async () => {
      let n = 0;
      const direct = () => postFrom(t.url, "127.0.0.6", query, undefined, { "x-forwarded-for": `198.51.100.${++n}` });
      expect(await statuses(direct, 3)).toEqual([200, 200, 429]);
    });
  });

  it("refuses a malformed CANDOR_TRUSTED_PROXIES at start-up", () => {
    expect(() => loadConfig({ CANDOR_TRUSTED_PROXIES: "10.0.0.0/99" })).toThrow(ConfigError);
    expect(loadConfig({ CANDOR_TRUSTED_PROXIES: "loopback, 10.0.0.0/8" }).trustedProxies).toEqual([
      "loopback",
      "10.0.0.0/8",
    ]);
  });

  (redisInstalled ? describe : describe.skip)("two Candor processes sharing Redis", () => {
    let redis: PrivateRedis;
    let a: TestServer;
    let b: TestServer;
    beforeAll(async () => {
      redis = await startPrivateRedis();
      const env = { ...limits, CANDOR_RATE_LIMIT_SIGNED_IN: "3", CANDOR_REDIS_URL: redis.url };
      a = await startTestServer({ demoCatalog: false, env });
      b = await startTestServer({ demoCatalog: false, env });
    });
    afterAll(async () => {
      await a.close();
      await b.close();
      await redis.stop();
    });

    it("spend one budget per address, whichever process answers", async () => {
      const seen = [
        (await postFrom(a.url, "127.0.0.7", query)).status,
        (await postFrom(b.url, "127.0.0.7", query)).status,
        (await postFrom(a.url, "127.0.0.7", query)).status,
        (await postFrom(b.url, "127.0.0.7", query)).status,
      ];
      expect(seen).toEqual([200, 200, 429, 429]);
    });

    it("and one budget per principal", async () => {
      const token = await a.subjectToken("budget-shared");
      const seen: number[] = [];
      for (const server of [a, b, a, b]) seen.push((await postFrom(server.url, "127.0.0.8", query, token)).status);
      expect(seen).toEqual([200, 200, 200, 429]);
    });

    it("keeps limiting, each process on its own, while Redis is down", async () => {
      await redis.stop();
      expect(await statuses(() => postFrom(a.url, "127.0.0.9", query), 3)).toEqual([200, 200, 429]);
    });
  });

  it("starts and limits per process when Redis cannot be reached at all", async () => {
    const t = await startTestServer({
      demoCatalog: false,
      env: { ...limits, CANDOR_REDIS_URL: `redis://127.0.0.1:${await freePort()}` },
    });
    try {
      expect(await statuses(() => postFrom(t.url, "127.0.0.10", query), 3)).toEqual([200, 200, 429]);
    } finally {
      await t.close();
    }
  });
});
