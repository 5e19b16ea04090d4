import { startTestServer, type TestServer } from "./helpers/server";

// Issue 14: standard clients (Apollo Client, urql, Relay, code generators) send @include/@skip and
// build a client schema from introspection: the served schema must keep GraphQL's own directives
// beside Candor's @cacheControl.
describe("GraphQL's built-in directives", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it.each([
    ["@include(if: true)", true],
    ["@include(if: false)", false],
    ["@skip(if: true)", false],
    ["@skip(if: false)", true],
  ])("%s keeps the field: %s", async (directive, kept) => {
    const r = await t.gql(`{ purposes { key name ${directive} } }`);
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    const purposes = r.body.data!.purposes as Array<Record<string, unknown>>;
    expect(purposes.length).toBeGreaterThan(0);
    for (const purpose of purposes) expect("name" in purpose).toBe(kept);
  });

  it("takes the condition from a variable, as generated clients send it", async () => {
    const query = "query Purposes($withName: Boolean!) { purposes { key name @include(if: $withName) } }";
    const on = await t.gql(query, { withName: true });
    const off = await t.gql(query, { withName: false });
    expect(on.body.data!.purposes[0].name).toEqual(expect.any(String));
    expect(off.body.data!.purposes[0]).not.toHaveProperty("name");
  });

  it("lists the five built-ins and @cacheControl in introspection", async () => {
    const r = await t.gql("{ __schema { directives { name isRepeatable locations args { name } } } }");
    expect(r.body.errors).toBeUndefined();
    const names = (r.body.data!.__schema.directives as Array<{ name: string }>).map((d) => d.name).sort();
    expect(names).toEqual(["cacheControl", "deprecated", "include", "oneOf", "skip", "specifiedBy"]);
  });
});
