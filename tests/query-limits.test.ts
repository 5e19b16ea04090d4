import { QUERY_LIMITS } from "../src/http/apollo";
import { startTestServer, type TestServer } from "./helpers/server";

// Query limits: what a client is told when its query is refused, through the real HTTP server.
// Outside production the answer gives the limit and what the query came to; in production it says
// only which limit, never the numbers. Neither calls it a syntax error.

// auditLog → edges → node → 8 scalars, 100 at a time: about 3650 each; six of them are over 20000.
const entry = "seq hash previousHash actor action entityType entityId occurredAt";
const page = `auditLog(first: 100) { edges { node { ${entry} } } }`;
const costly = `{ ${Array.from({ length: 6 }, (_, i) => `a${i}: ${page}`).join(" ")} }`;
// partners → agreements → partner → …: 16 levels, over the limit of 12.
const levels = Array.from({ length: 15 }, (_, i) => (i === 0 ? "partners" : i % 2 ? "agreements" : "partner"));
const deep = `{ ${levels.join(" { ")} { key ${"} ".repeat(levels.length)}}`;
const aliased = `{ ${Array.from({ length: 25 }, (_, i) => `a${i}: viewer { role }`).join(" ")} }`;

function refusal(r: Awaited<ReturnType<TestServer["gql"]>>): { message: string; code: unknown } {
  expect(r.status).toBe(400);
  expect(r.body.data).toBeUndefined();
  expect(r.body.errors).toHaveLength(1);
  const [error] = r.body.errors!;
  expect(error.message).not.toMatch(/syntax error/i);
  return { message: error.message, code: error.extensions?.code };
}

describe("Query limits: what a client is told", () => {
  describe("outside production", () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer({ demoCatalog: false });
    });
    afterAll(() => t.close());

    it("a query over the cost limit is told its cost and the limit, as a validation failure", async () => {
      const { message, code } = refusal(await t.gql(costly));
      expect(code).toBe("GRAPHQL_VALIDATION_FAILED");
      const [, cost, limit] = /^Query cost (\d+) exceeds the limit of (\d+)$/.exec(message) ?? [];
      expect(Number(limit)).toBe(QUERY_LIMITS.cost);
      expect(Number(cost)).toBeGreaterThan(QUERY_LIMITS.cost);
    });

    it("a query over the depth limit is told its depth and the limit", async () => {
      const { message, code } = refusal(await t.gql(deep));
      expect(code).toBe("GRAPHQL_VALIDATION_FAILED");
      const [, depth, limit] = /^Query depth (\d+) exceeds the limit of (\d+)$/.exec(message) ?? [];
      expect(Number(limit)).toBe(QUERY_LIMITS.depth);
      expect(Number(depth)).toBeGreaterThan(QUERY_LIMITS.depth);
    });

    it("a query over the alias limit is told how many aliases it has and the limit", async () => {
      const { message, code } = refusal(await t.gql(aliased));
      expect(code).toBe("GRAPHQL_VALIDATION_FAILED");
      expect(message).toBe(`Query has 25 aliases, over the limit of ${QUERY_LIMITS.aliases}`);
    });

    it("a query within the limits still runs", async () => {
      const r = await t.gql("{ viewer { role } }");
      expect(r.body).toEqual({ data: { viewer: { role: "ANONYMOUS" } } });
    });
  });

  describe("in production", () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer({ demoCatalog: false, env: { NODE_ENV: "production" } });
    });
    afterAll(() => t.close());

    it.each([
      ["cost", costly, "Query is too costly"],
      ["depth", deep, "Query is too deep"],
      ["alias", aliased, "Query has too many aliases"],
    ])("a query over the %s limit is told only which limit, with no numbers", async (_limit, query, said) => {
      const { message, code } = refusal(await t.gql(query));
      expect(code).toBe("GRAPHQL_VALIDATION_FAILED");
      expect(message).toBe(said);
      expect(message).not.toMatch(/\d/);
    });
  });
});
