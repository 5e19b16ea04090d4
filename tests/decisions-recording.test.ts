import { AuditLog } from "../src/kernel/audit/audit-log.entity";
import { UPDATE } from "./helpers/consent";
import { decisionWrites, record, recommendation } from "./helpers/decisions";
import { DEMO_DECISIONS } from "../src/app/demo/demo-decisions";
import { startTestServer, type TestServer } from "./helpers/server";

// recordDecisions: each decision accepted or refused on its own, with a test and a code for
// every row of DESIGN §5's refusal table.
describe("Recording decisions: the engine records what it showed, and each decision is accepted or refused on its own", () => {
  let t: TestServer;
  let key: string;
  beforeAll(async () => {
    t = await startTestServer();
    key = await t.serviceKey(["decisions:write"], "engine");
  });
  afterAll(() => t.close());

  const subjects = async () => Number((await t.services.db.manager.query("SELECT COUNT(*) AS n FROM subject"))[0].n);

  it("accepts a valid decision, derives shares from contributions, and keeps what was recorded", async () => {
    const { payload } = await record(t, key, [
      recommendation("rec-1", {
        score: 0.9,
        baseScore: 0.1,
        factors: [
          {
            kind: "BEHAVIORAL",
            purpose: "personalized-recommendations",
            dataCategory: "user.behavior.browsing_history",
            sourceClass: "OBSERVED",
            contribution: 0.6,
          },
          {
            kind: "POPULARITY",
            purpose: "store-operation",
            dataCategory: "user.behavior.current_visit",
            sourceClass: "CONTEXTUAL",
            contribution: -0.2,
          },
          {
            kind: "GEOGRAPHIC",
            purpose: "personalized-recommendations",
            dataCategory: "user.location.coarse",
            sourceClass: "OBSERVED",
            contribution: 0.4,
          },
        ],
      }),
    ]);
    expect(payload.userErrors).toEqual([]);
    const [result] = payload.results;
    expect(result.userErrors).toEqual([]);
    const factors = result.decision.factors;
    // |c| / Σ|c| = 0.6/1.2, 0.4/1.2, 0.2/1.2; largest share first.
    expect(factors.map((f: any) => [f.kind, Number(f.share.toFixed(6)), f.contribution])).toEqual([
      ["BEHAVIORAL", 0.5, 0.6],
      ["GEOGRAPHIC", 0.333333, 0.4],
      ["POPULARITY", 0.166667, -0.2],
    ]);
    expect(factors.reduce((s: number, f: any) => s + f.share, 0)).toBeCloseTo(1, 9);
    expect(result.decision.mode).toBe("PERSONALIZED");
  });

  type Case = [string, Record<string, unknown>, { code: string; field: string[]; message?: RegExp }];
  const factor = (over: Record<string, unknown>, i = 0) => ({
    factors: (recommendation("x").factors as any[]).map((f, j) => (j === i ? { ...f, ...over } : f)),
  });
  const cases: Case[] = [
    ["an unknown surface", { surface: "billboard" }, { code: "NOT_FOUND", field: ["surface"], message: /billboard/ }],
    [
      "an unknown purpose",
      factor({ purpose: "mind-reading" }),
      { code: "NOT_FOUND", field: ["factors", "0", "purpose"], message: /mind-reading/ },
    ],
    [
      "an unknown data category",
      factor({ dataCategory: "user.dreams" }),
      { code: "NOT_FOUND", field: ["factors", "0", "dataCategory"], message: /user\.dreams/ },
    ],
    [
      "an unknown partner",
      factor({ sourceClass: "PARTNER_PROVIDED", sourcePartner: "nobody-inc" }),
      { code: "NOT_FOUND", field: ["factors", "0", "sourcePartner"], message: /nobody-inc/ },
    ],
    [
      "an unknown algorithm key",
      { algorithm: "crystal-ball" },
      { code: "NOT_FOUND", field: ["algorithm"], message: /crystal-ball/ },
    ],
    [
      "an unknown algorithm version",
      { algorithmVersion: "9" },
      { code: "NOT_FOUND", field: ["algorithmVersion"], message: /"9"/ },
    ],
    [
      "a purpose not granted at occurredAt",
      factor({ purpose: "location-based-offers", dataCategory: "user.location.coarse", kind: "GEOGRAPHIC" }),
      { code: "CONSENT_REQUIRED", field: ["factors", "0", "purpose"], message: /location-based-offers/ },
    ],
    [
      "a category its purpose does not declare",
      factor({ dataCategory: "user.behavior.current_visit" }),
      { code: "INVALID", field: ["factors", "0", "dataCategory"], message: /does not declare/ },
    ],
    [
      "a category the card does not take as input",
      factor({ purpose: "email-offers", dataCategory: "user.behavior.email_engagement" }),
      { code: "INVALID", field: ["factors", "0", "dataCategory"], message: /as an input/ },
    ],
    [
      "a card version not valid at occurredAt",
      { algorithmVersion: "1" },
      { code: "INVALID", field: ["algorithmVersion"], message: /not in use/ },
    ],
    [
      "occurredAt more than 5 minutes ahead",
      { occurredAt: new Date(Date.now() + 10 * 60_000).toISOString() },
      { code: "INVALID", field: ["occurredAt"] },
    ],
    ["no factors", { factors: [] }, { code: "INVALID", field: ["factors"] }],
    [
      "more than 50 factors",
      {
        factors: Array.from({ length: 51 }, () => ({
          kind: "POPULARITY",
          purpose: "store-operation",
          dataCategory: "user.behavior.current_visit",
          sourceClass: "CONTEXTUAL",
          share: 1 / 51,
        })),
      },
      { code: "LIMIT_EXCEEDED", field: ["factors"] },
    ],
    [
      "a factor with neither share nor contribution",
      factor({ share: null }),
      { code: "INVALID", field: ["factors", "0", "share"] },
    ],
    [
      "a negative share",
      {
        factors: [
          { ...(recommendation("x").factors as any[])[0], share: -0.2 },
          { ...(recommendation("x").factors as any[])[1], share: 1.2 },
        ],
      },
      { code: "INVALID", field: ["factors", "0", "share"] },
    ],
    [
      "shares that do not sum to 1",
      factor({ share: 0.5 }),
      { code: "INVALID", field: ["factors"], message: /sum to 0\.8/ },
    ],
    [
      "contributions that do not reproduce the score",
      {
        score: 1,
        baseScore: 0.1,
        factors: [{ ...(recommendation("x").factors as any[])[0], share: null, contribution: 0.5 }],
      },
      { code: "INVALID", field: ["score"] },
    ],
    [
      "an ad without a sponsor",
      {
        surface: "product-page-ads",
        kind: "AD",
        algorithm: "ad-matcher",
        factors: [
          {
            kind: "CONTEXTUAL",
            purpose: "store-operation",
            dataCategory: "user.behavior.current_visit",
            sourceClass: "CONTEXTUAL",
            share: 1,
          },
        ],
      },
      { code: "INVALID", field: ["sponsor"] },
    ],
    [
      "an ad that uses sensitive data",
      {
        surface: "product-page-ads",
        kind: "AD",
        algorithm: "ad-matcher",
        sponsor: { onBehalfOf: "A", paidBy: "A" },
        factors: [
          {
            kind: "GEOGRAPHIC",
            purpose: "location-based-offers",
            dataCategory: "user.location.precise",
            sourceClass: "OBSERVED",
            share: 1,
          },
        ],
      },
      { code: "INVALID", field: ["factors", "0", "dataCategory"], message: /sensitive/ },
    ],
  ];

  it.each(cases)(
    "refuses %s with its code and path, on its own, writing nothing but its audit entry",
    async (_name, override, expected) => {
      const before = await decisionWrites(t);
      const good = recommendation("batch-mate");
      const { payload } = await record(t, key, [good, recommendation("refused-person", override)]);
      expect(payload.results[0].userErrors).toEqual([]);
      expect(payload.results[0].decision).not.toBeNull();
      const refused = payload.results[1];
      expect(refused.index).toBe(1);
      expect(refused.decision).toBeNull();
      const match = refused.userErrors.find(
        (e) =>
          e.code === expected.code &&
          JSON.stringify(e.field) === JSON.stringify(["input", "decisions", "1", ...expected.field]) &&
          (!expected.message || expected.message.test(e.message)),
      );
      expect({ match: Boolean(match), errors: refused.userErrors }).toMatchObject({ match: true });
      if (expected.message) expect(match!.message).toMatch(expected.message);
      const after = await decisionWrites(t);
      expect(after.decision - before.decision).toBe(1);
      expect(after.audit_log - before.audit_log).toBe(1);
      const [entry] = await t.services.db.manager.find(AuditLog, { order: { seq: "DESC" }, take: 1 });
      expect(entry.detail.accepted).toEqual([
        Buffer.from(payload.results[0].decision.id, "base64url").toString().split(":")[1],
      ]);
      expect(entry.detail.refused).toEqual([{ index: 1, codes: expect.arrayContaining([expected.code]) }]);
    },
  );

  it("refuses contributions too large to add up, naming the factors", async () => {
    const huge = (recommendation("huge").factors as any[]).map((f) => ({ ...f, share: null, contribution: 1e308 }));
    const { payload } = await record(t, key, [recommendation("huge", { factors: huge })]);
    expect(payload.results[0].userErrors).toContainEqual({
      field: ["input", "decisions", "0", "factors"],
      message: expect.any(String),
      code: "INVALID",
    });
  });

  it("refuses a profiling factor on a surface where the person chose NON_PROFILING", async () => {
    const token = await t.subjectToken("plain-feed");
    const set = await t.gql(
      `mutation { setRecommenderMode(input: { surface: "home-feed", mode: NON_PROFILING }) { subject { recommenderModes { surface { key } mode } } userErrors { code } } }`,
      {},
      { token },
    );
    expect(
      set.body.data!.setRecommenderMode.subject.recommenderModes.find((m: any) => m.surface.key === "home-feed").mode,
    ).toBe("NON_PROFILING");
    const { payload } = await record(t, key, [
      recommendation("plain-feed"),
      recommendation("plain-feed", {
        factors: [
          {
            kind: "POPULARITY",
            purpose: "store-operation",
            dataCategory: "user.behavior.current_visit",
            sourceClass: "CONTEXTUAL",
            share: 1,
          },
        ],
      }),
    ]);
    expect(payload.results[0].userErrors).toContainEqual({
      field: ["input", "decisions", "0", "factors", "0"],
      message: expect.stringContaining("NON_PROFILING"),
      code: "PROFILING_NOT_ALLOWED",
    });
    expect(payload.results[1].decision.mode).toBe("NON_PROFILING");
  });

  it("derives shares from contributions, refusing a share that disagrees, and needs a baseScore to explain a score", async () => {
    const factors = (c: [number, number], shares?: [number, number]) => [
      {
        kind: "BEHAVIORAL",
        purpose: "personalized-recommendations",
        dataCategory: "user.behavior.browsing_history",
        sourceClass: "OBSERVED",
        contribution: c[0],
        ...(shares ? { share: shares[0] } : {}),
      },
      {
        kind: "POPULARITY",
        purpose: "store-operation",
        dataCategory: "user.behavior.current_visit",
        sourceClass: "CONTEXTUAL",
        contribution: c[1],
        ...(shares ? { share: shares[1] } : {}),
      },
    ];
    const { payload } = await record(t, key, [
      // "Mostly because of what you did (90%)" when the contributions say 10%.
      recommendation("additive", { factors: factors([0.08, 0.72], [0.9, 0.1]) }),
      // A score of 0.99 that contributions of 0.02 cannot explain without a base score.
      recommendation("additive", { score: 0.99, factors: factors([0.01, 0.01]) }),
      // Shares that agree with the contributions (within 0.001), and a score that adds up.
      recommendation("additive", { score: 0.9, baseScore: 0.1, factors: factors([0.08, 0.72], [0.1, 0.9]) }),
    ]);
    expect(payload.results[0].decision).toBeNull();
    expect(payload.results[0].userErrors.map((e: any) => [e.code, e.field])).toEqual([
      ["INVALID", ["input", "decisions", "0", "factors", "0", "share"]],
      ["INVALID", ["input", "decisions", "0", "factors", "1", "share"]],
    ]);
    expect(payload.results[1].userErrors).toEqual([
      { code: "INVALID", field: ["input", "decisions", "1", "baseScore"], message: expect.any(String) },
    ]);
    expect(payload.results[2].userErrors).toEqual([]);
    // Largest share first.
    expect(payload.results[2].decision.factors.map((f: any) => f.share)).toEqual([
      expect.closeTo(0.9, 9),
      expect.closeTo(0.1, 9),
    ]);
  });

  it("allows only data that says nothing about the person under NON_PROFILING, whatever the factor's kind", async () => {
    const token = await t.subjectToken("strict-mode");
    for (const surface of ["home-feed", "product-page-ads"]) {
      const set = await t.gql(
        `mutation { setRecommenderMode(input: { surface: "${surface}", mode: NON_PROFILING }) { userErrors { code } } }`,
        {},
        { token },
      );
      expect(set.body.data!.setRecommenderMode.userErrors).toEqual([]);
    }
    const demoAd = DEMO_DECISIONS.find((d) => d.surface === "product-page-ads")!;
    const ad = JSON.parse(JSON.stringify({ ...demoAd, subjectExternalId: "strict-mode" }));
    const factor = (kind: string, dataCategory: string, purpose = "personalized-recommendations") => ({
      kind,
      purpose,
      dataCategory,
      sourceClass: "INFERRED",
      share: 0.5,
    });
    const { payload } = await record(t, key, [
      // The bypasses a review found: an advertiser's targeting on pages viewed, a contextual
      // factor on guessed interests, popularity among the person's own past orders.
      ad,
      recommendation("strict-mode", {
        factors: [
          factor("CONTEXTUAL", "user.inferred.interests"),
          factor("POPULARITY", "user.behavior.purchase_history"),
        ],
      }),
      // What NON_PROFILING is for: this visit only.
      recommendation("strict-mode", {
        factors: [{ ...factor("POPULARITY", "user.behavior.current_visit", "store-operation"), share: 1 }],
      }),
    ]);
    const refusals = (i: number) =>
      payload.results[i].userErrors.filter((e: any) => e.code === "PROFILING_NOT_ALLOWED").map((e: any) => e.field);
    const adProfiling = demoAd.factors
      .map((f, j) =>
        f.dataCategory === "user.behavior.current_visit" ? null : ["input", "decisions", "0", "factors", `${j}`],
      )
      .filter((f) => f !== null);
    expect(adProfiling.length).toBeGreaterThan(0);
    expect(refusals(0)).toEqual(adProfiling);
    expect(refusals(1)).toEqual([
      ["input", "decisions", "1", "factors", "0"],
      ["input", "decisions", "1", "factors", "1"],
    ]);
    expect(payload.results[2].userErrors).toEqual([]);
    expect(payload.results[2].decision.mode).toBe("NON_PROFILING");
  });

  it("refuses more than 1000 decisions in one call, and a service without the scope", async () => {
    const tooMany = await record(
      t,
      key,
      Array.from({ length: 1001 }, (_, i) => recommendation(`bulk-${i}`)),
    );
    expect(tooMany.payload.userErrors).toEqual([
      { field: ["input", "decisions"], message: expect.any(String), code: "LIMIT_EXCEEDED" },
    ]);
    expect(tooMany.payload.results).toEqual([]);
    const other = await t.serviceKey(["consent:read"], "not-a-recorder");
    const r = await t.gql(
      `mutation($input: RecordDecisionsInput!) { recordDecisions(input: $input) { results { index } } }`,
      { input: { decisions: [recommendation("x")] } },
      { token: other },
    );
    expect(r.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("creates no person for a batch whose every decision is refused", async () => {
    const before = await subjects();
    const { payload } = await record(t, key, [
      recommendation("ghost-1", { surface: "billboard" }),
      recommendation(" "),
    ]);
    expect(payload.results.map((r) => r.decision)).toEqual([null, null]);
    expect(payload.results[1].userErrors[0]).toMatchObject({
      code: "INVALID",
      field: ["input", "decisions", "1", "subjectExternalId"],
    });
    expect(await subjects()).toBe(before);
  });

  it("is safe to retry per decision: the same key returns the first decision; another input with it is a CONFLICT", async () => {
    const first = await record(t, key, [recommendation("retry-person", { idempotencyKey: "d-1" })]);
    const before = await decisionWrites(t);
    const again = await record(t, key, [
      recommendation("retry-person", { idempotencyKey: "d-1" }),
      recommendation("retry-person", { idempotencyKey: "d-1", itemLabel: "Other boots" }),
    ]);
    expect(again.payload.results[0].decision.id).toBe(first.payload.results[0].decision.id);
    expect(again.payload.results[1].userErrors).toEqual([
      { field: ["input", "decisions", "1", "idempotencyKey"], message: expect.any(String), code: "CONFLICT" },
    ]);
    const after = await decisionWrites(t);
    expect(after.decision).toBe(before.decision);
    expect(after.decision_factor).toBe(before.decision_factor);
  });

  it("records concurrent batches about one new person once: no errors, no duplicate person, one decision per retried key", async () => {
    const calls = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.gql(
          `mutation($input: RecordDecisionsInput!) { recordDecisions(input: $input) { results { decision { id } userErrors { code } } } }`,
          {
            input: {
              decisions: [
                recommendation("race-newcomer", { itemRef: `sku-${i}` }),
                recommendation("race-newcomer", { itemRef: "same", idempotencyKey: "shared" }),
              ],
            },
          },
          { token: key },
        ),
      ),
    );
    for (const c of calls) expect(c.body.errors).toBeUndefined();
    const ids = calls.map((c) => c.body.data!.recordDecisions.results[1].decision.id);
    expect(new Set(ids).size).toBe(1);
    const rows = await t.services.db.manager.query(
      "SELECT COUNT(*) AS n FROM subject WHERE external_id = 'race-newcomer'",
    );
    expect(Number(rows[0].n)).toBe(1);
  });

  it("writes many decisions in a few multi-row statements: 200 decisions cost what 2 do", async () => {
    const people = (n: number, tag: string) =>
      Array.from({ length: n }, (_, i) => recommendation(`${tag}-${i % 20}`, { itemRef: `sku-${i}` }));
    await record(t, key, people(20, "warm")); // the people exist from here on
    const two = await record(t, key, people(2, "warm"));
    const many = await record(t, key, people(200, "warm"));
    expect(many.payload.results.every((r) => r.decision !== null)).toBe(true);
    expect(many.sqlCount).toBe(two.sqlCount);
  });

  it("checks consent when the decision was shown and when it is recorded, within minutes of each other", async () => {
    const token = await t.subjectToken("time-traveller");
    const change = (granted: boolean) =>
      t.gql(
        UPDATE,
        { input: { channel: "WEB", changes: [{ purpose: "personalized-recommendations", granted }] } },
        { token },
      );
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    // Shown a minute before the person withdrew, reported after: the withdrawal wins.
    const beforeWithdrawal = ago(60_000);
    await change(false);
    const late = await record(t, key, [recommendation("time-traveller", { occurredAt: beforeWithdrawal })]);
    expect(late.payload.results[0].userErrors).toEqual([
      {
        code: "CONSENT_REQUIRED",
        field: ["input", "decisions", "0", "factors", "0", "purpose"],
        message: expect.stringContaining("withdrawn"),
      },
    ]);
    // Shown while the purpose was withdrawn, reported after the person said yes again: refused too.
    const whileWithdrawn = ago(1);
    await new Promise((r) => setTimeout(r, 5));
    await change(true);
    const { payload } = await record(t, key, [
      recommendation("time-traveller", { occurredAt: whileWithdrawn }),
      recommendation("time-traveller"),
      // More than the allowed skew (5 minutes) ago: decisions are recorded as they are made.
      recommendation("time-traveller", { occurredAt: ago(10 * 60_000) }),
    ]);
    expect(payload.results[0].userErrors[0].code).toBe("CONSENT_REQUIRED");
    expect(payload.results[1].userErrors).toEqual([]);
    expect(payload.results[2].userErrors).toEqual([
      { code: "INVALID", field: ["input", "decisions", "2", "occurredAt"], message: expect.stringContaining("ago") },
    ]);
  });

  it("treats ids that differ by a trailing space as different people, and checks each one's consent", async () => {
    const token = await t.subjectToken("pad-person");
    await t.gql(
      UPDATE,
      { input: { channel: "WEB", changes: [{ purpose: "personalized-recommendations", granted: false }] } },
      { token },
    );
    const { payload } = await record(t, key, [recommendation("pad-person"), recommendation("pad-person ")]);
    expect(payload.results[0].userErrors[0].code).toBe("CONSENT_REQUIRED");
    expect(payload.results[1].userErrors).toEqual([]);
    const rows = await t.services.db.manager.query(
      "SELECT external_id AS id FROM subject WHERE external_id LIKE 'pad-person%'",
    );
    expect(rows.map((r: { id: string }) => r.id).sort()).toEqual(["pad-person", "pad-person "]);
  });
});
