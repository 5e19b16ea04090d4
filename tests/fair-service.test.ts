import { QUERY_LIMITS } from "../src/http/apollo";
import { postFrom } from "./helpers/post-from";
import { applyFixture, startTestServer, type TestServer } from "./helpers/server";

// Fair service (issue 12, defect 5): one anonymous client must not starve everyone. Its heavy
// query is priced by the rows it makes Candor build, each client has its own request budget
// (anonymous by address, signed in by principal), anonymous catalog answers come from a cache
// keyed by the catalog version, and an answer too large is refused whole. Behaviour and counts only.

/** The abusive shape of the issue: four nested catalog lists per alias. */
const practices = `privacyPolicy { dataPractices { recipients { agreements { dataCategories { key } } } } }`;
const heavy = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: ${practices}`).join(" ")} }`;
const entry = "seq hash previousHash actor action entityType entityId occurredAt";
const pagesOf = `query Pages($n: Int!) { ${[0, 1, 2, 3, 4, 5].map((i) => `a${i}: auditLog(first: $n) { edges { node { ${entry} } } }`).join(" ")} }`;

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe("Fair service under expensive anonymous queries", () => {
  describe("the cost model counts list sizes", () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer();
    });
    afterAll(() => t.close());

    it("refuses the issue's twenty-alias practice query, telling its cost and the limit, before running it", async () => {
      const r = await t.gql(heavy);
      expect(r.status).toBe(400);
      expect(r.body.data).toBeUndefined();
      expect(r.body.errors![0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
      const [, cost, limit] = /^Query cost (\d+) exceeds the limit of (\d+)$/.exec(r.body.errors![0].message) ?? [];
      expect(Number(limit)).toBe(QUERY_LIMITS.cost);
      // Four nested lists under each of 20 aliases: far over, not just over.
      expect(Number(cost)).toBeGreaterThan(20 * QUERY_LIMITS.cost);
      expect(r.sqlCount).toBe(0);
    });

    it("prices one such alias alone as costly too: four nested catalog lists are thousands of objects", async () => {
      const r = await t.gql(`{ ${practices} }`);
      expect(r.status).toBe(400);
      expect(r.body.errors![0].message).toMatch(/^Query cost \d+ exceeds the limit of \d+$/);
    });

    it("takes page sizes from `first`, variables included", async () => {
      const admin = await t.adminToken();
      const big = await t.gql(pagesOf, { n: 100 }, { token: admin });
      expect(big.status).toBe(400);
      expect(big.body.errors![0].message).toMatch(/^Query cost \d+ exceeds the limit of \d+$/);
      const small = await t.gql(pagesOf, { n: 5 }, { token: admin });
      expect(small.body.errors).toBeUndefined();
      expect(small.body.data!.a0.edges.length).toBeGreaterThan(0);
    });

    it("still runs the privacy page (the README's richest query)", async () => {
      const r = await t.gql(
        "{ privacyPolicy { version dataPractices { dataCategory { key } recipients { key } } } purposes { key dataCategories { key } } partners { key agreements { key dataCategories { key } } } }",
      );
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data!.partners.length).toBeGreaterThan(0);
    });
  });

  describe("in production", () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer({ demoCatalog: false, env: { NODE_ENV: "production" } });
    });
    afterAll(() => t.close());

    it("says only that the query is too costly", async () => {
      const r = await t.gql(heavy);
      expect(r.status).toBe(400);
      expect(r.body.errors).toEqual([
        { message: "Query is too costly", extensions: { code: "GRAPHQL_VALIDATION_FAILED" } },
      ]);
    });
  });

  describe("rate limits per client", () => {
    let t: TestServer;
    const query = "{ viewer { role } }";
    beforeAll(async () => {
      t = await startTestServer({
        demoCatalog: false,
        env: {
          CANDOR_RATE_LIMIT_ANONYMOUS: "3",
          CANDOR_RATE_LIMIT_SIGNED_IN: "4",
          CANDOR_RATE_LIMIT_WINDOW_SECONDS: "600",
        },
      });
    });
    afterAll(() => t.close());

    it("answers 429 with Retry-After after the configured number of anonymous requests from one address, while another address is served", async () => {
      for (let i = 0; i < 3; i++) expect((await postFrom(t.url, "127.0.0.1", query)).status).toBe(200);
      const refused = await postFrom(t.url, "127.0.0.1", query);
      expect(refused.status).toBe(429);
      const seconds = Number(refused.headers["retry-after"]);
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(600);
      expect(refused.body).toEqual({
        errors: [
          {
            message: `Too many requests: try again in ${seconds} s`,
            extensions: { code: "RATE_LIMITED", retryAfterSeconds: seconds },
          },
        ],
      });
      const other = await postFrom(t.url, "127.0.0.2", query);
      expect(other.status).toBe(200);
      expect(other.body).toEqual({ data: { viewer: { role: "ANONYMOUS" } } });
    });

    it("limits a signed-in principal by its own budget, apart from its address and from other principals", async () => {
      const [alice, bob] = [await t.subjectToken("fair-alice"), await t.subjectToken("fair-bob")];
      // 127.0.0.1 is out of anonymous budget (above), yet Alice is served from it, four times.
      for (let i = 0; i < 4; i++) {
        const r = await postFrom(t.url, "127.0.0.1", query, alice);
        expect(r.status).toBe(200);
        expect(r.body.data).toEqual({ viewer: { role: "SUBJECT" } });
      }
      // Her fifth is refused from any address: the budget follows the principal.
      const refused = await postFrom(t.url, "127.0.0.3", query, alice);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      expect(refused.body.errors[0].extensions.code).toBe("RATE_LIMITED");
      expect(refused.body.data).toBeUndefined();
      expect((await postFrom(t.url, "127.0.0.1", query, bob)).status).toBe(200);
    });

    it("counts bad credentials against the address", async () => {
      const bad = () => postFrom(t.url, "127.0.0.4", query, "not-a-token");
      for (let i = 0; i < 3; i++) expect((await bad()).status).toBe(401);
      const refused = await bad();
      expect(refused.status).toBe(429);
      expect(refused.body.errors[0].extensions.code).toBe("RATE_LIMITED");
    });
  });

  describe("anonymous catalog answers from the cache", () => {
    let t: TestServer;
    const query = "{ purposes { key name } privacyPolicy { version } }";
    beforeAll(async () => {
      t = await startTestServer({
        demoCatalog: false,
        env: { CANDOR_RESPONSE_CACHE_ENTRIES: "100", CANDOR_CATALOG_VERSION_POLL_MS: "20" },
      });
    });
    afterAll(() => t.close());

    const version = () => t.services.catalogVersion.current!;

    // The catalog is held in memory (issue 13), so a computed answer costs no SQL either: the
    // x-candor-cache header tells a kept answer from a computed one.
    const cached = (r: { headers: Headers }) => r.headers.get("x-candor-cache");

    it("serves the second identical anonymous query from the cache with 0 SQL statements, and never a signed-in one", async () => {
      const first = await t.gql(query);
      expect(first.body).toEqual({ data: { purposes: [], privacyPolicy: null } });
      expect(cached(first)).toBe("miss");
      const second = await t.gql(query);
      expect(second.body).toEqual(first.body);
      expect([cached(second), second.sqlCount]).toEqual(["hit", 0]);
      const admin = await t.gql(query, undefined, { token: await t.adminToken() });
      expect(cached(admin)).toBeNull();
      // Another query (or other variables) is another entry.
      expect(cached(await t.gql("{ purposes { key } }"))).toBe("miss");
    });

    it("is invalidated by a catalog apply", async () => {
      const before = version();
      await applyFixture(t, "small.yaml");
      await until(() => version() === before + 1);
      const fresh = await t.gql(query);
      expect(cached(fresh)).toBe("miss");
      expect(fresh.body.data!.purposes.map((p: { key: string }) => p.key)).toContain("recommendations");
      expect(fresh.body.data!.privacyPolicy).toEqual({ version: 1 });
      expect(cached(await t.gql(query))).toBe("hit");
    });

    it("is invalidated by publishing a policy", async () => {
      const before = version();
      const published = await t.gql(
        `mutation { publishPrivacyPolicy(input: {
          summary: "We keep page views for one year."
          summaryTranslations: [{ locale: "es", text: "Guardamos las páginas que ves durante un año." }]
          sections: [{ key: "what-we-collect", heading: "What we collect", body: "We keep what you buy and what you look at."
                       translations: [{ locale: "es", heading: "Qué datos recogemos", body: "Guardamos lo que compras y lo que miras." }] }]
        }) { privacyPolicy { version } userErrors { code message } } }`,
        undefined,
        { token: await t.adminToken() },
      );
      expect(published.body.data!.publishPrivacyPolicy).toEqual({ privacyPolicy: { version: 2 }, userErrors: [] });
      await until(() => version() === before + 1);
      const fresh = await t.gql(query);
      expect(cached(fresh)).toBe("miss");
      expect(fresh.body.data!.privacyPolicy).toEqual({ version: 2 });
    });

    it("never keeps an answer with errors or a mutation's", async () => {
      const bad = "{ purposes { key nope } }";
      await t.gql(bad);
      expect((await t.gql(bad)).status).toBe(400);
      const apply = 'mutation { hideSponsor(input: { sponsor: "x" }) { userErrors { code } } }';
      const once = await t.gql(apply);
      const twice = await t.gql(apply);
      expect(twice.body).toEqual(once.body);
      expect(twice.sqlCount).toBe(once.sqlCount);
    });
  });

  describe("answers too large", () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer({ env: { CANDOR_RESPONSE_LIMIT_BYTES: "4096" } });
    });
    afterAll(() => t.close());

    it("are refused whole with a typed error, never cut", async () => {
      const r = await t.gql("{ purposes { key name description benefit dataCategories { key name } } }");
      expect(r.status).toBe(400);
      expect(r.body).toEqual({
        errors: [
          {
            message: "The answer is larger than 4096 bytes: ask for fewer fields or smaller pages",
            extensions: { code: "RESPONSE_TOO_LARGE" },
          },
        ],
      });
      const small = await t.gql("{ purposes { key } }");
      expect(small.status).toBe(200);
      expect(small.body.data!.purposes.length).toBeGreaterThan(0);
    });
  });
});
