import { AuditLog } from "../src/kernel/audit/audit-log.entity";
import { IdempotencyRecord } from "../src/kernel/idempotency/idempotency.entity";
import { UPDATE, writes } from "./helpers/consent";
import { expectIntactAuditChain } from "./helpers/database";
import { startTestServer, type TestServer } from "./helpers/server";

// Bad input, retries, races and the audit trail of consent changes.
describe("Consent changes under bad input, retries and races: nothing half-written, everything audited", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  const update = (token: string | undefined, input: Record<string, unknown>) =>
    t.gql(UPDATE, { input: { channel: "WEB", ...input } }, { token });

  describe("bad input answers with a clear error and writes nothing", () => {
    const cases: Array<[string, Record<string, unknown>, { field: string[]; code: string; message?: RegExp }]> = [
      [
        "an unknown purpose key",
        { changes: [{ purpose: "mind-reading", granted: true }] },
        { field: ["input", "changes", "0", "purpose"], code: "NOT_FOUND", message: /mind-reading/ },
      ],
      [
        "an essential purpose",
        {
          changes: [
            { purpose: "email-offers", granted: false },
            { purpose: "order-fulfillment", granted: false },
          ],
        },
        { field: ["input", "changes", "1", "purpose"], code: "INVALID", message: /essential/ },
      ],
      ["an empty change list", { changes: [] }, { field: ["input", "changes"], code: "INVALID" }],
      [
        "the same purpose twice",
        {
          changes: [
            { purpose: "email-offers", granted: false },
            { purpose: "email-offers", granted: true },
          ],
        },
        { field: ["input", "changes", "1", "purpose"], code: "INVALID", message: /more than once/ },
      ],
      [
        "more than 100 changes",
        { changes: Array.from({ length: 101 }, () => ({ purpose: "email-offers", granted: false })) },
        { field: ["input", "changes"], code: "LIMIT_EXCEEDED" },
      ],
      [
        "an overlong purpose key",
        { changes: [{ purpose: "x".repeat(500), granted: false }] },
        { field: ["input", "changes", "0", "purpose"], code: "LIMIT_EXCEEDED" },
      ],
      [
        "an overlong idempotency key",
        { changes: [{ purpose: "email-offers", granted: false }], idempotencyKey: "k".repeat(201) },
        { field: ["input", "idempotencyKey"], code: "LIMIT_EXCEEDED" },
      ],
    ];

    it.each(cases)("%s", async (_name, input, expected) => {
      const token = await t.subjectToken("careless");
      await t.gql("{ me { id } }", {}, { token });
      const before = await writes(t);
      const r = await update(token, input);
      expect(r.status).toBe(200);
      const out = r.body.data!.updateConsents;
      expect(out.subject).toBeNull();
      expect(out.receipt).toBeNull();
      expect(out.userErrors).toHaveLength(1);
      expect(out.userErrors[0]).toMatchObject({ field: expected.field, code: expected.code });
      if (expected.message) expect(out.userErrors[0].message).toMatch(expected.message);
      expect(await writes(t)).toEqual(before);
    });

    it("a subject naming another person, or a service without the scope, is FORBIDDEN", async () => {
      const readerKey = await t.serviceKey(["consent:read"], "reader-only");
      const writerKey = await t.serviceKey(["consent:write"], "writer-only");
      const before = await writes(t);
      const other = await update(await t.subjectToken("meddler"), {
        subjectExternalId: "victim",
        changes: [{ purpose: "email-offers", granted: false }],
      });
      expect(other.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect(other.body.data?.updateConsents ?? null).toBeNull();
      const readOnly = await update(readerKey, {
        subjectExternalId: "victim",
        changes: [{ purpose: "email-offers", granted: false }],
      });
      expect(readOnly.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      const anonymous = await update(undefined, {
        subjectExternalId: "victim",
        changes: [{ purpose: "email-offers", granted: false }],
      });
      expect(anonymous.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      const check = await t.gql(
        `{ consentCheck(subjectExternalId: "victim", purposes: ["email-offers"]) { allGranted } }`,
        {},
        { token: writerKey },
      );
      expect(check.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect(await writes(t)).toEqual(before);
    });

    it("a person never seen before who sends bad input is not created: nothing is written, not even the person", async () => {
      const before = await writes(t);
      const r = await update(await t.subjectToken("first-and-wrong"), {
        changes: [{ purpose: "mind-reading", granted: true }],
      });
      expect(r.body.data!.updateConsents.userErrors[0].code).toBe("NOT_FOUND");
      const key = await t.serviceKey(["consent:write"], "first-sight");
      const after = await writes(t);
      const s = await t.gql(
        `mutation { upsertSubject(input: { externalId: "new-and-nowhere", jurisdiction: "Atlantis" }) { userErrors { code } } }`,
        {},
        { token: key },
      );
      expect(s.body.data!.upsertSubject.userErrors[0].code).toBe("INVALID");
      expect(await writes(t)).toEqual(after);
      expect({ ...after, audit_log: before.audit_log }).toEqual(before); // only the key's own audit entry
    });
  });

  describe("idempotency keys", () => {
    it("return the first result for a retry and write nothing more; a different input with the same key is a CONFLICT", async () => {
      const token = await t.subjectToken("retrier");
      const input = { changes: [{ purpose: "email-offers", granted: false }], idempotencyKey: "tap-1" };
      const first = (await update(token, input)).body.data!.updateConsents;
      expect(first.receipt).not.toBeNull();
      const before = await writes(t);
      const retry = (await update(token, input)).body.data!.updateConsents;
      expect(retry.receipt).toEqual(first.receipt);
      expect(retry.userErrors).toEqual([]);
      expect(await writes(t)).toEqual(before);
      const conflict = (await update(token, { ...input, changes: [{ purpose: "email-offers", granted: true }] })).body
        .data!.updateConsents;
      expect(conflict.userErrors).toEqual([
        { field: ["input", "idempotencyKey"], message: expect.any(String), code: "CONFLICT" },
      ]);
      expect(await writes(t)).toEqual(before);
    });

    it("are scoped to the caller and the person, and kept only for calls that wrote something", async () => {
      const key = await t.serviceKey(["consent:write"], "scoped-engine");
      const input = (person: string) => ({
        subjectExternalId: person,
        channel: "API",
        changes: [{ purpose: "email-offers", granted: false }],
        idempotencyKey: "same-key",
      });
      expect((await update(key, input("scoped-a"))).body.data!.updateConsents.receipt).not.toBeNull();
      expect((await update(key, input("scoped-b"))).body.data!.updateConsents.receipt).not.toBeNull();
      const noop = await update(key, { ...input("scoped-a"), idempotencyKey: "noop-key" });
      expect(noop.body.data!.updateConsents.receipt).toBeNull();
      const rows = await t.services.db.manager.query(
        "SELECT idempotency_key AS k FROM idempotency_record WHERE idempotency_key = 'noop-key'",
      );
      expect(rows).toHaveLength(0);
    });

    it("treat a retry that spells a default out (confirmGpcOverride null or false) as the same call: it gets the first receipt, not a CONFLICT", async () => {
      const token = await t.subjectToken("spelled-out");
      const first = await update(token, {
        changes: [{ purpose: "email-offers", granted: false }],
        idempotencyKey: "k-1",
      });
      const retry = await update(token, {
        changes: [{ purpose: "email-offers", granted: false }],
        idempotencyKey: "k-1",
        confirmGpcOverride: null,
      });
      expect(retry.body.data!.updateConsents.receipt).toEqual(first.body.data!.updateConsents.receipt);
      const again = await update(token, {
        changes: [{ purpose: "email-offers", granted: false }],
        idempotencyKey: "k-1",
        confirmGpcOverride: false,
      });
      expect(again.body.data!.updateConsents.userErrors).toEqual([]);
    });

    it("expire after 24 hours: a key used again then applies the new change with a new receipt, not a CONFLICT", async () => {
      const token = await t.subjectToken("old-key");
      await update(token, { changes: [{ purpose: "email-offers", granted: false }], idempotencyKey: "yesterday" });
      await t.services.db.transaction((m) =>
        m.update(
          IdempotencyRecord,
          { idempotencyKey: "yesterday" },
          { createdAt: new Date(Date.now() - 25 * 3600_000) },
        ),
      );
      const r = await update(token, {
        changes: [{ purpose: "email-offers", granted: true }],
        idempotencyKey: "yesterday",
      });
      expect(r.status).toBe(200);
      expect(r.body.data!.updateConsents.userErrors).toEqual([]);
      expect(r.body.data!.updateConsents.receipt).not.toBeNull();
    });
  });

  it("loses no event under 50 concurrent updates to one person, and the final state equals the last event", async () => {
    const token = await t.subjectToken("racer");
    await t.gql("{ me { id } }", {}, { token });
    const before = await writes(t);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        update(token, { changes: [{ purpose: i % 2 ? "email-offers" : "dynamic-pricing", granted: i % 4 < 2 }] }),
      ),
    );
    for (const r of results) expect(r.body.data!.updateConsents.userErrors).toEqual([]);
    const receipts = results.filter((r) => r.body.data!.updateConsents.receipt !== null).length;
    const after = await writes(t);
    expect(after.consent_event - before.consent_event).toBe(receipts);
    expect(after.consent_receipt - before.consent_receipt).toBe(receipts);
    expect(after.audit_log - before.audit_log).toBe(receipts);

    const me = (
      await t.gql(
        `{ me { consents { purpose { key } status } consentHistory(first: 100) { totalCount edges { node { purpose { key } status } } } } }`,
        {},
        { token },
      )
    ).body.data!.me;
    expect(me.consentHistory.totalCount).toBe(receipts);
    for (const key of ["email-offers", "dynamic-pricing"]) {
      const last = me.consentHistory.edges.find((e: any) => e.node.purpose.key === key).node.status;
      expect(me.consents.find((c: any) => c.purpose.key === key).status).toBe(last);
    }
    // Alternating events: each one flips the status the previous one left.
    for (const key of ["email-offers", "dynamic-pricing"]) {
      const statuses = me.consentHistory.edges
        .filter((e: any) => e.node.purpose.key === key)
        .map((e: any) => e.node.status);
      for (let i = 1; i < statuses.length; i++) expect(statuses[i]).not.toBe(statuses[i - 1]);
    }
  });

  it("appends one hash-chained audit entry per change, in the same transaction", async () => {
    const token = await t.subjectToken("audited");
    await t.gql("{ me { id } }", {}, { token });
    const before = await writes(t);
    await update(token, {
      changes: [
        { purpose: "email-offers", granted: false },
        { purpose: "dynamic-pricing", granted: false },
      ],
    });
    const after = await writes(t);
    expect(after.audit_log - before.audit_log).toBe(1);
    const log = await t.services.db.manager.find(AuditLog, { order: { seq: "ASC" } });
    const entry = log[log.length - 1];
    expect(entry).toMatchObject({ actor: "subject:audited", action: "consent.updateConsents", entityType: "Subject" });
    expect((entry.detail.events as string[]).length).toBe(2);
    expect(JSON.stringify(entry.detail)).not.toContain("audited"); // ids only, no personal data
    await expectIntactAuditChain(t.services.db.manager);
  });
});
