import { SharingAgreement } from "../src/modules/catalog/sharing-agreement.entity";
import { UPDATE } from "./helpers/consent";
import { startTestServer, type TestServer } from "./helpers/server";
import { SIGNALS, agreementIds, share } from "./helpers/sharing";

const SALE = "audience-data-sale"; // open-range-data, a data broker: sale-to-data-partners
const ADS = "retargeting-ads"; // summit-ad-network: targeted-advertising
const EMAILS = "offer-emails"; // postbox-mail: email-offers

// Sharing disclosures through HTTP: the engine records, people see, partners consume.
describe("Sharing: the engine records what it shares, people see who got their data, partners hear what to stop", () => {
  let t: TestServer;
  let engine: string;
  let ids: Record<string, string>;
  let broker: string;
  let adNetwork: string;
  beforeAll(async () => {
    t = await startTestServer({ env: { CANDOR_SIGNAL_LAG_MS: "0" } });
    engine = await t.serviceKey(["sharing:write"], "engine");
    ids = await agreementIds(t);
    broker = await t.partnerKey("open-range-data");
    adNetwork = await t.partnerKey("summit-ad-network");
  });
  afterAll(() => t.close());

  const event = (person: string, agreement: string, dataCategories: string[], extra: Record<string, unknown> = {}) => ({
    subjectExternalId: person,
    agreement: ids[agreement],
    dataCategories,
    ...extra,
  });

  it("records an event and answers the partner's stable pseudonym for the person, different for every partner", async () => {
    const { payload } = await share(t, engine, [
      event("alice", SALE, ["user.behavior.purchase_history"]),
      event("alice", SALE, ["user.inferred.interests"]),
      event("alice", ADS, ["user.behavior.browsing_history"]),
      event("bob", SALE, ["user.behavior.purchase_history"]),
    ]);
    for (const r of payload.results) expect(r.userErrors).toEqual([]);
    const [a1, a2, a3, b1] = payload.results.map((r) => r.event.subjectRef);
    expect(a1).toMatch(/^[0-9a-f]{64}$/);
    expect(a2).toBe(a1);
    expect(a3).not.toBe(a1);
    expect(b1).not.toBe(a1);
    expect(JSON.stringify(payload)).not.toContain("alice");
  });

  const refusals: Array<[string, () => Record<string, unknown>, { code: string; field: string[]; message?: RegExp }]> =
    [
      [
        "an unknown agreement",
        () => ({
          subjectExternalId: "carol",
          agreement: Buffer.from("SharingAgreement:01900000-0000-7000-8000-000000000000").toString("base64url"),
          dataCategories: ["user.behavior.purchase_history"],
        }),
        { code: "NOT_FOUND", field: ["agreement"] },
      ],
      [
        "a category outside the agreement",
        () => event("carol", SALE, ["user.contact.email"]),
        { code: "INVALID", field: ["dataCategories", "0"], message: /user\.contact\.email/ },
      ],
      [
        "an unknown category",
        () => event("carol", SALE, ["user.dreams"]),
        { code: "NOT_FOUND", field: ["dataCategories", "0"], message: /user\.dreams/ },
      ],
      ["no category", () => event("carol", SALE, []), { code: "INVALID", field: ["dataCategories"] }],
      [
        "a time in the future",
        () =>
          event("carol", SALE, ["user.behavior.purchase_history"], {
            occurredAt: new Date(Date.now() + 3600_000).toISOString(),
          }),
        { code: "INVALID", field: ["occurredAt"] },
      ],
    ];

  it.each(refusals)("refuses %s on its own, naming it", async (_name, make, expected) => {
    const { payload } = await share(t, engine, [event("dave", EMAILS, ["user.contact.email"]), make()]);
    expect(payload.results[0].userErrors).toEqual([]);
    expect(payload.results[1].event).toBeNull();
    const match = payload.results[1].userErrors.find(
      (e) =>
        e.code === expected.code &&
        JSON.stringify(e.field) === JSON.stringify(["input", "events", "1", ...expected.field]),
    );
    expect({ errors: payload.results[1].userErrors, found: Boolean(match) }).toMatchObject({ found: true });
    if (expected.message) expect(match.message).toMatch(expected.message);
  });

  it("refuses an agreement that has ended, and a sale once the person opted out (CONSENT_REQUIRED)", async () => {
    await t.services.db.transaction((m) =>
      m.update(SharingAgreement, { key: "deliveries" }, { endedAt: new Date(Date.now() - 60_000) }),
    );
    try {
      const ended = await share(t, engine, [event("erin", "deliveries", ["user.contact.postal_address"])]);
      expect(ended.payload.results[0].userErrors[0]).toMatchObject({
        code: "INVALID",
        field: ["input", "events", "0", "agreement"],
      });
    } finally {
      await t.services.db.transaction((m) => m.update(SharingAgreement, { key: "deliveries" }, { endedAt: null }));
    }
    await t.gql(
      UPDATE,
      { input: { channel: "WEB", changes: [{ purpose: "sale-to-data-partners", granted: false }] } },
      { token: await t.subjectToken("frank") },
    );
    const sale = await share(t, engine, [event("frank", SALE, ["user.behavior.purchase_history"])]);
    expect(sale.payload.results[0].userErrors[0]).toMatchObject({
      code: "CONSENT_REQUIRED",
      field: ["input", "events", "0", "agreement"],
    });
    await t.gql("{ me { id } }", {}, { token: await t.subjectToken("gina"), headers: { "sec-gpc": "1" } });
    const ads = await share(t, engine, [event("gina", ADS, ["user.behavior.browsing_history"])]);
    expect(ads.payload.results[0].userErrors[0].code).toBe("CONSENT_REQUIRED");
  });

  it("refuses more than 1000 events, and a service without the scope", async () => {
    const many = await share(
      t,
      engine,
      Array.from({ length: 1001 }, () => event("x", EMAILS, ["user.contact.email"])),
    );
    expect(many.payload.userErrors[0]).toMatchObject({ code: "LIMIT_EXCEEDED", field: ["input", "events"] });
    const other = await t.serviceKey(["consent:read"], "no-sharing");
    const r = await t.gql(
      `mutation($input: RecordSharingEventsInput!) { recordSharingEvents(input: $input) { results { index } } }`,
      { input: { events: [event("x", EMAILS, ["user.contact.email"])] } },
      { token: other },
    );
    expect(r.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("is safe to retry per event", async () => {
    const first = await share(t, engine, [event("henry", EMAILS, ["user.contact.email"], { idempotencyKey: "s-1" })]);
    const again = await share(t, engine, [
      event("henry", EMAILS, ["user.contact.email"], { idempotencyKey: "s-1" }),
      event("henry", EMAILS, ["user.behavior.cart"], { idempotencyKey: "s-1" }),
    ]);
    expect(again.payload.results[0].event.id).toBe(first.payload.results[0].event.id);
    expect(again.payload.results[1].userErrors[0].code).toBe("CONFLICT");
  });

  it("shows a person every partner that received their data, with what, why and when", async () => {
    await share(t, engine, [
      event("ivy", SALE, ["user.behavior.purchase_history"]),
      event("ivy", SALE, ["user.inferred.interests"]),
      event("ivy", EMAILS, ["user.contact.email"]),
    ]);
    const r = await t.gql(
      `{ me { recipients { partner { key } purposes { key } dataCategories { key } firstSharedAt lastSharedAt }
      sharingEvents(first: 10) { totalCount edges { node { partner { key } agreement { key } dataCategories { key } } } } } }`,
      {},
      { token: await t.subjectToken("ivy") },
    );
    const me = r.body.data!.me;
    expect(me.sharingEvents.totalCount).toBe(3);
    const byPartner = Object.fromEntries(me.recipients.map((x: any) => [x.partner.key, x]));
    expect(Object.keys(byPartner).sort()).toEqual(["open-range-data", "postbox-mail"]);
    expect(byPartner["open-range-data"].purposes).toEqual([{ key: "sale-to-data-partners" }]);
    expect(byPartner["open-range-data"].dataCategories.map((d: any) => d.key).sort()).toEqual([
      "user.behavior.purchase_history",
      "user.inferred.interests",
    ]);
    expect(
      new Date(byPartner["open-range-data"].firstSharedAt) <= new Date(byPartner["open-range-data"].lastSharedAt),
    ).toBe(true);
  });

  it("signals every partner that received data under an affected agreement, in the same transaction as the withdrawal", async () => {
    const person = "jack";
    const shared = await share(t, engine, [
      event(person, SALE, ["user.behavior.purchase_history"]),
      event(person, ADS, ["user.behavior.browsing_history"]),
    ]);
    const brokerRef = shared.payload.results[0].event.subjectRef;
    const token = await t.subjectToken(person);
    const countBefore = (await t.gql(SIGNALS, { first: 100 }, { token: broker })).body.data!.partnerSignals.totalCount;
    await t.gql(
      UPDATE,
      { input: { channel: "WEB", changes: [{ purpose: "sale-to-data-partners", granted: false }] } },
      { token },
    );
    const feed = (await t.gql(SIGNALS, { first: 100 }, { token: broker })).body.data!.partnerSignals;
    expect(feed.totalCount).toBe(countBefore + 1);
    const last = feed.edges[feed.edges.length - 1].node;
    expect(last).toMatchObject({
      kind: "OPT_OUT_OF_SALE",
      subjectRef: brokerRef,
      purpose: { key: "sale-to-data-partners" },
      agreement: { key: SALE },
      acknowledgedAt: null,
    });
    // GPC: the ad network hears of it as GPC_RECEIVED.
    await t.gql("{ me { id } }", {}, { token, headers: { "sec-gpc": "1" } });
    const ads = (await t.gql(SIGNALS, { first: 100 }, { token: adNetwork })).body.data!.partnerSignals.edges.map(
      (e: any) => e.node,
    );
    expect(
      ads.filter((s: any) => s.subjectRef === shared.payload.results[1].event.subjectRef).map((s: any) => s.kind),
    ).toEqual(["GPC_RECEIVED"]);
    // Each partner sees only its own signals.
    expect(ads.some((s: any) => s.subjectRef === brokerRef)).toBe(false);
  });

  it("signals the partner of an event reported late, when the person withdrew its purpose in between", async () => {
    const token = await t.subjectToken("late-report");
    await t.gql("{ me { id } }", {}, { token });
    const before = new Date(Date.now() - 60_000).toISOString();
    await t.gql(
      UPDATE,
      { input: { channel: "WEB", changes: [{ purpose: "sale-to-data-partners", granted: false }] } },
      { token },
    );
    const late = await share(t, engine, [
      {
        subjectExternalId: "late-report",
        agreement: ids[SALE],
        dataCategories: ["user.behavior.purchase_history"],
        occurredAt: before,
      },
    ]);
    expect(late.payload.results[0].userErrors).toEqual([]);
    const feed = (await t.gql(SIGNALS, { first: 100 }, { token: broker })).body.data!.partnerSignals.edges.map(
      (e: any) => e.node,
    );
    expect(feed).toContainEqual(
      expect.objectContaining({ kind: "OPT_OUT_OF_SALE", subjectRef: late.payload.results[0].event.subjectRef }),
    );
  });

  it("lets a partner acknowledge its own signals only, with no hint that others exist", async () => {
    const person = "kate";
    await share(t, engine, [
      event(person, SALE, ["user.behavior.purchase_history"]),
      event(person, ADS, ["user.behavior.browsing_history"]),
    ]);
    await t.gql(
      `mutation { optOutOfAll(input: { channel: WEB }) { receipt { id } } }`,
      {},
      { token: await t.subjectToken(person) },
    );
    const mine = (await t.gql(SIGNALS, { first: 100 }, { token: broker })).body
      .data!.partnerSignals.edges.map((e: any) => e.node)
      .filter((s: any) => !s.acknowledgedAt);
    const theirs = (await t.gql(SIGNALS, { first: 100 }, { token: adNetwork })).body.data!.partnerSignals.edges.map(
      (e: any) => e.node,
    );
    const ack = (ids2: string[], token: string) =>
      t.gql(
        `mutation($ids: [ID!]!) { acknowledgePartnerSignals(input: { ids: $ids }) { acknowledged userErrors { code } } }`,
        { ids: ids2 },
        { token },
      );
    expect((await ack([theirs[0].id], broker)).body.data!.acknowledgePartnerSignals.acknowledged).toBe(0);
    expect(
      (
        await ack(
          mine.map((s: any) => s.id),
          broker,
        )
      ).body.data!.acknowledgePartnerSignals.acknowledged,
    ).toBe(mine.length);
    expect(
      (
        await ack(
          mine.map((s: any) => s.id),
          broker,
        )
      ).body.data!.acknowledgePartnerSignals.acknowledged,
    ).toBe(0);
    const node = await t.gql("query($id: ID!) { node(id: $id) { id } }", { id: theirs[0].id }, { token: broker });
    expect(node.body).toEqual({ data: { node: null } });
    // A partner key is no person and no service.
    const nosy = await t.gql(
      `{ me { id } consentCheck(subjectExternalId: "kate", purposes: ["email-offers"]) { allGranted } }`,
      {},
      { token: broker },
    );
    expect(nosy.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("answers a partner acknowledging an id that is too long with LIMIT_EXCEEDED, not a server error", async () => {
    const r = await t.gql(
      `mutation($ids: [ID!]!) { acknowledgePartnerSignals(input: { ids: $ids }) { acknowledged userErrors { code field } } }`,
      { ids: ["x".repeat(300)] },
      { token: broker },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.acknowledgePartnerSignals).toEqual({
      acknowledged: 0,
      userErrors: [{ code: "LIMIT_EXCEEDED", field: ["input", "ids"] }],
    });
  });

  it("pages the feed oldest first without skipping or repeating, while new signals arrive", async () => {
    const people = Array.from({ length: 6 }, (_, i) => `pager-${i}`);
    await share(
      t,
      engine,
      people.map((p) => event(p, SALE, ["user.behavior.purchase_history"])),
    );
    const withdraw = async (p: string) =>
      t.gql(
        UPDATE,
        { input: { channel: "WEB", changes: [{ purpose: "sale-to-data-partners", granted: false }] } },
        { token: await t.subjectToken(p) },
      );
    for (const p of people.slice(0, 3)) await withdraw(p);
    const seen: string[] = [];
    let after: string | null = null;
    let page = (await t.gql(SIGNALS, { first: 2 }, { token: broker })).body.data!.partnerSignals;
    for (let round = 0; round < 50; round++) {
      seen.push(...page.edges.map((e: any) => e.node.id));
      after = page.pageInfo.endCursor;
      if (round === 1) for (const p of people.slice(3)) await withdraw(p);
      if (!page.pageInfo.hasNextPage && round > 2) break;
      page = (await t.gql(SIGNALS, { first: 2, after }, { token: broker })).body.data!.partnerSignals;
    }
    const all = (await t.gql(SIGNALS, { first: 100 }, { token: broker })).body.data!.partnerSignals.edges.map(
      (e: any) => e.node.id,
    );
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
    const since = await t.gql(
      SIGNALS,
      { first: 100, since: new Date(Date.now() + 60_000).toISOString() },
      { token: broker },
    );
    expect(since.body.data!.partnerSignals.totalCount).toBe(0);
  });

  it("costs the same SQL statements for 5 and for 100 items, for people and for partners", async () => {
    await share(
      t,
      engine,
      Array.from({ length: 100 }, (_, i) =>
        event(
          "wide-sharer",
          i % 2 ? SALE : EMAILS,
          i % 2 ? ["user.behavior.purchase_history"] : ["user.contact.email"],
        ),
      ),
    );
    const token = await t.subjectToken("wide-sharer");
    const q = `query($n: Int!) { me { recipients { partner { key } purposes { key } dataCategories { key } } sharingEvents(first: $n) { edges { node { partner { key } agreement { key purpose { key } } dataCategories { key } } } } } }`;
    const five = await t.gql(q, { n: 5 }, { token });
    const hundred = await t.gql(q, { n: 100 }, { token });
    expect(hundred.body.data!.me.sharingEvents.edges).toHaveLength(100);
    expect(hundred.sqlCount).toBe(five.sqlCount);
    const s5 = await t.gql(SIGNALS, { first: 5 }, { token: broker });
    const s100 = await t.gql(SIGNALS, { first: 100 }, { token: broker });
    expect(s100.sqlCount).toBe(s5.sqlCount);
  });

  it("lets a CDN cache the public disclosures for anonymous callers, and keeps signed-in answers private", async () => {
    const q = encodeURIComponent(
      "{ partners { key agreements { key reason } } sharingDisclosures { key partner { key } purpose { key } } }",
    );
    const anonymous = await fetch(`${t.url}?query=${q}`, { headers: { "apollo-require-preflight": "true" } });
    expect(anonymous.headers.get("cache-control")).toBe("max-age=60, public");
    expect(anonymous.headers.get("vary")).toContain("Authorization");
    const signedIn = await fetch(`${t.url}?query=${q}`, {
      headers: { "apollo-require-preflight": "true", authorization: `Bearer ${await t.subjectToken("cdn")}` },
    });
    expect(signedIn.headers.get("cache-control")).not.toContain("public");
    const personal = await fetch(`${t.url}?query=${encodeURIComponent("{ viewer { role } partners { key } }")}`, {
      headers: { "apollo-require-preflight": "true" },
    });
    expect(personal.headers.get("cache-control")).not.toContain("public");
  });
});

describe("Sharing: the partner feed's safety lag", () => {
  it("holds back signals younger than the lag", async () => {
    const t = await startTestServer({ env: { CANDOR_SIGNAL_LAG_MS: "600000" } });
    try {
      const engine = await t.serviceKey(["sharing:write"]);
      const ids = await agreementIds(t);
      await share(t, engine, [
        { subjectExternalId: "lagged", agreement: ids[SALE], dataCategories: ["user.behavior.purchase_history"] },
      ]);
      await t.gql(
        UPDATE,
        { input: { channel: "WEB", changes: [{ purpose: "sale-to-data-partners", granted: false }] } },
        { token: await t.subjectToken("lagged") },
      );
      const rows = await t.services.db.manager.query("SELECT COUNT(*) AS n FROM partner_signal");
      expect(Number(rows[0].n)).toBe(1);
      const feed = await t.gql(SIGNALS, { first: 10 }, { token: await t.partnerKey("open-range-data") });
      expect(feed.body.data!.partnerSignals.totalCount).toBe(0);
    } finally {
      await t.close();
    }
  });
});
