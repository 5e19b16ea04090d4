import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../src/config";
import { createServices } from "../src/app/services";
import { startServer } from "../src/http/start";
import { PersistedOperations, sha256Hex } from "../src/http/persisted";
import { startTestServer, testConfig, type TestServer } from "./helpers/server";

// Apollo's automatic persisted queries (APQ), and the production lock on a manifest of the
// client's operations (CANDOR_PERSISTED_ONLY), through the real server.

const FIXTURE = join(__dirname, "fixtures", "persisted-operations.json");
const manifest = JSON.parse(readFileSync(FIXTURE, "utf8")) as { operations: Array<{ id: string; body: string }> };
const [PURPOSES, VIEWER] = manifest.operations;
const apq = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });

async function post(t: TestServer, payload: Record<string, unknown>, headers: Record<string, string> = {}) {
  const r = await fetch(t.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(payload),
  });
  return { status: r.status, headers: r.headers, body: (await r.json()) as any };
}

/** A GET as Apollo Client sends a hashed query (useGETForHashedQueries): the hash alone, in the URL. */
async function getByHash(t: TestServer, hash: string) {
  const url = `${t.url}?extensions=${encodeURIComponent(JSON.stringify(apq(hash)))}`;
  const r = await fetch(url, { headers: { "apollo-require-preflight": "true" } });
  return {
    status: r.status,
    headers: r.headers,
    body: (await r.json()) as any,
    sqlCount: Number(r.headers.get("x-candor-sql-count")),
  };
}

describe("automatic persisted queries (no lock)", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ env: { CANDOR_RESPONSE_CACHE_ENTRIES: "100" } });
  });
  afterAll(() => t.close());

  it("asks for the text of an unknown hash, registers it with the text, then runs it by hash", async () => {
    const query = "query AllPurposes { purposes { key } }";
    const hash = sha256Hex(query);
    const unknown = await post(t, { extensions: apq(hash) });
    expect(unknown.body.errors[0].extensions.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    const registered = await post(t, { query, extensions: apq(hash) });
    expect(registered.status).toBe(200);
    const byHash = await post(t, { extensions: apq(hash) });
    expect(byHash.status).toBe(200);
    expect(byHash.body.data).toEqual(registered.body.data);
    expect(byHash.body.data.purposes.length).toBeGreaterThan(0);
  });

  it("refuses a hash that is not the text's SHA-256, or another APQ version, as the client's mistake", async () => {
    const mismatch = await post(t, { query: "{ purposes { key } }", extensions: apq("0".repeat(64)) });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors[0]).toEqual({
      message: "provided sha does not match query",
      extensions: { code: "BAD_REQUEST" },
    });
    const version = await post(t, { extensions: { persistedQuery: { version: 2, sha256Hash: "0".repeat(64) } } });
    expect(version.status).toBe(400);
    expect(version.body.errors[0].extensions.code).toBe("BAD_REQUEST");
  });

  it("runs the README's curl example: its hash is its text's, and its three steps answer as shown", async () => {
    const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Persisted queries"));
    const example = /```sh\n([\s\S]*?)```/.exec(section)![1];
    const text = /printf '%s' '([^']+)'/.exec(example)![1];
    const hashes = new Set(example.match(/[0-9a-f]{64}/g));
    expect([...hashes]).toEqual([sha256Hex(text)]);
    const payloads = [...example.matchAll(/-d '(\{.*\})'/g)].map((m) => JSON.parse(m[1]));
    expect(payloads).toHaveLength(2);
    expect(payloads[1].query).toBe(text);
    const first = await post(t, payloads[0]);
    expect(JSON.stringify(first.body)).toBe(/# (\{"errors".*)/.exec(example)![1]);
    expect((await post(t, payloads[1])).body.data.purposes.length).toBeGreaterThan(0);
    const third = await getByHash(t, [...hashes][0]);
    expect(third.headers.get("cache-control")).toBe("max-age=60, public");
    expect(third.body.data.purposes[0]).toEqual({ key: expect.any(String), name: expect.any(String) });
  });

  it("serves an anonymous catalog GET by hash from the response cache the second time (no SQL)", async () => {
    await post(t, { query: PURPOSES.body, extensions: apq(PURPOSES.id) });
    const first = await getByHash(t, PURPOSES.id);
    const second = await getByHash(t, PURPOSES.id);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toMatch(/public/);
    expect(second.body).toEqual(first.body);
    expect(second.sqlCount).toBe(0);
  });
});

