import { IdempotencyRecord } from "../src/kernel/idempotency/idempotency.entity";
import { UPDATE, myConsents, statusOf, writes } from "./helpers/consent";
import { startTestServer, type TestServer } from "./helpers/server";

// Cases a review found: each one once answered wrongly; each stays fixed on both databases.
describe("consent edge cases", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  const update = (token: string, input: Record<string, unknown>) => t.gql(UPDATE, { input: { channel: "WEB", ...input } }, { token });

  it("tells people apart whose ids differ only in case or accents (MariaDB compares text loosely by default)", async () => {
    await update(await t.subjectToken("AbC123"), { changes: [{ purpose: "email-offers", granted: false }] });
    const other = await t.gql("{ me { externalId consent(purpose: \"email-offers\") { status source } } }", {}, { token: await t.subjectToken("abc123") });
    expect(other.body.data!.me).toEqual({ externalId: "abc123", consent: { status: "GRANTED", source: "DEFAULT" } });
    const accented = await t.gql("{ me { externalId } }", {}, { token: await t.subjectToken("AbÇ123") });
    expect(accented.body.data!.me.externalId).toBe("AbÇ123");
    const key = await t.serviceKey(["consent:read"], "case-check");
    const checks = await t.gql(`{ consentChecks(subjectExternalIds: ["AbC123", "abc123"], purposes: ["email-offers"]) { subjectExternalId consents { status } } }`, {}, { token: key });
    expect(checks.body.data!.consentChecks.map((c: any) => c.consents[0].status)).toEqual(["DENIED", "GRANTED"]);
  });

  it("writes nothing, not even the person, when a person first seen sends bad input", async () => {
    const before = await writes(t);
    const r = await update(await t.subjectToken("first-and-wrong"), { changes: [{ purpose: "mind-reading", granted: true }] });
    expect(r.body.data!.updateConsents.userErrors[0].code).toBe("NOT_FOUND");
    const key = await t.serviceKey(["consent:write"], "first-sight");
    const after = await writes(t);
    const s = await t.gql(`mutation { upsertSubject(input: { externalId: "new-and-nowhere", jurisdiction: "Atlantis" }) { userErrors { code } } }`, {}, { token: key });
    expect(s.body.data!.upsertSubject.userErrors[0].code).toBe("INVALID");
    expect(await writes(t)).toEqual(after);
    expect({ ...after, audit_log: before.audit_log }).toEqual(before); // only the key's own audit entry
  });

  it("keeps a person's explicit no while GPC hides it, so that clearing GPC does not turn sale back on", async () => {
    const token = await t.subjectToken("no-means-no");
    await t.gql("{ me { id } }", {}, { token, headers: { "sec-gpc": "1" } });
    const r = await update(token, { changes: [{ purpose: "sale-to-data-partners", granted: false }] });
    expect(r.body.data!.updateConsents.receipt).toBeNull(); // nothing changed in effect
    const key = await t.serviceKey(["consent:write"], "gpc-clearer");
    await t.gql(`mutation { recordGlobalPrivacyControl(input: { subjectExternalId: "no-means-no", enabled: false }) { userErrors { code } } }`, {}, { token: key });
    const consents = await myConsents(t, token);
    expect(statusOf(consents, "sale-to-data-partners")).toBe("DENIED/USER");
    expect(statusOf(consents, "targeted-advertising")).toBe("GRANTED/DEFAULT");
  });

  it("answers each mutation of one document with the state after it", async () => {
    const token = await t.subjectToken("two-in-one");
    const r = await t.gql(`mutation {
      a: updateConsents(input: { channel: WEB, changes: [{ purpose: "email-offers", granted: false }] }) { subject { consent(purpose: "email-offers") { status } } }
      b: updateConsents(input: { channel: WEB, changes: [{ purpose: "email-offers", granted: true }] }) { subject { consent(purpose: "email-offers") { status } } receipt { id } }
    }`, {}, { token });
    expect(r.body.data!.a.subject.consent.status).toBe("DENIED");
    expect(r.body.data!.b.subject.consent.status).toBe("GRANTED");
    expect(r.body.data!.b.receipt).not.toBeNull();
  });

  it("treats a retry that spells a default out (null or false) as the same call", async () => {
    const token = await t.subjectToken("spelled-out");
    const first = await update(token, { changes: [{ purpose: "email-offers", granted: false }], idempotencyKey: "k-1" });
    const retry = await update(token, { changes: [{ purpose: "email-offers", granted: false }], idempotencyKey: "k-1", confirmGpcOverride: null });
    expect(retry.body.data!.updateConsents.receipt).toEqual(first.body.data!.updateConsents.receipt);
    const again = await update(token, { changes: [{ purpose: "email-offers", granted: false }], idempotencyKey: "k-1", confirmGpcOverride: false });
    expect(again.body.data!.updateConsents.userErrors).toEqual([]);
  });

  it("starts a key afresh after 24 hours instead of failing", async () => {
    const token = await t.subjectToken("old-key");
    await update(token, { changes: [{ purpose: "email-offers", granted: false }], idempotencyKey: "yesterday" });
    await t.services.db.transaction((m) => m.update(IdempotencyRecord, { idempotencyKey: "yesterday" }, { createdAt: new Date(Date.now() - 25 * 3600_000) }));
    const r = await update(token, { changes: [{ purpose: "email-offers", granted: true }], idempotencyKey: "yesterday" });
    expect(r.status).toBe(200);
    expect(r.body.data!.updateConsents.userErrors).toEqual([]);
    expect(r.body.data!.updateConsents.receipt).not.toBeNull();
  });

  it("answers a malformed request path with 400, not 500", async () => {
    const r = await fetch(t.url.replace("/graphql", "//"));
    expect(r.status).toBe(400);
  });
});
