import { MoreThan, type EntityManager, type EntityTarget, type FindOptionsSelect, type ObjectLiteral } from "typeorm";
import { appendAudit } from "../audit/audit-log";
import { DAY_MS } from "../time";
import type { Database } from "./database";

const PAGE = 1000;
/** Rows one purge transaction deletes at most (with whatever hangs on them): no lock is held long. */
export const PURGE_BATCH = 200;

/** Walks a whole table by id, a page of `PAGE` rows at a time, so no read holds much in memory. */
export async function forEachPage<T extends ObjectLiteral & { id: string }>(
  m: EntityManager,
  target: EntityTarget<T>,
  select: FindOptionsSelect<T>,
  visit: (rows: T[]) => void | Promise<void>,
): Promise<void> {
  let after = "";
  for (;;) {
    const rows = await m.find(target, {
      where: { id: MoreThan(after) } as never,
      select: { ...select, id: true } as never,
      order: { id: "ASC" } as never,
      take: PAGE,
    });
    await visit(rows);
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1].id;
  }
}

/** Whether a row with these categories' retentions has expired: the shortest one decides. */
export function pastRetention(occurredAt: Date, days: Array<number | null | undefined>, now: Date): boolean {
  const kept = days.filter((d): d is number => typeof d === "number");
  return kept.length > 0 && occurredAt.getTime() + Math.min(...kept) * DAY_MS < now.getTime();
}

/**
 * Deletes rows by id in small transactions (so no table is locked for long), each with its own
 * audit entry; `remove` deletes one batch (and whatever hangs on it).
 */
export async function purgeInBatches(
  db: Database,
  ids: string[],
  audit: { actor: string; at: Date; entityType: string },
  remove: (m: EntityManager, ids: string[]) => Promise<void>,
): Promise<number> {
  for (let i = 0; i < ids.length; i += PURGE_BATCH) {
    const part = ids.slice(i, i + PURGE_BATCH);
    await db.transaction(async (m) => {
      await remove(m, part);
      const entry = {
        actor: audit.actor,
        action: "audit.purge",
        entityType: audit.entityType,
        entityId: part[0],
        detail: { ids: part },
      };
      await appendAudit(m, [entry], audit.at);
    });
  }
  return ids.length;
}