describe("CANDOR_PERSISTED_ONLY: only the manifest's operations run", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({
      env: {
        CANDOR_PERSISTED_ONLY: "true",
        CANDOR_PERSISTED_MANIFEST: FIXTURE,
        CANDOR_RESPONSE_CACHE_ENTRIES: "100",
      },
    });
  });
  afterAll(() => t.close());

  it("runs a listed operation by its hash alone on a fresh server, by POST and by GET", async () => {
    const posted = await post(t, { extensions: apq(VIEWER.id) });
    expect(posted.status).toBe(200);
    expect(posted.body).toEqual({ data: { viewer: { role: "ANONYMOUS" } } });
    const got = await getByHash(t, PURPOSES.id);
    expect(got.status).toBe(200);
    expect(got.body.data.purposes.length).toBeGreaterThan(0);
  });

  it("runs a listed operation sent as its exact text, with a credential too", async () => {
    const token = await t.subjectToken("person-persisted");
    const r = await post(t, { query: VIEWER.body }, { authorization: `Bearer ${token}` });
    expect(r.body).toEqual({ data: { viewer: { role: "SUBJECT" } } });
  });

  it.each([
    ["an unlisted text", { query: "{ viewer { role } }" }],
    ["a listed text spelled differently", { query: `${VIEWER.body} ` }],
    ["an unlisted hash", { extensions: apq(sha256Hex("{ viewer { role } }")) }],
    ["an unlisted text under a listed hash", { query: "{ viewer { role } }", extensions: apq(VIEWER.id) }],
    [
      "an unlisted mutation",
      { query: "mutation { updateConsents(input: { changes: [] }) { userErrors { code } } }", operationName: null },
    ],
  ])("refuses %s with HTTP 400 PERSISTED_QUERY_NOT_ALLOWED, running no SQL", async (_what, payload) => {
    const r = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await t.subjectToken("person-x")}` },
      body: JSON.stringify(payload),
    });
    expect(r.status).toBe(400);
    expect(r.headers.get("x-candor-sql-count")).toBe("0");
    expect(r.headers.get("x-request-id")).toBeTruthy();
    const body = (await r.json()) as any;
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions.code).toBe("PERSISTED_QUERY_NOT_ALLOWED");
    expect(body.errors[0].message).toMatch(/persisted query manifest/);
  });

  it("refuses an unlisted GET too, with the answer the README shows", async () => {
    const url = `${t.url}?query=${encodeURIComponent("{ purposes { key } }")}`;
    const r = await fetch(url, { headers: { "apollo-require-preflight": "true" } });
    expect(r.status).toBe(400);
    const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
    const shown = /```json\n(\{"errors".*PERSISTED_QUERY_NOT_ALLOWED.*)\n```/.exec(readme)![1];
    expect(await r.json()).toEqual(JSON.parse(shown));
  });

  it("keeps anonymous catalog GETs cacheable: the second runs no SQL", async () => {
    const first = await getByHash(t, PURPOSES.id);
    const second = await getByHash(t, PURPOSES.id);
    expect(first.headers.get("cache-control")).toMatch(/public/);
    expect(second.body).toEqual(first.body);
    expect(second.sqlCount).toBe(0);
  });
});

describe("the manifest is checked when Candor starts", () => {
  const dir = mkdtempSync(join(tmpdir(), "candor-manifest-"));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const valid = readFileSync(FIXTURE, "utf8");

  it("reads the fixture (two operations)", () => {
    expect(PersistedOperations.read(FIXTURE).size).toBe(2);
  });

  it.each([
    ["a missing file", join(dir, "absent.json"), /cannot be read \(ENOENT\)/],
    ["text that is not JSON", write("text.json", "operations:"), /is not JSON/],
    ["another format", write("format.json", valid.replace("apollo-persisted-query-manifest", "relay")), /must be/],
    [
      "no operation",
      write("empty.json", valid.replace(/"operations": \[[\s\S]*\]/, '"operations": []')),
      /no operation/,
    ],
    ["an id that is not the body's hash", write("stale.json", valid.replace("key name", "key")), /not the SHA-256/],
    ["an unknown type", write("type.json", valid.replace('"type": "query"', '"type": "fragment"')), /has type/],
  ])("refuses %s", (_what, path, message) => {
    expect(() => PersistedOperations.read(path)).toThrow(ConfigError);
    expect(() => PersistedOperations.read(path)).toThrow(message);
  });

  it("does not serve when CANDOR_PERSISTED_ONLY is on and the manifest is missing", async () => {
    const config = await testConfig({
      CANDOR_PERSISTED_ONLY: "true",
      CANDOR_PERSISTED_MANIFEST: join(dir, "absent.json"),
    });
    const services = await createServices(config);
    try {
      await expect(startServer(services)).rejects.toThrow(/CANDOR_PERSISTED_ONLY needs a persisted query manifest/);
    } finally {
      await services.db.close();
    }
  });
});
