import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startTestServer, type TestServer } from "./helpers/server";

// Every query the README shows must run, through the real server and its query limits.
const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
const queries = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);

describe("README queries", () => {
  let t: TestServer;
  let purposeId: string;
  beforeAll(async () => {
    t = await startTestServer();
    purposeId = (await t.gql("{ purposes { id } }")).body.data!.purposes[0].id;
  });
  afterAll(() => t.close());

  it("are there to test", () => {
    expect(queries.length).toBeGreaterThanOrEqual(4);
  });

  it.each(queries.map((q) => [q.split("\n")[0], q]))("%s runs without errors", async (_name, query) => {
    for (const token of [undefined, await t.adminToken()]) {
      const r = await t.gql(query, query.includes("$id") ? { id: purposeId } : {}, { token });
      expect(r.body.errors).toBeUndefined();
      expect(r.status).toBe(200);
    }
  });
});
