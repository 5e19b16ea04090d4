import { compactVerify, createLocalJWKSet } from "jose";
import { UPDATE } from "./helpers/consent";
import { startTestServer, type TestServer } from "./helpers/server";

const VERIFY = "{ verifyAuditLog { valid checkedEntries firstBrokenSeq } }";

// The tamper-evident log, as the privacy office reads and checks it.
describe("Audit log: the privacy office reads and checks the tamper-evident record of every change", () => {
  let t: TestServer;
  let admin: string;
  beforeEach(async () => {
    t = await startTestServer();
    admin = await t.adminToken();
    for (const person of ["a1", "a2", "a3"]) {
      await t.gql(
        UPDATE,
        { input: { channel: "WEB", changes: [{ purpose: "email-offers", granted: false }] } },
        { token: await t.subjectToken(person) },
      );
    }
  });
  afterEach(() => t.close());

  it("lists entries newest first, for admins only", async () => {
    const q = `query($after: String) { auditLog(first: 2, after: $after) { totalCount edges { node { seq actor action entityType hash previousHash } } pageInfo { hasNextPage endCursor } } }`;
    const first = (await t.gql(q, {}, { token: admin })).body.data!.auditLog;
    expect(first.totalCount).toBeGreaterThanOrEqual(6);
    const [newest, next] = first.edges.map((e: any) => e.node);
    expect(newest.seq).toBe(first.totalCount);
    expect(newest.previousHash).toBe(next.hash);
    expect(newest).toMatchObject({ actor: "subject:a3", action: "consent.updateConsents", entityType: "Subject" });
    const second = (await t.gql(q, { after: first.pageInfo.endCursor }, { token: admin })).body.data!.auditLog;
    expect(second.edges[0].node.seq).toBe(newest.seq - 2);
    for (const token of [undefined, await t.subjectToken("a1"), await t.serviceKey(["consent:read"])]) {
      expect((await t.gql(q, {}, { token })).body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
  });

  it("verifies, then names the entry altered in SQL", async () => {
    const ok = (await t.gql(VERIFY, {}, { token: admin })).body.data!.verifyAuditLog;
    expect(ok).toMatchObject({ valid: true, firstBrokenSeq: null });
    await t.services.db.transaction((m) => m.query("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3"));
    expect((await t.gql(VERIFY, {}, { token: admin })).body.data!.verifyAuditLog).toEqual({
      valid: false,
      checkedEntries: 2,
      firstBrokenSeq: 3,
    });
  });

  it("names a deleted entry, in the middle or at the end", async () => {
    const total = (await t.gql(VERIFY, {}, { token: admin })).body.data!.verifyAuditLog.checkedEntries;
    await t.services.db.transaction((m) => m.query(`DELETE FROM audit_log WHERE seq = ${total}`));
    expect((await t.gql(VERIFY, {}, { token: admin })).body.data!.verifyAuditLog).toMatchObject({
      valid: false,
      firstBrokenSeq: total,
    });
    await t.services.db.transaction((m) => m.query("DELETE FROM audit_log WHERE seq = 2"));
    expect((await t.gql(VERIFY, {}, { token: admin })).body.data!.verifyAuditLog).toMatchObject({
      valid: false,
      firstBrokenSeq: 2,
    });
  });

  it("signs its head with the receipt key, verifiable with the published JWKS", async () => {
    const head = (await t.gql("{ auditLogHead { seq hash signedAt jws } }", {}, { token: admin })).body.data!
      .auditLogHead;
    const jwks = (await (await fetch(t.url.replace("/graphql", "/.well-known/jwks.json"))).json()) as any;
    const { payload } = await compactVerify(head.jws, createLocalJWKSet(jwks));
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({
      seq: head.seq,
      hash: head.hash,
      signedAt: head.signedAt,
    });
    const last = (await t.gql("{ auditLog(first: 1) { edges { node { seq hash } } } }", {}, { token: admin })).body
      .data!.auditLog.edges[0].node;
    expect(last).toEqual({ seq: head.seq, hash: head.hash });
  });
});
