import { record, recommendation } from "./helpers/decisions";
import { startTestServer, type TestServer } from "./helpers/server";
import { agreementIds, share } from "./helpers/sharing";

const REPORT = `mutation($input: ReportBreachIncidentInput!) { reportBreachIncident(input: $input) { incident { id title status dataCategories { key } } notified userErrors { field code message } } }`;
const NOTICES = `{ me { breachNotices { id notifiedAt acknowledgedAt affectedDataCategories { key } incident { title whatYouCanDo status dataCategories { key } } } } }`;

// Honest breach notices: to exactly the people whose data was exposed, naming what was exposed.
describe("Breach notices: each person whose data was exposed is told what was exposed", () => {
  let t: TestServer;
  let admin: string;
  beforeAll(async () => {
    t = await startTestServer();
    admin = await t.adminToken();
    const engine = await t.serviceKey(["decisions:write", "sharing:write"]);
    await record(t, engine, [
      recommendation("exposed-1"),
      recommendation("exposed-2", {
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
    const ids = await agreementIds(t);
    const shared = await share(t, engine, [
      {
        subjectExternalId: "exposed-3",
        agreement: ids["retargeting-ads"],
        dataCategories: ["user.device.identifiers", "user.behavior.browsing_history"],
      },
    ]);
    expect(shared.payload.results[0].userErrors).toEqual([]);
  });
  afterAll(() => t.close());

  const input = (extra: Record<string, unknown> = {}) => ({
    title: "Copied browsing records",
    description: "A test server kept a copy of page views.",
    discoveredAt: new Date().toISOString(),
    occurredFrom: new Date(Date.now() - 3600_000).toISOString(),
    occurredTo: new Date(Date.now() + 60_000).toISOString(),
    dataCategories: ["user.behavior.browsing_history"],
    whatWeAreDoing: "We deleted the copy.",
    whatYouCanDo: "Nothing; no passwords were in it.",
    ...extra,
  });

  it("notifies exactly the people whose data in those categories was held in the window, naming their categories", async () => {
    const r = await t.gql(REPORT, { input: input() }, { token: admin });
    expect(r.body.data!.reportBreachIncident).toMatchObject({
      notified: 2,
      userErrors: [],
      incident: { status: "INVESTIGATING", dataCategories: [{ key: "user.behavior.browsing_history" }] },
    });
    for (const person of ["exposed-1", "exposed-3"]) {
      const notices = (await t.gql(NOTICES, {}, { token: await t.subjectToken(person) })).body.data!.me.breachNotices;
      expect(notices.length).toBeGreaterThanOrEqual(1);
      expect(notices[0]).toMatchObject({
        acknowledgedAt: null,
        affectedDataCategories: [{ key: "user.behavior.browsing_history" }],
        incident: { title: "Copied browsing records" },
      });
    }
    expect(
      (await t.gql(NOTICES, {}, { token: await t.subjectToken("exposed-2") })).body.data!.me.breachNotices,
    ).toEqual([]);
    const outside = await t.gql(
      REPORT,
      { input: input({ occurredFrom: "2020-01-01T00:00:00Z", occurredTo: "2020-02-01T00:00:00Z", title: "Old" }) },
      { token: admin },
    );
    expect(outside.body.data!.reportBreachIncident.notified).toBe(0);
    // Data recorded before the window was still held during it.
    const later = await t.gql(
      REPORT,
      {
        input: input({
          occurredFrom: new Date(Date.now() + 1000).toISOString(),
          occurredTo: new Date(Date.now() + 60_000).toISOString(),
          title: "Later",
        }),
      },
      { token: admin },
    );
    expect(later.body.data!.reportBreachIncident.notified).toBe(2);
  });

  it("lists an incident's categories by key, whatever order they were reported in", async () => {
    const reported = ["user.location.coarse", "user.health.fitness_activity"];
    const r = await t.gql(REPORT, { input: input({ dataCategories: reported }) }, { token: admin });
    expect(r.body.data!.reportBreachIncident.incident.dataCategories).toEqual([
      { key: "user.health.fitness_activity" },
      { key: "user.location.coarse" },
    ]);
  });

  it("lets a person acknowledge their own notice; another person's answers null, as a missing one", async () => {
    const own = (await t.gql(NOTICES, {}, { token: await t.subjectToken("exposed-1") })).body.data!.me.breachNotices[0];
    const ack = `mutation($id: ID!) { acknowledgeBreachNotice(input: { id: $id }) { breachNotice { id acknowledgedAt } userErrors { code } } }`;
    const stranger = await t.gql(ack, { id: own.id }, { token: await t.subjectToken("exposed-3") });
    expect(stranger.body.data!.acknowledgeBreachNotice).toEqual({ breachNotice: null, userErrors: [] });
    const mine = await t.gql(ack, { id: own.id }, { token: await t.subjectToken("exposed-1") });
    expect(mine.body.data!.acknowledgeBreachNotice.breachNotice.acknowledgedAt).not.toBeNull();
    const node = await t.gql(
      "query($id: ID!) { node(id: $id) { id } }",
      { id: own.id },
      { token: await t.subjectToken("exposed-3") },
    );
    expect(node.body).toEqual({ data: { node: null } });
  });

  it("lets admins update an incident, and refuses bad input and other callers", async () => {
    const report = await t.gql(REPORT, { input: input({ title: "Second" }) }, { token: admin });
    const id = report.body.data!.reportBreachIncident.incident.id;
    const update = `mutation($input: UpdateBreachIncidentInput!) { updateBreachIncident(input: $input) { incident { status containedAt whatWeAreDoing } notified userErrors { field code } } }`;
    const contained = await t.gql(
      update,
      { input: { id, status: "CONTAINED", whatWeAreDoing: "We closed the server." } },
      { token: admin },
    );
    expect(contained.body.data!.updateBreachIncident.incident).toMatchObject({
      status: "CONTAINED",
      whatWeAreDoing: "We closed the server.",
    });
    expect(contained.body.data!.updateBreachIncident.incident.containedAt).not.toBeNull();
    const missing = await t.gql(update, { input: { id: "nope", status: "RESOLVED" } }, { token: admin });
    expect(missing.body.data!.updateBreachIncident.userErrors).toEqual([{ field: ["input", "id"], code: "NOT_FOUND" }]);
    const unknown = await t.gql(REPORT, { input: input({ dataCategories: ["user.dreams"] }) }, { token: admin });
    expect(unknown.body.data!.reportBreachIncident.userErrors[0]).toMatchObject({
      code: "NOT_FOUND",
      field: ["input", "dataCategories", "0"],
    });
    const window = await t.gql(
      REPORT,
      { input: input({ occurredFrom: new Date().toISOString(), occurredTo: "2020-01-01T00:00:00Z" }) },
      { token: admin },
    );
    expect(window.body.data!.reportBreachIncident.userErrors[0].code).toBe("INVALID");
    const bySubject = await t.gql(REPORT, { input: input() }, { token: await t.subjectToken("exposed-1") });
    expect(bySubject.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("reads a person's notices in a fixed number of SQL statements, however many there are", async () => {
    const token = await t.subjectToken("exposed-1");
    const one = await t.gql(NOTICES, {}, { token });
    for (let i = 0; i < 4; i++) await t.gql(REPORT, { input: input({ title: `More ${i}` }) }, { token: admin });
    const five = await t.gql(NOTICES, {}, { token });
    expect(five.body.data!.me.breachNotices.length).toBeGreaterThan(one.body.data!.me.breachNotices.length);
    expect(five.sqlCount).toBe(one.sqlCount);
  });
});
