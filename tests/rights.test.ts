import { UPDATE } from "./helpers/consent";
import { record, recommendation } from "./helpers/decisions";
import { subjectTables } from "./helpers/database";
import { startTestServer, type TestServer } from "./helpers/server";
import { SIGNALS, agreementIds, share } from "./helpers/sharing";

const SUBMIT = `mutation($input: SubmitDataRequestInput!) { submitDataRequest(input: $input) {
  dataRequest { id kind status receivedAt dueAt completedAt statusReason export } userErrors { field code message } } }`;
const DAY = 24 * 3600_000;

// Data rights with legal deadlines: a person's journey, and the privacy office's.
describe("Data requests: a person exercises their privacy rights and the privacy office answers in time", () => {
  let t: TestServer;
  let engine: string;
  let ids: Record<string, string>;
  beforeAll(async () => {
    t = await startTestServer({ env: { CANDOR_SIGNAL_LAG_MS: "0", CANDOR_DEFAULT_JURISDICTION: "" } });
    engine = await t.serviceKey(["decisions:write", "sharing:write"]);
    ids = await agreementIds(t);
  });
  afterAll(() => t.close());

  /** Two people with the same partners and purposes: nothing of one may reach the other's export or deletion. */
  const living = async (person: string) => {
    const token = await t.subjectToken(person);
    await t.gql("{ me { id } }", {}, { token }); // first seen in California, before the engine names them
    await record(t, engine, [recommendation(person)]);
    await share(t, engine, [
      {
        subjectExternalId: person,
        agreement: ids["audience-data-sale"],
        dataCategories: ["user.behavior.purchase_history"],
      },
    ]);
    return token;
  };

  // The export's shape, schema, language and coverage of every table: tests/access-export.test.ts.
  it("exports what is held about the person, by topic, and nothing of anyone else", async () => {
    const token = await living("exporter");
    await living("neighbour");
    const r = await t.gql(SUBMIT, { input: { kind: "ACCESS" } }, { token });
    const request = r.body.data!.submitDataRequest.dataRequest;
    expect(request).toMatchObject({ kind: "ACCESS", status: "COMPLETED" });
    const data = JSON.parse(request.export);
    expect(data.decisions).toHaveLength(1);
    expect(data.decisions[0].explanation.reasons.length).toBeGreaterThan(0);
    expect(data.sharing.events).toHaveLength(1);
    expect(data.decisions[0].id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(data.decisions[0].id, "base64url").toString()).toMatch(/^Decision:/);
    expect(JSON.stringify(data)).not.toContain("neighbour");
    const neighbour = (await t.services.people.find("neighbour"))!;
    expect(JSON.stringify(data)).not.toContain(neighbour.id);
  });

  it("deletes the person's data, tells every partner that got it, and keeps the request and the opt-outs", async () => {
    const token = await living("forgetme");
    await t.gql(SUBMIT, { input: { kind: "ACCESS" } }, { token });
    await t.gql(SUBMIT, { input: { kind: "CORRECT", details: "My address is 12 Elm Street." } }, { token });
    await t.gql(
      UPDATE,
      {
        input: {
          channel: "WEB",
          changes: [
            { purpose: "targeted-advertising", granted: false },
            { purpose: "email-offers", granted: false },
          ],
        },
      },
      { token },
    );
    await t.gql("{ me { id } }", {}, { token, headers: { "sec-gpc": "1" } });
    const neighbour = await living("keepme");
    const r = await t.gql(SUBMIT, { input: { kind: "DELETE" } }, { token });
    expect(r.body.data!.submitDataRequest.dataRequest).toMatchObject({ kind: "DELETE", status: "COMPLETED" });
    const me = (await t.services.people.find("forgetme"))!;
    for (const table of ["decision", "decision_factor", "sharing_event", "consent_event", "consent_receipt"]) {
      const rows = await t.services.db.manager.query(`SELECT COUNT(*) AS n FROM ${table} WHERE subject_id = ?`, [
        me.id,
      ]);
      expect({ table, n: Number(rows[0].n) }).toEqual({ table, n: 0 });
    }
    // Every table that holds a person's id forgets them, but for what deletion keeps: the requests,
    // the partners' signals and the person's refusals (each domain forgets through its own hook).
    const kept = ["data_request", "partner_signal", "consent_state", "recommender_mode", "hidden_sponsor"];
    for (const table of (await subjectTables(t)).filter((name) => !kept.includes(name))) {
      const rows = await t.services.db.manager.query(`SELECT COUNT(*) AS n FROM ${table} WHERE subject_id = ?`, [
        me.id,
      ]);
      expect({ table, n: Number(rows[0].n) }).toEqual({ table, n: 0 });
    }
    const granted = await t.services.db.manager.query(
      "SELECT COUNT(*) AS n FROM consent_state WHERE subject_id = ? AND status = 'GRANTED'",
      [me.id],
    );
    expect(Number(granted[0].n)).toBe(0);
    const signals = (
      await t.gql(SIGNALS, { first: 100 }, { token: await t.partnerKey("open-range-data") })
    ).body.data!.partnerSignals.edges.map((e: any) => e.node.kind);
    expect(signals).toContain("DELETION_REQUESTED");
    // Seen again: GPC and the opt-outs of sale and advertising stand; other choices are gone.
    const again = (
      await t.gql(
        `{ me { globalPrivacyControl dataRequests { kind status export details } decisions(first: 5) { totalCount } consents { purpose { key } status source } } }`,
        {},
        { token },
      )
    ).body.data!.me;
    expect(again.globalPrivacyControl).toBe(true);
    // The requests stay, emptied of what they held.
    expect(again.dataRequests.map((r: any) => r.kind)).toEqual(["ACCESS", "CORRECT", "DELETE"]);
    for (const r of again.dataRequests) expect([r.export, r.details]).toEqual([null, null]);
    expect(again.decisions.totalCount).toBe(0);
    const status = (key: string) => again.consents.find((c: any) => c.purpose.key === key);
    expect(status("targeted-advertising").status).toBe("DENIED");
    expect(status("sale-to-data-partners").status).toBe("DENIED");
    expect(status("email-offers")).toMatchObject({ status: "DENIED", source: "USER" }); // every "no" stands
    expect(status("personalized-recommendations")).toMatchObject({ status: "GRANTED", source: "DEFAULT" });
    const other = (
      await t.gql(
        `{ me { decisions(first: 5) { totalCount } sharingEvents(first: 5) { totalCount } } }`,
        {},
        { token: neighbour },
      )
    ).body.data!.me;
    expect(other).toEqual({ decisions: { totalCount: 1 }, sharingEvents: { totalCount: 1 } });
  });

  it("opts out of sale and advertising, or limits sensitive data, at once", async () => {
    const token = await t.subjectToken("limiter");
    await t.gql(
      UPDATE,
      { input: { channel: "WEB", changes: [{ purpose: "location-based-offers", granted: true }] } },
      { token },
    );
    expect(
      (await t.gql(SUBMIT, { input: { kind: "OPT_OUT_OF_SALE" } }, { token })).body.data!.submitDataRequest.dataRequest
        .status,
    ).toBe("COMPLETED");
    expect(
      (await t.gql(SUBMIT, { input: { kind: "LIMIT_SENSITIVE_DATA" } }, { token })).body.data!.submitDataRequest
        .dataRequest.status,
    ).toBe("COMPLETED");
    const consents = (await t.gql(`{ me { consents { purpose { key } status } } }`, {}, { token })).body.data!.me
      .consents;
    const of = (key: string) => consents.find((c: any) => c.purpose.key === key).status;
    expect([
      of("sale-to-data-partners"),
      of("targeted-advertising"),
      of("location-based-offers"),
      of("fitness-recommendations"),
    ]).toEqual(["DENIED", "DENIED", "DENIED", "DENIED"]);
    expect(of("personalized-recommendations")).toBe("GRANTED");
  });

  it("sets the deadline from the person's jurisdiction", async () => {
    const due = async (person: string, jurisdiction: string) => {
      const r = await t.gql(
        SUBMIT,
        { input: { kind: "CORRECT", details: "My email is wrong." } },
        { token: await t.subjectToken(person, { jurisdiction }) },
      );
      const d = r.body.data!.submitDataRequest.dataRequest;
      return Math.round((new Date(d.dueAt).getTime() - new Date(d.receivedAt).getTime()) / DAY);
    };
    expect(await due("due-ca", "US-CA")).toBe(45);
    expect(await due("due-ia", "US-IA")).toBe(90);
    expect(await due("due-unknown", "UNKNOWN")).toBe(45);
  });

  it("queues CORRECT for the privacy office, who lists, extends once within the limit, and completes or denies with a reason", async () => {
    const token = await t.subjectToken("corrector", { jurisdiction: "US-CA" });
    expect(
      (await t.gql(SUBMIT, { input: { kind: "CORRECT" } }, { token })).body.data!.submitDataRequest.userErrors[0],
    ).toMatchObject({ code: "INVALID", field: ["input", "details"] });
    const first = (await t.gql(SUBMIT, { input: { kind: "CORRECT", details: "My address is old." } }, { token })).body
      .data!.submitDataRequest.dataRequest;
    expect(first.status).toBe("RECEIVED");
    expect(
      (await t.gql(SUBMIT, { input: { kind: "CORRECT", details: "Again." } }, { token })).body.data!.submitDataRequest
        .userErrors[0].code,
    ).toBe("CONFLICT");
    const admin = await t.adminToken();
    const list = (
      await t.gql(
        `{ dataRequests(first: 100, status: RECEIVED) { totalCount edges { node { id dueAt subject { externalId } } } } }`,
        {},
        { token: admin },
      )
    ).body.data!.dataRequests;
    const dues = list.edges.map((e: any) => new Date(e.node.dueAt).getTime());
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    expect(list.edges.map((e: any) => e.node.subject.externalId)).toContain("corrector");
    const extend = (days: number) =>
      t.gql(
        `mutation($input: ExtendDataRequestInput!) { extendDataRequest(input: $input) { dataRequest { status extendedDueAt extensionReason } userErrors { field code } } }`,
        { input: { id: first.id, days, reason: "We need the shipping records." } },
        { token: admin },
      );
    expect((await extend(46)).body.data!.extendDataRequest.userErrors[0]).toMatchObject({
      code: "INVALID",
      field: ["input", "days"],
    });
    expect((await extend(30)).body.data!.extendDataRequest.dataRequest).toMatchObject({
      status: "IN_PROGRESS",
      extensionReason: "We need the shipping records.",
    });
    expect((await extend(5)).body.data!.extendDataRequest.userErrors[0].code).toBe("INVALID");
    const resolve = (name: string) =>
      t.gql(
        `mutation($input: ResolveDataRequestInput!) { ${name}(input: $input) { dataRequest { status statusReason } userErrors { field code } } }`,
        { input: { id: first.id, reason: "We fixed your address." } },
        { token: admin },
      );
    expect((await resolve("completeDataRequest")).body.data!.completeDataRequest.dataRequest).toEqual({
      status: "COMPLETED",
      statusReason: "We fixed your address.",
    });
    expect((await resolve("denyDataRequest")).body.data!.denyDataRequest.userErrors[0].code).toBe("INVALID");
    // A law not yet in force (Vermont's, from 2028) is the strict UNKNOWN treatment: no extension.
    const vermont = await t.subjectToken("vermont-corrector", { jurisdiction: "US-VT" });
    const co = (await t.gql(SUBMIT, { input: { kind: "CORRECT", details: "Wrong name." } }, { token: vermont })).body
      .data!.submitDataRequest.dataRequest;
    const noExtension = await t.gql(
      `mutation($input: ExtendDataRequestInput!) { extendDataRequest(input: $input) { userErrors { code message } } }`,
      { input: { id: co.id, days: 10, reason: "x" } },
      { token: admin },
    );
    expect(noExtension.body.data!.extendDataRequest.userErrors[0].code).toBe("INVALID");
    expect(
      (await t.gql(`{ dataRequests(first: 5) { totalCount } }`, {}, { token })).body.errors?.[0]?.extensions?.code,
    ).toBe("FORBIDDEN");
    const badCursor = await t.gql(
      `query($after: String) { dataRequests(first: 5, after: $after) { totalCount } }`,
      { after: Buffer.from("o:1e300").toString("base64url") },
      { token: admin },
    );
    expect(badCursor.body.errors?.[0]?.extensions?.code).toBe("INVALID");
    const unknown = await t.gql(
      `mutation { completeDataRequest(input: { id: "nope", reason: "x" }) { userErrors { field code } } }`,
      {},
      { token: admin },
    );
    expect(unknown.body.data!.completeDataRequest.userErrors).toEqual([{ field: ["input", "id"], code: "NOT_FOUND" }]);
    const badKind = await t.gql(
      `mutation { submitDataRequest(input: { kind: FORGET_EVERYTHING }) { userErrors { code } } }`,
      {},
      { token },
    );
    expect(badKind.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("lets a service file a request taken by phone, safely retried", async () => {
    const callCenter = await t.serviceKey(["consent:write"], "call-center");
    const input = { kind: "OPT_OUT_OF_SALE", subjectExternalId: "phoned", idempotencyKey: "call-77" };
    const first = (await t.gql(SUBMIT, { input }, { token: callCenter })).body.data!.submitDataRequest.dataRequest;
    const retry = (await t.gql(SUBMIT, { input }, { token: callCenter })).body.data!.submitDataRequest.dataRequest;
    expect(retry.id).toBe(first.id);
    const conflict = (await t.gql(SUBMIT, { input: { ...input, kind: "ACCESS" } }, { token: callCenter })).body.data!
      .submitDataRequest.userErrors;
    expect(conflict[0]).toMatchObject({
      code: "CONFLICT",
      message: "This idempotencyKey was already used with a different request",
    });
    const forbidden = await t.gql(
      SUBMIT,
      { input: { kind: "ACCESS", subjectExternalId: "someone-else" } },
      { token: await t.subjectToken("phoned") },
    );
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("reads requests, notices and policy changes in a fixed number of SQL statements", async () => {
    const token = await t.subjectToken("reader-of-all");
    const q = `{ me { dataRequests { kind status } breachNotices { incident { dataCategories { key } } } policyChangesSinceConsent { changes { text } } } }`;
    await t.gql(
      UPDATE,
      { input: { channel: "WEB", changes: [{ purpose: "email-offers", granted: false }] } },
      { token },
    );
    await t.gql(SUBMIT, { input: { kind: "ACCESS" } }, { token });
    const one = await t.gql(q, {}, { token });
    for (const kind of ["OPT_OUT_OF_SALE", "LIMIT_SENSITIVE_DATA", "ACCESS"])
      await t.gql(SUBMIT, { input: { kind } }, { token });
    const four = await t.gql(q, {}, { token });
    expect(four.body.data!.me.dataRequests).toHaveLength(4);
    expect(four.sqlCount).toBe(one.sqlCount);
  });
});
