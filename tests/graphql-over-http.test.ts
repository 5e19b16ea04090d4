import { serverAudits } from "graphql-http";
import { startTestServer, type TestServer } from "./helpers/server";

// GraphQL over HTTP (issue 12): graphql-http's own audits of the spec's MUST, SHOULD and MAY
// rules, through the real server. No MUST may fail; the SHOULD and MAY ones Candor answers
// otherwise are listed, so that a change either way is a visible diff.
describe("GraphQL over HTTP: the spec's audits", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it("passes every MUST, and answers otherwise only where the spec allows it", async () => {
    const results = [];
    for (const audit of serverAudits({ url: t.url, fetchFn: fetch })) results.push(await audit.fn());
    expect(results.length).toBeGreaterThan(50);
    expect(results.filter((r) => r.status === "error").map((r) => r.name)).toEqual([]);
    // Refused requests keep their 4xx status (a client mistake is not a 200), and a GET without
    // Apollo's preflight header is refused (CSRF prevention): reviewed choices, not failures.
    expect(results.filter((r) => r.status !== "ok").map((r) => `${r.status}: ${r.name}`)).toEqual([
      "notice: MAY accept application/x-www-form-urlencoded formatted GET requests",
      "notice: MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/graphql-response+json",
      "notice: MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/json",
      "warn: SHOULD use 200 status code on document parsing failure when accepting application/json",
      "warn: SHOULD use 200 status code on document validation failure when accepting application/json",
      "warn: SHOULD use a status code of 200 on variable coercion failure when accepting application/json",
    ]);
  });
});
