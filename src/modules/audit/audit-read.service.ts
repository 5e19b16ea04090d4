import { Between, LessThan, type EntityManager } from "typeorm";
import { checkFirst, connectionOf, decodeNumberCursor, encodeCursor } from "../../kernel/graphql/connection";
import type { ReceiptSigner } from "../../kernel/signer";
import { AuditLaneHead, AuditLog } from "../../kernel/audit/audit-log.entity";
import { auditCheckpoint, auditHash, GENESIS_HASH } from "../../kernel/audit/audit-log";
import { AuditLogHead, type AuditLogConnection, AuditLogVerification } from "./audit.types";

const BATCH = 1000;
/** The audit log for the privacy office: browse it, check the chain, and sign its head. */
export class AuditReader {
  constructor(
    private readonly manager: () => EntityManager,
    private readonly signer: ReceiptSigner,
  ) {}

  /** Newest first. */
  async page(first: number, after: string | null | undefined): Promise<AuditLogConnection> {
    checkFirst(first);
    const cursor = decodeNumberCursor("a", after);
    const m = this.manager();
    const [rows, totalCount] = await Promise.all([
      m.find(AuditLog, {
        where: cursor !== null ? { seq: LessThan(cursor) } : {},
        order: { seq: "DESC" },
        take: first + 1,
      }),
      m.count(AuditLog),
    ]);
    return { ...connectionOf(rows, first, cursor !== null, (node) => encodeCursor("a", node.seq)), totalCount };
  }

  /**
   * Recomputes every lane's chain (DESIGN §9, "Audit lanes"). A lane breaks at an entry that does
   * not hash as recorded or does not follow its predecessor, at the entry after a missing one, or,
   * when its last entries are gone, at its head (named by the seq of the lane's last entry). The
   * answer names the smallest such seq over all lanes; `checkedEntries` counts the entries found
   * intact before each lane's break.
   */
  async verify(): Promise<AuditLogVerification> {
    const m = this.manager();
    // The heads first: entries appended while we check are not this check's business.
    const heads = await m.find(AuditLaneHead, { order: { lane: "ASC" } });
    const lanesInLog = await m
      .createQueryBuilder(AuditLog, "a")
      .select("a.lane", "lane")
      .addSelect("MIN(a.seq)", "first")
      .groupBy("a.lane")
      .getRawMany<{ lane: number; first: number }>();
    let checked = 0;
    const breaks: number[] = [];
    for (const head of heads) {
      const lane = await this.verifyLane(m, head);
      checked += lane.checked;
      if (lane.brokenSeq !== null) breaks.push(lane.brokenSeq);
    }
    // Entries in a lane whose head row is gone: nothing vouches for them.
    const headed = new Set(heads.map((h) => h.lane));
    for (const { lane, first } of lanesInLog) if (!headed.has(Number(lane))) breaks.push(Number(first));
    return Object.assign(new AuditLogVerification(), {
      valid: breaks.length === 0,
      checkedEntries: checked,
      firstBrokenSeq: breaks.length === 0 ? null : Math.min(...breaks),
    });
  }

  private async verifyLane(
    m: EntityManager,
    head: AuditLaneHead,
  ): Promise<{ checked: number; brokenSeq: number | null }> {
    let expected = 1;
    let previous = GENESIS_HASH;
    let checked = 0;
    for (;;) {
      const rows = await m.find(AuditLog, {
        where: { lane: head.lane, laneSeq: Between(expected, head.laneSeq) },
        order: { laneSeq: "ASC" },
        take: BATCH,
      });
      for (const row of rows) {
        if (row.laneSeq !== expected || !intact(row, previous)) return { checked, brokenSeq: row.seq };
        checked += 1;
        previous = row.hash;
        expected += 1;
      }
      if (rows.length < BATCH) break;
    }
    const whole = head.laneSeq === expected - 1 && head.hash === previous;
    return { checked, brokenSeq: whole ? null : head.seq };
  }

  /** Signs a checkpoint of every lane's head: a copy kept elsewhere can later show each lane only grew. */
  async head(): Promise<AuditLogHead> {
    const heads = await this.manager().find(AuditLaneHead, { order: { lane: "ASC" } });
    const seq = Math.max(0, ...heads.map((h) => h.seq));
    const hash = auditCheckpoint(heads);
    const signedAt = new Date();
    const jws = await this.signer.sign({
      type: "candor-audit-head",
      seq,
      hash,
      lanes: heads.map((h) => ({ lane: h.lane, laneSeq: h.laneSeq, hash: h.hash })),
      signedAt: signedAt.toISOString(),
    });
    return Object.assign(new AuditLogHead(), { seq, hash, signedAt, jws });
  }
}

/** Follows its predecessor and hashes as recorded; a v1 row is one the lane migration carried over. */
function intact(row: AuditLog, previous: string): boolean {
  const known = row.version === 2 || (row.version === 1 && row.lane === 0 && row.laneSeq === row.seq);
  return known && row.previousHash === previous && auditHash(row) === row.hash;
}
