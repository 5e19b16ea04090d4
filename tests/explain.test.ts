import { DEMO_PERSON, recordDemoDecisions } from "../src/app/demo/demo-decisions";
import { readmeQuery } from "./helpers/readme";
import { seed, SEED_PREFIX } from "../src/cli/seed";
import { onSqlStatement } from "../src/kernel/db/sql-counter";
import { onMariaDb } from "./helpers/database";
import { UPDATE } from "./helpers/consent";
import { startTestServer, type TestServer } from "./helpers/server";

// Issue 13: on a seeded database, the widget's statements stay on index ranges. The statements
// are captured through the statement logger while the real HTTP server answers, then EXPLAINed
// on MariaDB: no full table scan (type ALL) of a per-person table. Catalog tables are small and
// read whole on purpose.

const PER_PERSON = new Set([
  "subject",
  "decision",
  "decision_factor",
  "consent_state",
  "consent_event",
  "recommender_mode",
  "hidden_sponsor",
]);

const WHY_THIS_AD = readmeQuery("WhyThisAd");
const FIVE_WIDGETS = `{ me { decisions(first: 5) { edges { node { itemLabel explanation(locale: "en") { headline
  factors { text } controls { kind label active } } } } } } }`;
const SEEDED_WIDGET = `{ whyAmISeeing(surface: "home-feed", itemRef: "sku-35") { itemLabel explanation(locale: "en") { headline } } }`;

/** Which table each name in a statement's FROM/JOIN clauses stands for (TypeORM aliases them). */
function tablesByAlias(query: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of query.matchAll(/(?:FROM|JOIN)\s+`(\w+)`(?:\s+(?:AS\s+)?`(\w+)`)?/gi)) {
    out.set(m[1], m[1]);
    if (m[2]) out.set(m[2], m[1]);
  }
  return out;
}

(onMariaDb() ? describe : describe.skip)(
  "Indexes: the widget's statements use index ranges on a seeded database (MariaDB EXPLAIN)",
  () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer();
      await recordDemoDecisions(t.services);
      await seed(t.services.db, { people: 2000, decisions: 6000 });
      // Some people with explicit choices, so the consent table is not empty.
      const engine = await t.serviceKey(["consent:write"]);
      for (let n = 0; n < 20; n++) {
        const input = {
          subjectExternalId: `${SEED_PREFIX}${n}`,
          channel: "WEB",
          changes: [{ purpose: "email-offers", granted: false }],
        };
        expect((await t.gql(UPDATE, { input }, { token: engine })).body.errors).toBeUndefined();
      }
      for (const table of PER_PERSON) await t.services.db.manager.query(`ANALYZE TABLE \`${table}\``);
    }, 300_000);
    afterAll(() => t.close());

    it.each([
      ["the README's WhyThisAd widget", WHY_THIS_AD, DEMO_PERSON],
      ["five widgets", FIVE_WIDGETS, DEMO_PERSON],
      ["a seeded person's widget", SEEDED_WIDGET, `${SEED_PREFIX}5`],
      ["a seeded person's five widgets", FIVE_WIDGETS, `${SEED_PREFIX}5`],
    ])("%s", async (_name, query, person) => {
      const token = await t.subjectToken(person);
      await t.gql(query, {}, { token }); // first sight and caches out of the way
      const statements: Array<{ query: string; parameters: unknown[] }> = [];
      const stop = onSqlStatement((q, parameters) => statements.push({ query: q, parameters }));
      let r;
      try {
        r = await t.gql(query, {}, { token });
      } finally {
        stop();
      }
      expect(r.body.errors).toBeUndefined();
      expect(JSON.stringify(r.body.data)).toContain("headline");
      const selects = statements.filter((s) => /^\s*(SELECT|\()/i.test(s.query));
      expect(selects.length).toBeGreaterThan(0);
      const scans: string[] = [];
      for (const s of selects) {
        const aliases = tablesByAlias(s.query);
        const plan: Array<{ table: string | null; type: string }> = await t.services.db.manager.query(
          `EXPLAIN ${s.query}`,
          s.parameters,
        );
        for (const row of plan) {
          const table = aliases.get(row.table ?? "") ?? row.table ?? "";
          if (row.type === "ALL" && PER_PERSON.has(table)) scans.push(`${table} in: ${s.query.slice(0, 200)}`);
        }
      }
      expect(scans).toEqual([]);
    });
  },
);
