import { LessThan, MoreThan, type EntityManager } from "typeorm";
import { checkFirst, connectionOf, decodeNumberCursor, encodeCursor } from "../../kernel/graphql/connection";
import type { ReceiptSigner } from "../../kernel/signer";
import { AuditHead, AuditLog } from "../../kernel/audit/audit-log.entity";
import { auditHash, GENESIS_HASH } from "../../kernel/audit/audit-log";
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
   * Recomputes every hash in order. The first broken entry is one whose content does not hash as
   * recorded or does not follow its predecessor, or the first sequence number missing (a deleted
   * entry) — the head row says how long the chain must be.
   */
  async verify(): Promise<AuditLogVerification> {
    const m = this.manager();
    const head = await m.findOneByOrFail(AuditHead, { id: 1 });
    let expectedSeq = 1;
    let previous = GENESIS_HASH;
    let checked = 0;
    const broken = (seq: number) =>
      Object.assign(new AuditLogVerification(), { valid: false, checkedEntries: checked, firstBrokenSeq: seq });
    // Up to the head read first: entries appended while we check are not this check's business.
    for (;;) {
      const rows = (
        await m.find(AuditLog, { where: { seq: MoreThan(expectedSeq - 1) }, order: { seq: "ASC" }, take: BATCH })
      ).filter((r) => r.seq <= head.seq);
      for (const row of rows) {
        if (row.seq !== expectedSeq) return broken(expectedSeq);
        if (row.previousHash !== previous || auditHash(row) !== row.hash) return broken(row.seq);
        checked += 1;
        previous = row.hash;
        expectedSeq += 1;
      }
      if (rows.length < BATCH) break;
    }
    if (head.seq !== expectedSeq - 1) return broken(expectedSeq);
    if (head.hash !== previous) return broken(head.seq);
    return Object.assign(new AuditLogVerification(), { valid: true, checkedEntries: checked, firstBrokenSeq: null });
  }

  async head(): Promise<AuditLogHead> {
    const head = await this.manager().findOneByOrFail(AuditHead, { id: 1 });
    const signedAt = new Date();
    const jws = await this.signer.sign({
      type: "candor-audit-head",
      seq: head.seq,
      hash: head.hash,
      signedAt: signedAt.toISOString(),
    });
    return Object.assign(new AuditLogHead(), { seq: head.seq, hash: head.hash, signedAt, jws });
  }
}
