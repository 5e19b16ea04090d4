import { fromGlobalId } from "../src/kernel/ids";
import { DataRequest } from "../src/modules/rights";
import { startTestServer, type TestServer } from "./helpers/server";

const SUBMIT = `mutation($input: SubmitDataRequestInput!) { submitDataRequest(input: $input) {
  dataRequest { id status } userErrors { field code } } }`;
const METRICS = `query($year: Int!) { privacyPolicy { requestMetrics(year: $year) {
  year kind received compliedInWhole compliedInPart denied medianDaysToRespond } } }`;
const DAY = 24 * 3600_000;

const median = (days: number[]): number | null => {
  if (days.length === 0) return null;
  const sorted = [...days].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// The figures 11 CCR 7102 asks a large business to publish, for anyone to read: per kind of
// request, how many came in during a year, how many were complied with in whole or in part or
// denied, and the median days to respond, counted and ranked by the database itself.
describe("Request metrics: anyone reads a year's figures on data requests, per kind", () => {
  let t: TestServer;
  let admin: string;
  beforeAll(async () => {
    t = await startTestServer();
    admin = await t.adminToken();
  });
  afterAll(() => t.close());

  /** A request through the API, then its receipt (and answer) moved to a known time: 2025 is over. */
  const requestOf = async (
    person: string,
    kind: string,
    receivedAt: Date,
    answer?: { as?: "completeDataRequest" | "denyDataRequest" | "extendDataRequest"; afterDays?: number },
  ) => {
    const token = await t.subjectToken(person);
    const input = kind === "CORRECT" ? { kind, details: "My name is spelt wrong." } : { kind };
    const { id } = (await t.gql(SUBMIT, { input }, { token })).body.data!.submitDataRequest.dataRequest;
    if (answer?.as) {
      const extra = answer.as === "extendDataRequest" ? ", days: 10" : "";
      const r = await t.gql(
        `mutation($id: ID!) { ${answer.as}(input: { id: $id, reason: "Answered."${extra} }) { userErrors { code } } }`,
        { id },
        { token: admin },
      );
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data![answer.as].userErrors).toEqual([]);
    }
    const completedAt =
      answer?.afterDays === undefined ? undefined : new Date(receivedAt.getTime() + answer.afterDays * DAY);
    await t.services.db.transaction((m) =>
      m.update(DataRequest, { id: fromGlobalId(id)!.id }, completedAt ? { receivedAt, completedAt } : { receivedAt }),
    );
  };

  it("counts each kind and its median days in the database, in one statement, for anonymous callers", async () => {
    const policyOnly = await t.gql(`{ privacyPolicy { version } }`);
    const empty = await t.gql(METRICS, { year: 2025 });
    expect(empty.body.errors).toBeUndefined();
    expect(empty.body.data!.privacyPolicy.requestMetrics).toHaveLength(5);
    for (const m of empty.body.data!.privacyPolicy.requestMetrics)
      expect(m).toMatchObject({ year: 2025, received: 0, compliedInWhole: 0, denied: 0, medianDaysToRespond: null });

    const in2025 = (month: number, day: number) => new Date(Date.UTC(2025, month - 1, day, 9, 30));
    // CORRECT: three answered (odd count), one extended and under way, one still waiting.
    const correctDays = [12, 2.5, 30];
    await requestOf("c1", "CORRECT", in2025(1, 10), { as: "completeDataRequest", afterDays: correctDays[0] });
    await requestOf("c2", "CORRECT", in2025(3, 5), { as: "denyDataRequest", afterDays: correctDays[1] });
    await requestOf("c3", "CORRECT", in2025(12, 31), { as: "completeDataRequest", afterDays: correctDays[2] });
    await requestOf("c4", "CORRECT", in2025(6, 1), { as: "extendDataRequest" });
    await requestOf("c5", "CORRECT", in2025(7, 1));
    // ACCESS: two answered at once by Candor (even count), then moved to 1 and 6 days.
    const accessDays = [1, 6];
    await requestOf("a1", "ACCESS", in2025(2, 1), { afterDays: accessDays[0] });
    await requestOf("a2", "ACCESS", in2025(2, 2), { afterDays: accessDays[1] });
    // Outside the year: received at the last instant of 2024 and in 2026.
    await requestOf("old", "ACCESS", new Date(Date.UTC(2024, 11, 31, 23, 59, 59)), { afterDays: 100 });
    await requestOf("new", "CORRECT", new Date(Date.UTC(2026, 0, 1)), { as: "denyDataRequest", afterDays: 90 });

    const full = await t.gql(METRICS, { year: 2025 });
    const byKind = Object.fromEntries(full.body.data!.privacyPolicy.requestMetrics.map((m: any) => [m.kind, m]));
    expect(byKind.CORRECT).toEqual({
      year: 2025,
      kind: "CORRECT",
      received: 5,
      compliedInWhole: 2,
      compliedInPart: 1,
      denied: 1,
      medianDaysToRespond: median(correctDays),
    });
    expect(byKind.ACCESS).toMatchObject({ received: 2, compliedInWhole: 2, compliedInPart: 0, denied: 0 });
    expect(byKind.ACCESS.medianDaysToRespond).toBeCloseTo(median(accessDays)!, 2);
    expect(byKind.DELETE).toMatchObject({ received: 0, medianDaysToRespond: null });
    // The neighbouring years see only their own requests.
    const y2024 = (await t.gql(METRICS, { year: 2024 })).body.data!.privacyPolicy.requestMetrics;
    expect(y2024.find((m: any) => m.kind === "ACCESS")).toMatchObject({ received: 1, medianDaysToRespond: 100 });
    const y2026 = (await t.gql(METRICS, { year: 2026 })).body.data!.privacyPolicy.requestMetrics;
    expect(y2026.find((m: any) => m.kind === "CORRECT")).toMatchObject({ received: 1, denied: 1 });
    // One statement beyond the policy's own, with no requests as with nine.
    expect(empty.sqlCount).toBe(policyOnly.sqlCount + 1);
    expect(full.sqlCount).toBe(empty.sqlCount);
  });

  it("refuses a year no business could report on, with a typed error", async () => {
    const r = await t.gql(METRICS, { year: 20250 });
    expect(r.status).toBe(200);
    expect(r.body.errors?.[0]).toMatchObject({ extensions: { code: "INVALID" } });
    expect(r.body.errors?.[0].message).toMatch(/year/);
  });
});
