import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from "jose";
import { applyFixture, startTestServer, TEST_JWT_SECRET, type TestServer } from "./helpers/server";

const VIEWER = "{ viewer { role scopes partner { key } } }";
const secret = new TextEncoder().encode(TEST_JWT_SECRET);

const expectUnauthenticated = (result: Awaited<ReturnType<TestServer["gql"]>>) => {
  expect(result.status).toBe(401);
  expect(result.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  expect(result.body.data ?? null).toBeNull();
};

describe("Authentication: each credential acts as the principal it names", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ demoCatalog: false });
    await applyFixture(t, "small.yaml");
  });
  afterAll(() => t.close());

  it("no credentials: anonymous", async () => {
    const r = await t.gql(VIEWER);
    expect(r.status).toBe(200);
    expect(r.body.data?.viewer).toEqual({ role: "ANONYMOUS", scopes: [], partner: null });
  });

  it("a subject JWT: the subject", async () => {
    const r = await t.gql(VIEWER, {}, { token: await t.subjectToken("person-1") });
    expect(r.body.data?.viewer).toEqual({ role: "SUBJECT", scopes: [], partner: null });
  });

  it("an admin JWT: admin", async () => {
    const r = await t.gql(VIEWER, {}, { token: await t.adminToken() });
    expect(r.body.data?.viewer.role).toBe("ADMIN");
  });

  it("a service key: the service with its scopes", async () => {
    const key = await t.serviceKey(["consent:read", "decisions:write"]);
    expect(key).toMatch(/^cnd_[A-Za-z0-9_-]{32}$/);
    const r = await t.gql(VIEWER, {}, { token: key });
    expect(r.body.data?.viewer).toEqual({
      role: "SERVICE",
      scopes: ["consent:read", "decisions:write"],
      partner: null,
    });
  });

  it("a partner key: the partner it is bound to", async () => {
    const r = await t.gql(VIEWER, {}, { token: await t.partnerKey("geo-broker") });
    expect(r.body.data?.viewer).toEqual({ role: "PARTNER", scopes: [], partner: { key: "geo-broker" } });
  });

  it("keys are stored only as SHA-256 hashes", async () => {
    const key = await t.serviceKey(["consent:read"], "hash-check");
    const rows = await t.services.db.manager.query("SELECT prefix, hash FROM api_key WHERE name = 'hash-check'");
    expect(rows).toHaveLength(1);
    expect(rows[0].prefix).toBe(key.slice(0, 12));
    expect(rows[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(key.slice(12));
  });

  it("a revoked key: UNAUTHENTICATED", async () => {
    const key = await t.serviceKey(["consent:read"], "to-revoke");
    expect((await t.gql(VIEWER, {}, { token: key })).status).toBe(200);
    await t.services.apiKeys.revoke(key.slice(0, 12));
    expectUnauthenticated(await t.gql(VIEWER, {}, { token: key }));
  });

  it("unknown keys, malformed tokens and bad headers: UNAUTHENTICATED, never anonymous or 500", async () => {
    expectUnauthenticated(await t.gql(VIEWER, {}, { token: "cnd_doesnotexist000000000000000000000" }));
    expectUnauthenticated(await t.gql(VIEWER, {}, { token: "not-a-jwt" }));
    expectUnauthenticated(await t.gql(VIEWER, {}, { token: "a.b.c" }));
    expectUnauthenticated(await t.gql(VIEWER, {}, { headers: { authorization: "Basic dXNlcjpwYXNz" } }));
    expectUnauthenticated(await t.gql(VIEWER, {}, { headers: { authorization: "Bearer" } }));
  });

  it("an expired JWT: UNAUTHENTICATED", async () => {
    const expired = await new SignJWT({ role: "subject" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("p")
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(secret);
    const r = await t.gql(VIEWER, {}, { token: expired });
    expectUnauthenticated(r);
    expect(r.body.errors?.[0]?.message).toContain("expired");
  });

  it("a JWT without expiry, signed with another key, or with alg none: UNAUTHENTICATED", async () => {
    const noExp = await new SignJWT({ role: "subject" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("p")
      .sign(secret);
    const wrongKey = await new SignJWT({ role: "admin" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("p")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("another-secret-that-is-long-enough-to-use"));
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const none = `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "p", role: "admin", exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
    for (const token of [noExp, wrongKey, none]) expectUnauthenticated(await t.gql(VIEWER, {}, { token }));
  });

  it("a JWT with an unknown role or a malformed jurisdiction: UNAUTHENTICATED", async () => {
    const sign = (claims: object) =>
      new SignJWT(claims as never)
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("p")
        .setExpirationTime("1h")
        .sign(secret);
    expectUnauthenticated(await t.gql(VIEWER, {}, { token: await sign({ role: "superuser" }) }));
    expectUnauthenticated(
      await t.gql(VIEWER, {}, { token: await sign({ role: "subject", jurisdiction: "California" }) }),
    );
  });
});

describe("Authentication with an identity provider: JWT issuer, audience and JWKS", () => {
  let jwks: Server;
  let rsa: { privateKey: KeyLike };
  let ec: { privateKey: KeyLike };
  let t: TestServer;

  beforeAll(async () => {
    rsa = await generateKeyPair("RS256");
    ec = await generateKeyPair("ES256");
    const keys = [
      {
        ...(await exportJWK((rsa as unknown as { publicKey: KeyLike }).publicKey)),
        kid: "rsa-1",
        alg: "RS256",
        use: "sig",
      },
      {
        ...(await exportJWK((ec as unknown as { publicKey: KeyLike }).publicKey)),
        kid: "ec-1",
        alg: "ES256",
        use: "sig",
      },
    ];
    jwks = createServer((_req, res) =>
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys })),
    );
    await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    t = await startTestServer({
      demoCatalog: false,
      env: { CANDOR_JWKS_URL: url, CANDOR_JWT_ISSUER: "https://id.example", CANDOR_JWT_AUDIENCE: "candor" },
    });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => jwks.close(resolve));
  });

  const token = (
    alg: string,
    key: KeyLike | Uint8Array,
    kid: string | undefined,
    claims: { iss?: string; aud?: string } = {},
  ) =>
    new SignJWT({ role: "admin" })
      .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
      .setSubject("idp-admin")
      .setIssuer(claims.iss ?? "https://id.example")
      .setAudience(claims.aud ?? "candor")
      .setExpirationTime("1h")
      .sign(key);

  it("accepts RS256 and ES256 tokens signed by keys in the JWKS", async () => {
    for (const [alg, key, kid] of [
      ["RS256", rsa.privateKey, "rsa-1"],
      ["ES256", ec.privateKey, "ec-1"],
    ] as const) {
      const r = await t.gql(VIEWER, {}, { token: await token(alg, key, kid) });
      expect(r.body.data?.viewer.role).toBe("ADMIN");
    }
  });

  it("refuses a wrong issuer or audience", async () => {
    expectUnauthenticated(
      await t.gql(
        VIEWER,
        {},
        { token: await token("RS256", rsa.privateKey, "rsa-1", { iss: "https://evil.example" }) },
      ),
    );
    expectUnauthenticated(
      await t.gql(VIEWER, {}, { token: await token("RS256", rsa.privateKey, "rsa-1", { aud: "someone-else" }) }),
    );
  });

  it("still accepts HS256 with the configured secret, and refuses a key not in the JWKS", async () => {
    expect((await t.gql(VIEWER, {}, { token: await token("HS256", secret, undefined) })).body.data?.viewer.role).toBe(
      "ADMIN",
    );
    const stranger = await generateKeyPair("RS256");
    expectUnauthenticated(await t.gql(VIEWER, {}, { token: await token("RS256", stranger.privateKey, "rsa-1") }));
  });
});
