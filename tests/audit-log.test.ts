import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { compactVerify, createLocalJWKSet } from "jose";
import { AuditLog } from "../src/kernel/audit/audit-log.entity";
import { UPDATE } from "./helpers/consent";
import { startTestServer, type TestServer } from "./helpers/server";

const VERIFY = "{ verifyAuditLog { valid checkedEntries firstBrokenSeq } }";
const PEOPLE = ["a1", "a2", "a3", "a4", "a5", "a6"];

interface Row {
  seq: number;
  lane: number;
  lane_seq: number;
  actor: string;
}

// The tamper-evident log, as the privacy office reads and checks it: lanes of hash chains
// (DESIGN §9), each person's entries in the lane their id hashes to.
describe("Audit log: the privacy office reads and checks the tamper-evident record of every change", () => {
  let t: TestServer;
  let admin: string;
  const verify = async () => (await t.gql(VERIFY, {}, { token: admin })).body.data!.verifyAuditLog;
  const sql = (query: string, parameters: unknown[] = []) =>
    t.services.db.transaction((m) => m.query(query, parameters)) as Promise<Row[]>;
  const rows = () => sql("SELECT seq, lane, lane_seq, actor FROM audit_log ORDER BY lane, lane_seq");
  /** Lanes holding at least three entries, each with its rows in lane order. */
  const busyLanes = async () => {
    const lanes = new Map<number, Row[]>();
    for (const r of await rows()) lanes.set(Number(r.lane), [...(lanes.get(Number(r.lane)) ?? []), r]);
    return [...lanes.entries()].filter(([, entries]) => entries.length >= 3);
  };

  beforeEach(async () => {
    t = await startTestServer();
    admin = await t.adminToken();
    // Each person: a creation and three changes, all in the person's lane.
    for (const person of PEOPLE) {
      const token = await t.subjectToken(person);
      for (const granted of [false, true, false])
        await t.gql(UPDATE, { input: { channel: "WEB", changes: [{ purpose: "email-offers", granted }] } }, { token });
    }
  });
  afterEach(() => t.close());

  it("lists entries newest first, for admins only", async () => {
    const q = `query($after: String) { auditLog(first: 2, after: $after) { totalCount edges { node { seq actor action entityType hash previousHash } } pageInfo { hasNextPage endCursor } } }`;
    const first = (await t.gql(q, {}, { token: admin })).body.data!.auditLog;
    expect(first.totalCount).toBe((await rows()).length);
    const [newest, next] = first.edges.map((e: any) => e.node);
    expect(newest).toMatchObject({ actor: "subject:a6", action: "consent.updateConsents", entityType: "Subject" });
    // The two newest are a6's last two changes: one lane, so one links to the other.
    expect(newest.previousHash).toBe(next.hash);
    expect(next.seq).toBeLessThan(newest.seq);
    const second = (await t.gql(q, { after: first.pageInfo.endCursor }, { token: admin })).body.data!.auditLog;
    expect(second.edges[0].node.seq).toBeLessThan(next.seq);
    for (const token of [undefined, await t.subjectToken("a1"), await t.serviceKey(["consent:read"])]) {
      expect((await t.gql(q, {}, { token })).body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
  });

  it("spreads people over lanes, each a chain numbered without gaps", async () => {
    expect(await verify()).toEqual({ valid: true, checkedEntries: (await rows()).length, firstBrokenSeq: null });
    const lanes = await busyLanes();
    expect(lanes.length).toBeGreaterThan(1);
    for (const [, entries] of lanes) expect(entries.map((r) => r.lane_seq)).toEqual(entries.map((_, i) => i + 1));
  });

  it("names the entry altered in SQL, in every lane", async () => {
    const total = (await rows()).length;
    for (const [, entries] of await busyLanes()) {
      const target = entries[1];
      await sql("UPDATE audit_log SET actor = 'someone-else' WHERE seq = ?", [target.seq]);
      // Intact: every other lane, and this lane's entries before the altered one.
      expect(await verify()).toEqual({
        valid: false,
        checkedEntries: total - entries.length + 1,
        firstBrokenSeq: target.seq,
      });
      await sql("UPDATE audit_log SET actor = ? WHERE seq = ?", [target.actor, target.seq]);
      expect(await verify()).toMatchObject({ valid: true });
    }
  });

  it("names a deleted entry by the entry after it, or by the lane head when it was the last, in every lane", async () => {
    for (const [lane, entries] of await busyLanes()) {
      const saved = await t.services.db.manager.find(AuditLog, { where: { lane }, order: { laneSeq: "ASC" } });
      await sql("DELETE FROM audit_log WHERE seq = ?", [entries[1].seq]);
      expect(await verify()).toMatchObject({ valid: false, firstBrokenSeq: entries[2].seq });
      await sql("DELETE FROM audit_log WHERE lane = ?", [lane]);
      await t.services.db.transaction((m) => m.insert(AuditLog, saved.slice(0, -1) as never));
      expect(await verify()).toMatchObject({ valid: false, firstBrokenSeq: entries.at(-1)!.seq });
      await t.services.db.transaction((m) => m.insert(AuditLog, saved.slice(-1) as never));
      expect(await verify()).toMatchObject({ valid: true });
    }
  });

  it("signs a checkpoint of every lane's head with the receipt key, verifiable with the published JWKS", async () => {
    const head = (await t.gql("{ auditLogHead { seq hash signedAt jws } }", {}, { token: admin })).body.data!
      .auditLogHead;
    const jwks = (await (await fetch(t.url.replace("/graphql", "/.well-known/jwks.json"))).json()) as any;
    const { payload } = await compactVerify(head.jws, createLocalJWKSet(jwks));
    const signed = JSON.parse(new TextDecoder().decode(payload));
    expect(signed).toMatchObject({ seq: head.seq, hash: head.hash, signedAt: head.signedAt });
    // The checkpoint: SHA-256 of the RFC 8785 list of lane heads, each the lane's last entry.
    const lastOf = new Map<number, { laneSeq: number; hash: string }>();
    for (const r of await sql("SELECT lane, lane_seq, hash FROM audit_log ORDER BY lane, lane_seq"))
      lastOf.set(Number(r.lane), { laneSeq: Number(r.lane_seq), hash: (r as unknown as { hash: string }).hash });
    expect(signed.lanes).toHaveLength(16);
    for (const l of signed.lanes)
      expect(l).toEqual({ lane: l.lane, ...(lastOf.get(l.lane) ?? { laneSeq: 0, hash: "0".repeat(64) }) });
    expect(head.hash).toBe(createHash("sha256").update(canonicalize(signed.lanes)!).digest("hex"));
    const newest = (await t.gql("{ auditLog(first: 1) { edges { node { seq } } } }", {}, { token: admin })).body.data!
      .auditLog.edges[0].node;
    expect(head.seq).toBe(newest.seq);
  });
});
