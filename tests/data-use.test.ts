import { record, recommendation } from "./helpers/decisions";
import { startTestServer, type TestServer } from "./helpers/server";
import { agreementIds, share } from "./helpers/sharing";

const DATA_USE = `{ me { dataUse { dataCategory { key } purposes { key } decisions firstUsedAt lastUsedAt
  sourcePartners { key } sharedWith { key } } } }`;

// "What was my data used for?": a person reads, category by category, the purposes, decisions and
// partners Candor's records show, in a fixed number of SQL statements however many decisions.
describe("What my data was used for: a person reads every data category the records show was used about them", () => {
  let t: TestServer;
  let engine: string;
  beforeAll(async () => {
    t = await startTestServer();
    engine = await t.serviceKey(["decisions:write", "sharing:write"]);
  });
  afterAll(() => t.close());

  it("lists each category with its purposes, decisions, first and last use, and partners, most recent first", async () => {
    const token = await t.subjectToken("curious");
    await record(t, engine, [recommendation("curious"), recommendation("curious", { itemRef: "sku-second" })]);
    await record(t, engine, [recommendation("bystander")]);
    const ids = await agreementIds(t);
    await share(t, engine, [
      {
        subjectExternalId: "curious",
        agreement: ids["retargeting-ads"],
        dataCategories: ["user.device.identifiers"],
      },
    ]);
    const uses = (await t.gql(DATA_USE, {}, { token })).body.data!.me.dataUse;
    const byKey = Object.fromEntries(uses.map((u: any) => [u.dataCategory.key, u]));
    expect(Object.keys(byKey).sort()).toEqual([
      "user.behavior.browsing_history",
      "user.behavior.current_visit",
      "user.device.identifiers",
    ]);
    expect(byKey["user.behavior.browsing_history"]).toMatchObject({
      purposes: [{ key: "personalized-recommendations" }],
      decisions: 2,
      sourcePartners: [],
      sharedWith: [],
    });
    expect(byKey["user.device.identifiers"]).toMatchObject({
      decisions: 0,
      purposes: [],
      sharedWith: [{ key: "summit-ad-network" }],
    });
    const browsing = byKey["user.behavior.browsing_history"];
    expect(new Date(browsing.firstUsedAt).getTime()).toBeLessThanOrEqual(new Date(browsing.lastUsedAt).getTime());
    // Most recent first: the shared device id was used last.
    expect(uses[0].dataCategory.key).toBe("user.device.identifiers");
  });

  it("costs the same SQL statements for 5 decisions as for 50, and shows nobody else's", async () => {
    const token = await t.subjectToken("busy");
    const many = (n: number, tag: string) =>
      Array.from({ length: n }, (_, i) => recommendation("busy", { itemRef: `${tag}-${i}` }));
    await record(t, engine, many(5, "a"));
    const five = await t.gql(DATA_USE, {}, { token });
    await record(t, engine, many(45, "b"));
    const fifty = await t.gql(DATA_USE, {}, { token });
    expect(
      fifty.body.data!.me.dataUse.find((u: any) => u.dataCategory.key === "user.behavior.browsing_history").decisions,
    ).toBe(50);
    expect(fifty.sqlCount).toBe(five.sqlCount);
    // Only the person's own records: another person sees their one decision, nothing of these.
    const other = (await t.gql(DATA_USE, {}, { token: await t.subjectToken("bystander") })).body.data!.me.dataUse;
    expect(other.find((u: any) => u.dataCategory.key === "user.behavior.browsing_history").decisions).toBe(1);
  });
});
