import { compactVerify, createLocalJWKSet } from "jose";
import { myConsents, SCREEN, statusOf, UPDATE, writes } from "./helpers/consent";
import { startTestServer, type TestServer } from "./helpers/server";

// Consent through HTTP, as a mobile app, a web frontend, the engine and the privacy office use it,
// on the demo catalog (10 purposes; sale and targeted advertising are GPC purposes).
describe("Consent: a mobile app reads and changes a person's choices, and the engine and the privacy office act for them", () => {
  let t: TestServer;
  beforeAll(async () => {
    // People the engine names without a place are UNKNOWN here, as in production without a default.
    t = await startTestServer({ env: { CANDOR_DEFAULT_JURISDICTION: "" } });
  });
  afterAll(() => t.close());

  const update = (token: string, input: Record<string, unknown>) =>
    t.gql(UPDATE, { input: { channel: "MOBILE_APP", ...input } }, { token });

  it("shows a consent screen — every purpose with what it does, what it gives, and whether it is on — in at most 3 SQL statements", async () => {
    const token = await t.subjectToken("screen-person");
    await t.gql("{ me { id } }", {}, { token }); // first sight creates the person
    const r = await t.gql(SCREEN, {}, { token });
    expect(r.body.errors).toBeUndefined();
    const consents = r.body.data!.me.consents;
    const purposes = (await t.gql("{ purposes { key } }")).body.data!.purposes;
    expect(consents.map((c: any) => c.purpose.key)).toEqual(purposes.map((p: any) => p.key));
    for (const c of consents)
      expect(c.purpose.name && c.purpose.description && c.purpose.benefit && c.status && c.source).toBeTruthy();
    expect(statusOf(consents, "order-fulfillment")).toBe("GRANTED/DEFAULT");
    expect(statusOf(consents, "location-based-offers")).toBe("DENIED/DEFAULT");
    expect(r.sqlCount).toBeLessThanOrEqual(3);
  });

  it("creates a person first seen with the jurisdiction of their token", async () => {
    const token = await t.subjectToken("colorado-person", { jurisdiction: "US-CO" });
    const r = await t.gql(
      "{ me { externalId jurisdiction globalPrivacyControl } viewer { role subject { externalId } } }",
      {},
      { token },
    );
    expect(r.body.data!.me).toEqual({
      externalId: "colorado-person",
      jurisdiction: "US-CO",
      globalPrivacyControl: false,
    });
    expect(r.body.data!.viewer).toEqual({ role: "SUBJECT", subject: { externalId: "colorado-person" } });
    expect((await t.gql("{ me { id } }")).body.data!.me).toBeNull();
  });

  it("treats ids that differ only in case or accents as different people, for the person and for the engine's checks", async () => {
    // MariaDB compares text loosely by default; a person's id must not.
    await update(await t.subjectToken("AbC123"), {
      channel: "WEB",
      changes: [{ purpose: "email-offers", granted: false }],
    });
    const other = await t.gql(
      '{ me { externalId consent(purpose: "email-offers") { status source } } }',
      {},
      { token: await t.subjectToken("abc123") },
    );
    expect(other.body.data!.me).toEqual({ externalId: "abc123", consent: { status: "GRANTED", source: "DEFAULT" } });
    const accented = await t.gql("{ me { externalId } }", {}, { token: await t.subjectToken("AbÇ123") });
    expect(accented.body.data!.me.externalId).toBe("AbÇ123");
    const key = await t.serviceKey(["consent:read"], "case-check");
    const checks = await t.gql(
      `{ consentChecks(subjectExternalIds: ["AbC123", "abc123"], purposes: ["email-offers"]) { subjectExternalId consents { status } } }`,
      {},
      { token: key },
    );
    expect(checks.body.data!.consentChecks.map((c: any) => c.consents[0].status)).toEqual(["DENIED", "GRANTED"]);
  });

  it("changes consent in one call, with one event per changed purpose and a receipt verifiable against the JWKS fetched over HTTP", async () => {
    const token = await t.subjectToken("changer");
    const r = await update(token, {
      changes: [
        { purpose: "personalized-recommendations", granted: false },
        { purpose: "location-based-offers", granted: true },
      ],
    });
    const out = r.body.data!.updateConsents;
    expect(out.userErrors).toEqual([]);
    expect(statusOf(out.subject.consents, "personalized-recommendations")).toBe("DENIED/USER");
    expect(statusOf(out.subject.consents, "location-based-offers")).toBe("GRANTED/USER");

    const jwks = (await (await fetch(t.url.replace("/graphql", "/.well-known/jwks.json"))).json()) as any;
    expect(jwks.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA" });
    expect(jwks.keys[0].d).toBeUndefined();
    const { payload, protectedHeader } = await compactVerify(out.receipt.jws, createLocalJWKSet(jwks));
    expect(protectedHeader.alg).toBe("EdDSA");
    const receipt = JSON.parse(new TextDecoder().decode(payload));
    expect(receipt).toMatchObject({
      receipt_id: out.receipt.id,
      pii_principal_external_id: "changer",
      jurisdiction: "US-CA",
      privacy_notice: { version: 2 },
      collection_method: { channel: "MOBILE_APP", source: "USER" },
      pii_controllers: [{ party_name: "Trailhead Outfitters, Inc." }],
    });
    expect(receipt.purposes.map((p: any) => [p.purpose_id, p.events[0].status, p.lawful_basis.basis])).toEqual([
      ["personalized-recommendations", "DENIED", expect.any(String)],
      ["location-based-offers", "GRANTED", expect.any(String)],
    ]);
    // A tampered receipt does not verify.
    const [h, p, s] = out.receipt.jws.split(".");
    const forged = Buffer.from(JSON.stringify({ ...receipt, purposes: [] })).toString("base64url");
    await expect(compactVerify(`${h}.${forged}.${s}`, createLocalJWKSet(jwks))).rejects.toThrow();
    expect(p).toBeTruthy();

    const history = await t.gql(
      `{ me { consentHistory(first: 10) { totalCount edges { node { purpose { key } status previousStatus source channel policyVersion receipt { id } } } } } }`,
      {},
      { token },
    );
    const events = history.body.data!.me.consentHistory;
    expect(events.totalCount).toBe(2);
    expect(events.edges.map((e: any) => e.node)).toEqual(
      expect.arrayContaining([
        {
          purpose: { key: "personalized-recommendations" },
          status: "DENIED",
          previousStatus: "GRANTED",
          source: "USER",
          channel: "MOBILE_APP",
          policyVersion: 2,
          receipt: { id: out.receipt.id },
        },
        {
          purpose: { key: "location-based-offers" },
          status: "GRANTED",
          previousStatus: "DENIED",
          source: "USER",
          channel: "MOBILE_APP",
          policyVersion: 2,
          receipt: { id: out.receipt.id },
        },
      ]),
    );
  });

  it("writes nothing and returns no receipt for a call that changes nothing", async () => {
    const token = await t.subjectToken("no-op");
    // Granting an on-by-default purpose is a change of source (DEFAULT → USER); repeating it is not.
    await update(token, {
      changes: [
        { purpose: "email-offers", granted: false },
        { purpose: "dynamic-pricing", granted: true },
      ],
    });
    const before = await writes(t);
    const r = await update(token, {
      changes: [
        { purpose: "email-offers", granted: false },
        { purpose: "dynamic-pricing", granted: true },
      ],
    });
    expect(r.body.data!.updateConsents).toMatchObject({ receipt: null, userErrors: [] });
    expect(await writes(t)).toEqual(before);
  });

  it("answers each change in a document of several mutations with the state right after it", async () => {
    const token = await t.subjectToken("two-in-one");
    const r = await t.gql(
      `mutation {
      a: updateConsents(input: { channel: WEB, changes: [{ purpose: "email-offers", granted: false }] }) { subject { consent(purpose: "email-offers") { status } } }
      b: updateConsents(input: { channel: WEB, changes: [{ purpose: "email-offers", granted: true }] }) { subject { consent(purpose: "email-offers") { status } } receipt { id } }
    }`,
      {},
      { token },
    );
    expect(r.body.data!.a.subject.consent.status).toBe("DENIED");
    expect(r.body.data!.b.subject.consent.status).toBe("GRANTED");
    expect(r.body.data!.b.receipt).not.toBeNull();
  });

  it("pages through history, newest first, and filters by purpose", async () => {
    const token = await t.subjectToken("pager");
    for (const granted of [false, true, false])
      await update(token, { changes: [{ purpose: "email-offers", granted }] });
    await update(token, { changes: [{ purpose: "dynamic-pricing", granted: false }] });
    const q = `query($after: String) { me { consentHistory(first: 2, after: $after, purpose: "email-offers") { totalCount edges { cursor node { status } } pageInfo { hasNextPage endCursor } } } }`;
    const first = (await t.gql(q, {}, { token })).body.data!.me.consentHistory;
    expect(first.totalCount).toBe(3);
    expect(first.edges.map((e: any) => e.node.status)).toEqual(["DENIED", "GRANTED"]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await t.gql(q, { after: first.pageInfo.endCursor }, { token })).body.data!.me.consentHistory;
    expect(second.edges.map((e: any) => e.node.status)).toEqual(["DENIED"]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const tooMany = await t.gql("{ me { consentHistory(first: 101) { totalCount } } }", {}, { token });
    expect(tooMany.body.errors?.[0]?.extensions?.code).toBe("LIMIT_EXCEEDED");
  });

  describe("Global Privacy Control", () => {
    it("is set by a subject's request carrying Sec-GPC: 1, with events only for purposes whose status changes", async () => {
      const token = await t.subjectToken("gpc-web");
      await update(token, { changes: [{ purpose: "sale-to-data-partners", granted: false }] });
      const before = await writes(t);
      await t.gql("{ viewer { role } }", {}, { token, headers: { "sec-gpc": "1" } });
      const after = await writes(t);
      // targeted-advertising flips; sale was already denied by the person: no event for it.
      expect(after.consent_event - before.consent_event).toBe(1);
      const consents = await myConsents(t, token);
      expect(statusOf(consents, "targeted-advertising")).toBe("DENIED/GLOBAL_PRIVACY_CONTROL");
      const last = (
        await t.gql(
          "{ me { globalPrivacyControl consentHistory(first: 1) { edges { node { purpose { key } source channel } } } } }",
          {},
          { token },
        )
      ).body.data!.me;
      expect(last.globalPrivacyControl).toBe(true);
      expect(last.consentHistory.edges[0].node).toEqual({
        purpose: { key: "targeted-advertising" },
        source: "GLOBAL_PRIVACY_CONTROL",
        channel: "WEB",
      });
      // Repeating the header, or omitting it, or sending another value changes nothing.
      await t.gql("{ viewer { role } }", {}, { token, headers: { "sec-gpc": "1" } });
      await t.gql("{ viewer { role } }", {}, { token });
      await t.gql("{ viewer { role } }", {}, { token, headers: { "sec-gpc": "0" } });
      expect(await writes(t)).toEqual(after);
    });

    it("refuses a grant that would override it unless the person confirms, and writes nothing when refused", async () => {
      const token = await t.subjectToken("gpc-override");
      await t.gql("{ me { id } }", {}, { token, headers: { "sec-gpc": "1" } });
      const before = await writes(t);
      const refused = await update(token, { changes: [{ purpose: "sale-to-data-partners", granted: true }] });
      expect(refused.body.data!.updateConsents.userErrors).toEqual([
        {
          field: ["input", "confirmGpcOverride"],
          message: expect.stringContaining("sale-to-data-partners"),
          code: "GPC_CONFIRMATION_REQUIRED",
        },
      ]);
      expect(refused.body.data!.updateConsents.receipt).toBeNull();
      expect(await writes(t)).toEqual(before);
      const confirmed = await update(token, {
        changes: [{ purpose: "sale-to-data-partners", granted: true }],
        confirmGpcOverride: true,
      });
      const sale = confirmed.body.data!.updateConsents.subject.consents.find(
        (c: any) => c.purpose.key === "sale-to-data-partners",
      );
      expect(sale).toMatchObject({ status: "GRANTED", source: "USER", gpcOverridden: true });
    });

    it("can only be overridden by the person: a service gets GPC_CONFIRMATION_REQUIRED even when it confirms", async () => {
      const key = await t.serviceKey(["consent:write"], "gpc-engine");
      await t.gql("{ me { id } }", {}, { token: await t.subjectToken("gpc-service"), headers: { "sec-gpc": "1" } });
      const r = await update(key, {
        subjectExternalId: "gpc-service",
        channel: "API",
        changes: [{ purpose: "targeted-advertising", granted: true }],
        confirmGpcOverride: true,
      });
      expect(r.body.data!.updateConsents.userErrors[0].code).toBe("GPC_CONFIRMATION_REQUIRED");
    });

    it("is set and cleared by recordGlobalPrivacyControl, with channel API, and clearing brings back the person's choices", async () => {
      const key = await t.serviceKey(["consent:write"], "gpc-recorder");
      const token = await t.subjectToken("gpc-api");
      await update(token, { changes: [{ purpose: "targeted-advertising", granted: false }] });
      const record = (enabled: boolean) =>
        t.gql(
          `mutation($input: RecordGlobalPrivacyControlInput!) { recordGlobalPrivacyControl(input: $input) { subject { globalPrivacyControl } receipt { id } userErrors { code } } }`,
          { input: { subjectExternalId: "gpc-api", enabled } },
          { token: key },
        );
      const on = await record(true);
      expect(on.body.data!.recordGlobalPrivacyControl.subject.globalPrivacyControl).toBe(true);
      expect(on.body.data!.recordGlobalPrivacyControl.receipt).not.toBeNull();
      let consents = await myConsents(t, token);
      expect(statusOf(consents, "sale-to-data-partners")).toBe("DENIED/GLOBAL_PRIVACY_CONTROL");
      const events = (
        await t.gql(
          "{ me { consentHistory(first: 5) { edges { node { purpose { key } status source channel } } } } }",
          {},
          { token },
        )
      ).body.data!.me.consentHistory.edges;
      expect(events[0].node).toEqual({
        purpose: { key: "sale-to-data-partners" },
        status: "DENIED",
        source: "GLOBAL_PRIVACY_CONTROL",
        channel: "API",
      });

      const off = await record(false);
      expect(off.body.data!.recordGlobalPrivacyControl.subject.globalPrivacyControl).toBe(false);
      consents = await myConsents(t, token);
      expect(statusOf(consents, "sale-to-data-partners")).toBe("GRANTED/DEFAULT");
      expect(statusOf(consents, "targeted-advertising")).toBe("DENIED/USER");
      const before = await writes(t);
      expect((await record(false)).body.data!.recordGlobalPrivacyControl.receipt).toBeNull();
      expect(await writes(t)).toEqual(before);
    });

    it("keeps a person's own no beneath it: clearing GPC leaves sale denied by the person", async () => {
      const token = await t.subjectToken("no-means-no");
      await t.gql("{ me { id } }", {}, { token, headers: { "sec-gpc": "1" } });
      const r = await update(token, {
        channel: "WEB",
        changes: [{ purpose: "sale-to-data-partners", granted: false }],
      });
      expect(r.body.data!.updateConsents.receipt).toBeNull(); // nothing changed in effect
      const key = await t.serviceKey(["consent:write"], "gpc-clearer");
      await t.gql(
        `mutation { recordGlobalPrivacyControl(input: { subjectExternalId: "no-means-no", enabled: false }) { userErrors { code } } }`,
        {},
        { token: key },
      );
      const consents = await myConsents(t, token);
      expect(statusOf(consents, "sale-to-data-partners")).toBe("DENIED/USER");
      expect(statusOf(consents, "targeted-advertising")).toBe("GRANTED/DEFAULT");
    });
  });

  describe("personalization levels", () => {
    const setLevel = (token: string, level: number, confirmGpcOverride = false) =>
      t.gql(
        `mutation($input: SetPersonalizationLevelInput!) { setPersonalizationLevel(input: $input) { subject { personalizationLevel consents { purpose { key } status } } receipt { id } userErrors { field code } } }`,
        { input: { level, channel: "WEB", confirmGpcOverride } },
        { token },
      );

    it("grant exactly the level's purposes and deny every other refusable one, in one change", async () => {
      const token = await t.subjectToken("leveller");
      const levels = (await t.gql("{ personalizationLevels { level purposes { key } } }")).body.data!
        .personalizationLevels;
      const essential = (await t.gql("{ purposes { key defaultMode } }")).body
        .data!.purposes.filter((p: any) => p.defaultMode === "ESSENTIAL")
        .map((p: any) => p.key);
      for (const level of levels) {
        const r = (await setLevel(token, level.level)).body.data!.setPersonalizationLevel;
        expect(r.userErrors).toEqual([]);
        expect(r.subject.personalizationLevel).toBe(level.level);
        const granted = r.subject.consents
          .filter((c: any) => c.status === "GRANTED")
          .map((c: any) => c.purpose.key)
          .sort();
        expect(granted).toEqual([...level.purposes.map((p: any) => p.key), ...essential].sort());
      }
      const history = (
        await t.gql("{ me { consentHistory(first: 100) { edges { node { receipt { id } } } } } }", {}, { token })
      ).body.data!.me.consentHistory.edges;
      const receipts = new Set(history.map((e: any) => e.node.receipt.id));
      expect(receipts.size).toBe(levels.length - 1 + (levels[0].purposes.length === 0 ? 1 : 0));
    });

    it("need the GPC confirmation for a level that includes sale or advertising", async () => {
      const token = await t.subjectToken("level-gpc");
      await t.gql("{ me { id } }", {}, { token, headers: { "sec-gpc": "1" } });
      const top = Math.max(
        ...(await t.gql("{ personalizationLevels { level } }")).body.data!.personalizationLevels.map(
          (l: any) => l.level,
        ),
      );
      expect((await setLevel(token, top)).body.data!.setPersonalizationLevel.userErrors[0].code).toBe(
        "GPC_CONFIRMATION_REQUIRED",
      );
      expect((await setLevel(token, top, true)).body.data!.setPersonalizationLevel.subject.personalizationLevel).toBe(
        top,
      );
      expect((await setLevel(token, 99)).body.data!.setPersonalizationLevel.userErrors).toEqual([
        { field: ["input", "level"], code: "NOT_FOUND" },
      ]);
    });
  });

  it("opts out of everything refusable in one call, for the person or on their behalf", async () => {
    const token = await t.subjectToken("opt-out");
    const r = await t.gql(
      `mutation { optOutOfAll(input: { channel: WEB }) { subject { consents { purpose { key defaultMode } status } personalizationLevel } receipt { id } } }`,
      {},
      { token },
    );
    const out = r.body.data!.optOutOfAll;
    expect(out.receipt).not.toBeNull();
    for (const c of out.subject.consents)
      expect(c.status).toBe(c.purpose.defaultMode === "ESSENTIAL" ? "GRANTED" : "DENIED");
    expect(out.subject.personalizationLevel).toBe(0);

    const key = await t.serviceKey(["consent:write"], "call-center");
    const onBehalf = await t.gql(
      `mutation { optOutOfAll(input: { channel: CALL_CENTER, subjectExternalId: "phoned-in" }) { subject { externalId jurisdiction consents { status source purpose { defaultMode } } } } }`,
      {},
      { token: key },
    );
    const subject = onBehalf.body.data!.optOutOfAll.subject;
    expect(subject.externalId).toBe("phoned-in");
    expect(subject.jurisdiction).toBe("UNKNOWN");
    for (const c of subject.consents)
      if (c.purpose.defaultMode !== "ESSENTIAL") expect(c.source === "SERVICE" || c.source === "DEFAULT").toBe(true);
  });

  it("lets the engine and the privacy office change consent for a named person, with their own source", async () => {
    const key = await t.serviceKey(["consent:write"], "engine-writer");
    const byService = await update(key, {
      subjectExternalId: "svc-person",
      channel: "API",
      changes: [{ purpose: "email-offers", granted: false }],
    });
    expect(statusOf(byService.body.data!.updateConsents.subject.consents, "email-offers")).toBe("DENIED/SERVICE");
    const byAdmin = await update(await t.adminToken(), {
      subjectExternalId: "svc-person",
      channel: "CALL_CENTER",
      changes: [{ purpose: "email-offers", granted: true }],
    });
    expect(statusOf(byAdmin.body.data!.updateConsents.subject.consents, "email-offers")).toBe("GRANTED/ADMIN");
    const missing = await update(key, { channel: "API", changes: [{ purpose: "email-offers", granted: false }] });
    expect(missing.body.data!.updateConsents.userErrors).toEqual([
      { field: ["input", "subjectExternalId"], message: expect.any(String), code: "INVALID" },
    ]);
  });

  it("records where a person lives with upsertSubject, and refuses an unknown place", async () => {
    const key = await t.serviceKey(["consent:write"], "crm");
    const upsert = (jurisdiction: string | null, token = key) =>
      t.gql(
        `mutation($input: UpsertSubjectInput!) { upsertSubject(input: $input) { subject { externalId jurisdiction } userErrors { field code } } }`,
        { input: { externalId: "mover", jurisdiction } },
        { token },
      );
    expect((await upsert("US-CO")).body.data!.upsertSubject.subject).toEqual({
      externalId: "mover",
      jurisdiction: "US-CO",
    });
    expect((await upsert("US-VT")).body.data!.upsertSubject.subject.jurisdiction).toBe("UNKNOWN"); // not in force until 2028
    const before = await writes(t);
    expect((await upsert("Narnia")).body.data!.upsertSubject.userErrors).toEqual([
      { field: ["input", "jurisdiction"], code: "INVALID" },
    ]);
    expect(await writes(t)).toEqual(before);
    const someoneElse = await upsert("US-CA", await t.subjectToken("not-the-mover"));
    expect(someoneElse.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("answers the engine's checks in bulk, with defaults for unknown people, creating nothing, in the same SQL statements for 500 people as for 5", async () => {
    const key = await t.serviceKey(["consent:read"], "engine-reader");
    await update(await t.subjectToken("checked-0"), {
      changes: [{ purpose: "personalized-recommendations", granted: false }],
    });
    const before = await writes(t);
    const q = `query($ids: [String!]!) { consentChecks(subjectExternalIds: $ids, purposes: ["personalized-recommendations", "location-based-offers"]) { subjectExternalId allGranted consents { purpose { key } status source } } }`;
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `checked-${i}`);
    const five = await t.gql(q, { ids: ids(5) }, { token: key });
    const many = await t.gql(q, { ids: ids(500) }, { token: key });
    expect(many.body.data!.consentChecks).toHaveLength(500);
    expect(many.sqlCount).toBe(five.sqlCount);
    expect(
      five.body.data!.consentChecks[0].consents.map((c: any) => `${c.purpose.key}=${c.status}/${c.source}`),
    ).toEqual(["personalized-recommendations=DENIED/USER", "location-based-offers=DENIED/DEFAULT"]);
    expect(five.body.data!.consentChecks[1]).toMatchObject({ subjectExternalId: "checked-1", allGranted: false });
    expect(await writes(t)).toEqual(before);

    const one = await t.gql(
      `{ consentCheck(subjectExternalId: "nobody-yet", purposes: ["personalized-recommendations"]) { allGranted consents { status source } } }`,
      {},
      { token: key },
    );
    // UNKNOWN is strict (DESIGN §9; issue 11, defect 6): nothing refusable is on before a yes.
    expect(one.body.data!.consentCheck).toEqual({
      allGranted: false,
      consents: [{ status: "DENIED", source: "DEFAULT" }],
    });
    expect(await writes(t)).toEqual(before);

    const tooMany = await t.gql(q, { ids: ids(501) }, { token: key });
    expect(tooMany.body.errors?.[0]?.extensions?.code).toBe("LIMIT_EXCEEDED");
    const unknown = await t.gql(
      `{ consentCheck(subjectExternalId: "x", purposes: ["nope"]) { allGranted } }`,
      {},
      { token: key },
    );
    expect(unknown.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining("nope"),
      extensions: { code: "NOT_FOUND" },
    });
  });

  it("lets admins read any person, and no one else", async () => {
    await t.gql("{ me { id } }", {}, { token: await t.subjectToken("looked-up") });
    const q = `{ subject(externalId: "looked-up") { externalId consents { status } consentHistory(first: 1) { totalCount } } }`;
    expect((await t.gql(q, {}, { token: await t.adminToken() })).body.data!.subject.externalId).toBe("looked-up");
    for (const token of [
      await t.subjectToken("looked-up"),
      await t.serviceKey(["consent:read", "consent:write"], "nosy"),
      undefined,
    ]) {
      expect((await t.gql(q, {}, { token })).body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
  });

  it("resolves a person's own events and self through node, and another person's as null", async () => {
    const owner = await t.subjectToken("node-owner");
    await update(owner, { changes: [{ purpose: "email-offers", granted: false }] });
    const ids = (await t.gql("{ me { id consentHistory(first: 1) { edges { node { id } } } } }", {}, { token: owner }))
      .body.data!.me;
    const eventId = ids.consentHistory.edges[0].node.id;
    const q = "query($id: ID!) { node(id: $id) { id __typename } }";
    expect((await t.gql(q, { id: eventId }, { token: owner })).body.data!.node).toEqual({
      id: eventId,
      __typename: "ConsentEvent",
    });
    expect((await t.gql(q, { id: ids.id }, { token: owner })).body.data!.node).toEqual({
      id: ids.id,
      __typename: "Subject",
    });
    const stranger = await t.subjectToken("node-stranger");
    for (const id of [eventId, ids.id]) {
      const r = await t.gql(q, { id }, { token: stranger });
      expect(r.body).toEqual({ data: { node: null } });
    }
    expect((await t.gql(q, { id: eventId }, { token: await t.adminToken() })).body.data!.node.id).toBe(eventId);
  });
});

describe("Consent where GPC is honored only as the law requires (CANDOR_GPC_SCOPE=required)", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ env: { CANDOR_GPC_SCOPE: "required" } });
  });
  afterAll(() => t.close());

  it("honors GPC only where the law requires it: California yes, Utah no", async () => {
    const sale = async (externalId: string, jurisdiction: string) => {
      const token = await t.subjectToken(externalId, { jurisdiction });
      const r = await t.gql(
        `{ me { globalPrivacyControl consent(purpose: "sale-to-data-partners") { status source } } }`,
        {},
        { token, headers: { "sec-gpc": "1" } },
      );
      return r.body.data!.me;
    };
    expect(await sale("scoped-ca", "US-CA")).toEqual({
      globalPrivacyControl: true,
      consent: { status: "DENIED", source: "GLOBAL_PRIVACY_CONTROL" },
    });
    expect(await sale("scoped-ut", "US-UT")).toEqual({
      globalPrivacyControl: true,
      consent: { status: "GRANTED", source: "DEFAULT" },
    });
    const unknown = await t.gql(
      `{ me { consent(purpose: "no-such-purpose") { status } } }`,
      {},
      { token: await t.subjectToken("scoped-ca") },
    );
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });
});
