import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import type { EntityManager } from "typeorm";
import { AuditHead, AuditLog } from "./audit-log.entity";

export interface AuditEntryInput {
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  /** Ids and codes only: the log outlives deletions, so it must hold no personal data. */
  detail: Record<string, unknown>;
}

export const GENESIS_HASH = "0".repeat(64);

/** SHA-256 hex of the previous hash followed by the RFC 8785 canonical JSON of the other columns. */
export function auditHash(row: Omit<AuditLog, "hash">): string {
  const body = canonicalize({
    seq: row.seq,
    occurred_at: row.occurredAt.toISOString(),
    actor: row.actor,
    action: row.action,
    entity_type: row.entityType,
    entity_id: row.entityId,
    detail: row.detail,
  });
  return createHash("sha256")
    .update(row.previousHash + body)
    .digest("hex");
}

/**
 * Appends to the hash chain inside the caller's transaction. Call it LAST: it locks the chain's
 * head row, and every writer taking that lock last is what keeps the lock order fixed.
 */
export async function appendAudit(
  manager: EntityManager,
  entries: AuditEntryInput[],
  at: Date = new Date(),
): Promise<AuditLog[]> {
  if (entries.length === 0) return [];
  const locks = manager.connection.driver.options.type !== "better-sqlite3";
  const query = manager.getRepository(AuditHead).createQueryBuilder("h").where("h.id = 1");
  const head = await (locks ? query.setLock("pessimistic_write") : query).getOneOrFail();
  // Millisecond precision: what a JS Date holds, so the hash recomputes from the stored row.
  const occurredAt = new Date(at.getTime());
  let { seq, hash } = head;
  const rows = entries.map((entry) => {
    const row = { ...entry, seq: seq + 1, occurredAt, previousHash: hash } as Omit<AuditLog, "hash">;
    const full = Object.assign(new AuditLog(), row, { hash: auditHash(row) });
    seq = full.seq;
    hash = full.hash;
    return full;
  });
  await manager.insert(AuditLog, rows as never);
  await manager.update(AuditHead, { id: 1 }, { seq, hash });
  return rows;
}
