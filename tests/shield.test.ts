import { graphql } from "graphql";
import { applyMiddleware } from "graphql-middleware";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { admin, anyOf, anyone, scope, subject } from "../src/kernel/rules";
import { ANONYMOUS, Role, type Principal } from "../src/kernel/principal";
import { permissionsMiddleware } from "../src/app/permissions";

// The permission layer's settings, on a schema small enough to show each behaviour: deny by
// default, FORBIDDEN for denials, and resolvers' own errors passed through untouched.
const schema = applyMiddleware(
  makeExecutableSchema({
    typeDefs: "type Query { open: String, adminOnly: String, forEngine: String, unlisted: String, failing: String }",
    resolvers: {
      Query: {
        open: () => "open",
        adminOnly: () => "secret",
        forEngine: () => "engine",
        unlisted: () => "should never be seen",
        failing: () => {
          throw Object.assign(new Error("boom"), { extensions: { code: "NOT_FOUND" } });
        },
      },
    },
  }),
  permissionsMiddleware({
    Query: { open: anyone, adminOnly: admin, forEngine: anyOf(scope("consent:read"), subject), failing: anyone },
  }),
);

const run = (query: string, principal: Principal) => graphql({ schema, source: query, contextValue: { principal } });

describe("Permissions: every field is denied unless a rule lets the caller in", () => {
  it("denies a field without a rule with FORBIDDEN, even to admins", async () => {
    const result = await run("{ unlisted }", { role: Role.ADMIN, scopes: [] });
    expect(result.data?.unlisted).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("applies roles and scopes", async () => {
    expect((await run("{ open adminOnly }", ANONYMOUS)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await run("{ adminOnly }", { role: Role.ADMIN, scopes: [] })).data?.adminOnly).toBe("secret");
    expect((await run("{ forEngine }", { role: Role.SERVICE, scopes: ["consent:read"] })).data?.forEngine).toBe(
      "engine",
    );
    expect(
      (await run("{ forEngine }", { role: Role.SERVICE, scopes: ["consent:write"] })).errors?.[0]?.extensions?.code,
    ).toBe("FORBIDDEN");
    expect((await run("{ forEngine }", { role: Role.SUBJECT, scopes: [] })).data?.forEngine).toBe("engine");
  });

  it("lets a resolver's own error through instead of turning it into FORBIDDEN", async () => {
    const result = await run("{ failing }", ANONYMOUS);
    expect(result.errors?.[0]?.message).toBe("boom");
  });
});
