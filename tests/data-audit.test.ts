import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { bumpCatalogVersion, CATALOG_CHANGED, DataCategory, SharingAgreement } from "../src/modules/catalog";
import { newId } from "../src/kernel/ids";
import { UPDATE } from "./helpers/consent";
import { decisionWrites, record, recommendation } from "./helpers/decisions";
import { startTestServer, TEST_JWT_SECRET, type TestServer } from "./helpers/server";
import { agreementIds, share } from "./helpers/sharing";

const RUN = `mutation { runDataAudit { dataAudit { id ranAt purgedRecords findings { kind count detail } } userErrors { code } } }`;
const DAY = 24 * 3600_000;

// The data audit: retention enforced in small batches, practice compared with policy.
describe("Data audit: the privacy office purges expired data and finds data used beyond consent, policy or agreement", () => {
  let t: TestServer;
  let admin: string;
  let engine: string;
  beforeAll(async () => {
    // Retention is about old decisions: let the engine report them (decisions are otherwise
    // recorded within minutes of being made, CANDOR_DECISION_MAX_SKEW_MS).
    t = await startTestServer({ env: { CANDOR_DECISION_MAX_SKEW_MS: String(1000 * DAY) } });
    admin = await t.adminToken();
    engine = await t.serviceKey(["decisions:write", "sharing:write"]);
  });
  afterAll(() => t.close());

  const findings = async () => {
    const r = await t.gql(RUN, {}, { token: admin });
    expect(r.body.errors).toBeUndefined();
    const audit = r.body.data!.runDataAudit.dataAudit;
    return { audit, of: (kind: string) => audit.findings.find((f: any) => f.kind === kind) };
  };

  it("purges whole decisions past the shortest retention of their categories, and old sharing events, keeping the rest", async () => {
    const old = new Date(Date.now() - 500 * DAY).toISOString(); // browsing history is kept 365 days
    const kept = await record(t, engine, [recommendation("old-timer", { itemRef: "fresh" })]);
    const gone = await record(t, engine, [
      recommendation("old-timer", { itemRef: "stale", algorithmVersion: "1", occurredAt: old }),
    ]);
    expect(gone.payload.results[0].userErrors).toEqual([]);
    const ids = await agreementIds(t);
    await share(t, engine, [
      {
        subjectExternalId: "old-timer",
        agreement: ids["retargeting-ads"],
        dataCategories: ["user.behavior.browsing_history"],
        occurredAt: old,
      },
    ]);
    const before = await decisionWrites(t);
    const { audit, of } = await findings();
    expect(audit.purgedRecords).toBe(2);
    expect(of("PAST_RETENTION")).toMatchObject({
      count: 2,
      detail: expect.stringContaining("1 decision(s) and 1 sharing event(s)"),
    });
    const after = await decisionWrites(t);
    expect(after.decision).toBe(before.decision - 1);
    expect(after.decision_factor).toBe(before.decision_factor - 2);
    const me = (
      await t.gql(
        `{ me { decisions(first: 10) { edges { node { itemRef } } } sharingEvents(first: 5) { totalCount } } }`,
        {},
        { token: await t.subjectToken("old-timer") },
      )
    ).body.data!.me;
    expect(me.decisions.edges.map((e: any) => e.node.itemRef)).toEqual(["fresh"]);
    expect(me.sharingEvents.totalCount).toBe(0);
    expect(kept.payload.results[0].decision).not.toBeNull();
    expect((await t.gql("{ verifyAuditLog { valid } }", {}, { token: admin })).body.data!.verifyAuditLog.valid).toBe(
      true,
    );
    expect((await findings()).audit.purgedRecords).toBe(0); // nothing left to purge
  });

  it("reports decisions on a NON_PROFILING surface that relied on data about the person", async () => {
    const token = await t.subjectToken("plain-shopper");
    await t.gql(
      `mutation { setRecommenderMode(input: { surface: "home-feed", mode: NON_PROFILING }) { userErrors { code } } }`,
      {},
      { token },
    );
    const visitOnly = {
      factors: [
        {
          kind: "POPULARITY",
          purpose: "store-operation",
          dataCategory: "user.behavior.current_visit",
          sourceClass: "CONTEXTUAL",
          share: 1,
        },
      ],
    };
    const recorded = await record(t, engine, [recommendation("plain-shopper", visitOnly)]);
    expect(recorded.payload.results[0].decision.mode).toBe("NON_PROFILING");
    expect((await findings()).of("PROFILING_ON_NON_PROFILING_SURFACE")).toMatchObject({ count: 0 });
    // The catalog changes under recorded practice: "this visit" is no longer usable without profiling.
    const flag = async (usable: boolean) =>
      t.services.db.transaction((m) =>
        m.update(DataCategory, { key: "user.behavior.current_visit" }, { usableWithoutProfiling: usable }),
      );
    await flag(false);
    try {
      expect((await findings()).of("PROFILING_ON_NON_PROFILING_SURFACE")).toMatchObject({
        count: 1,
        detail: expect.stringContaining("1 decision(s)"),
      });
    } finally {
      await flag(true);
    }
  });

  it("reports decisions refused for lack of consent, data used beyond what the policy declares, and sharing outside an agreement", async () => {
    await t.gql(
      UPDATE,
      { input: { channel: "WEB", changes: [{ purpose: "personalized-recommendations", granted: false }] } },
      { token: await t.subjectToken("refused-one") },
    );
    const baseline = await findings();
    await record(t, engine, [recommendation("refused-one")]);
    await record(t, engine, [recommendation("auditee")]);
    const ids = await agreementIds(t);
    await share(t, engine, [
      {
        subjectExternalId: "auditee",
        agreement: ids["site-analytics"],
        dataCategories: ["user.behavior.browsing_history"],
      },
    ]);
    // The catalog changes under recorded practice: a purpose stops declaring a category, an agreement is backdated to have ended.
    await t.services.db.transaction((m) =>
      m.query(
        "DELETE FROM purpose_data_category WHERE data_category_id = (SELECT id FROM data_category WHERE \"key\" = 'user.behavior.current_visit') AND purpose_id = (SELECT id FROM purpose WHERE \"key\" = 'store-operation')".replace(
          /"key"/g,
          t.services.db.dialect === "sqlite" ? '"key"' : "`key`",
        ),
      ),
    );
    await new Promise((r) => setTimeout(r, 5));
    await t.services.db.transaction((m) =>
      m.update(SharingAgreement, { key: "site-analytics" }, { endedAt: new Date() }),
    );
    const { of } = await findings();
    expect(of("DECISION_WITHOUT_CONSENT").count).toBe(baseline.of("DECISION_WITHOUT_CONSENT").count + 1);
    expect(of("UNDECLARED_DATA_USE").count).toBeGreaterThanOrEqual(2);
    expect(of("SHARING_WITHOUT_AGREEMENT").count).toBe(0); // ended after the event: still covered when it happened
    await t.services.db.transaction((m) =>
      m.update(SharingAgreement, { key: "site-analytics" }, { endedAt: new Date(Date.now() - 7 * DAY) }),
    );
    expect((await findings()).of("SHARING_WITHOUT_AGREEMENT")).toMatchObject({
      count: 1,
      detail: expect.stringContaining("1 sharing event(s)"),
    });
    expect((await t.gql(RUN, {}, { token: await t.subjectToken("auditee") })).body.errors?.[0]?.extensions?.code).toBe(
      "FORBIDDEN",
    );
  });

  it("reports practice the privacy policy in force at its time did not describe", async () => {
    const baseline = (await findings()).of("UNDESCRIBED_PRACTICE").count;
    // The catalog changes behind the published version (a row written directly: catalog apply would
    // refuse it without a new version), and the engine uses what it now allows.
    const key = t.services.db.dialect === "sqlite" ? '"key"' : "`key`";
    // Every catalog change bumps the catalog version (which the served snapshot follows), even
    // one that bypasses apply's checks.
    await t.services.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO purpose_data_category (purpose_id, data_category_id) SELECT p.id, c.id FROM purpose p, data_category c ` +
          `WHERE p.${key} = 'personalized-recommendations' AND c.${key} = 'user.location.precise' AND NOT EXISTS ` +
          `(SELECT 1 FROM purpose_data_category j WHERE j.purpose_id = p.id AND j.data_category_id = c.id)`,
      );
      await bumpCatalogVersion(m);
    });
    await t.services.db.committed(CATALOG_CHANGED);
    const undescribed = recommendation("undescribed", {
      itemRef: "undescribed-use",
      factors: [
        {
          kind: "GEOGRAPHIC",
          purpose: "personalized-recommendations",
          dataCategory: "user.location.precise",
          sourceClass: "OBSERVED",
          share: 1,
        },
      ],
    });
    const { payload } = await record(t, engine, [undescribed]);
    expect(payload.results[0].userErrors).toEqual([]);
    // A sharing agreement the published version does not list (written directly, as above).
    const ads = (await t.services.db.manager.findOneByOrFail(SharingAgreement, {
      key: "retargeting-ads",
    })) as SharingAgreement;
    const secret = { ...ads, id: newId(), key: "unlisted-deal", translations: null };
    await t.services.db.transaction(async (m) => {
      await m.insert(SharingAgreement, secret as never);
      await m.query(
        `INSERT INTO sharing_agreement_data_category (sharing_agreement_id, data_category_id) SELECT ?, c.id FROM data_category c WHERE c.${key} = 'user.behavior.browsing_history'`,
        [secret.id],
      );
      await bumpCatalogVersion(m);
    });
    await t.services.db.committed(CATALOG_CHANGED);
    const ids = await agreementIds(t);
    const { payload: shared } = await share(t, engine, [
      {
        subjectExternalId: "undescribed",
        agreement: ids["unlisted-deal"],
        dataCategories: ["user.behavior.browsing_history"],
      },
    ]);
    expect(shared.results[0].userErrors).toEqual([]);
    expect((await findings()).of("UNDESCRIBED_PRACTICE")).toMatchObject({
      count: baseline + 2,
      detail: expect.stringMatching(/1 decision factor\(s\) and 1 sharing event\(s\) were not described/),
    });
  });

  it("runs from the command line for a scheduler, printing the findings as JSON", async () => {
    const run = promisify(execFile);
    const { stdout } = await run("node", ["-r", "ts-node/register/transpile-only", "src/cli/candor.ts", "audit"], {
      cwd: join(__dirname, ".."),
      env: {
        ...process.env,
        DATABASE_URL: t.services.config.databaseUrl,
        CANDOR_JWT_SECRET: TEST_JWT_SECRET,
        NODE_ENV: "test",
        LOG_LEVEL: "silent",
      },
    });
    const audit = JSON.parse(stdout);
    expect(audit.findings.map((f: any) => f.kind).sort()).toEqual([
      "DECISION_WITHOUT_CONSENT",
      "PAST_RETENTION",
      "PROFILING_ON_NON_PROFILING_SURFACE",
      "SHARING_WITHOUT_AGREEMENT",
      "UNDECLARED_DATA_USE",
      "UNDESCRIBED_PRACTICE",
    ]);
  });
});
