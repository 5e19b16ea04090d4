import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import type { DataSource, EntityManager } from "typeorm";
import { AuditLaneHead, AuditLog } from "./audit-log.entity";

export interface AuditEntryInput {
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  /** Ids and codes only: the log outlives deletions, so it must hold no personal data. */
  detail: Record<string, unknown>;
  /** The person the entry is about, when there is one: it picks the lane (else `entityId` does). Not stored. */
  subjectId?: string;
}

export const GENESIS_HASH = "0".repeat(64);
/** The lanes the lane migration creates; CANDOR_AUDIT_LANES may ask for more (or fewer) later. */
export const DEFAULT_AUDIT_LANES = 16;
export const MAX_AUDIT_LANES = 1024;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * SHA-256 hex of the previous hash followed by the RFC 8785 canonical JSON of the row's content.
 * Version 1 (one chain, before lanes) covered `seq`; version 2 covers `lane` and `lane_seq`
 * instead, because `seq` is given by the database only as the row is inserted.
 */
export function auditHash(row: Omit<AuditLog, "hash">): string {
  const content = {
    occurred_at: row.occurredAt.toISOString(),
    actor: row.actor,
    action: row.action,
    entity_type: row.entityType,
    entity_id: row.entityId,
    detail: row.detail,
  };
  const body = row.version === 1 ? { seq: row.seq, ...content } : { lane: row.lane, lane_seq: row.laneSeq, ...content };
  return sha256(row.previousHash + canonicalize(body));
}

/**
 * The lane of an entry: a stable hash of its person (else its entity id) modulo the lane count.
 * Only appends depend on it: every row records its lane, and verification reads the lanes the
 * rows and heads name, so a different count later only sends new entries elsewhere.
 */
export function laneFor(key: string, laneCount: number): number {
  return createHash("sha256").update(key).digest().readUInt32BE(0) % laneCount;
}

/** The checkpoint `auditLogHead` signs: SHA-256 of the RFC 8785 JSON list of every lane's head. */
export function auditCheckpoint(heads: Array<Pick<AuditLaneHead, "lane" | "laneSeq" | "hash">>): string {
  const list = [...heads]
    .sort((a, b) => a.lane - b.lane)
    .map((h) => ({ lane: h.lane, laneSeq: h.laneSeq, hash: h.hash }));
  return sha256(canonicalize(list)!);
}

const laneCounts = new WeakMap<DataSource, number>();

/**
 * Makes lanes 0…count-1 exist (head rows are only ever added) and has appends through this data
 * source spread over them. Run at start-up, before any write, in every process; processes that
 * disagree on the count for a while (a rolling change) still append safely: each locks the heads
 * it needs in lane order.
 */
export async function useAuditLanes(dataSource: DataSource, count: number): Promise<void> {
  if (!Number.isInteger(count) || count < 1 || count > MAX_AUDIT_LANES)
    throw new RangeError(`The audit lane count must be 1…${MAX_AUDIT_LANES}; got ${count}`);
  const present = new Set(
    (await dataSource.manager.find(AuditLaneHead, { select: { lane: true } })).map((h) => h.lane),
  );
  const missing = Array.from({ length: count }, (_, lane) => lane)
    .filter((lane) => !present.has(lane))
    .map((lane) => ({ lane, laneSeq: 0, seq: 0, hash: GENESIS_HASH }));
  // INSERT IGNORE: another process starting at the same moment may add the same heads.
  if (missing.length > 0)
    await dataSource.createQueryBuilder().insert().into(AuditLaneHead).values(missing).orIgnore().execute();
  laneCounts.set(dataSource, count);
}

/**
 * Appends to the lanes' hash chains inside the caller's transaction. Call it LAST and once per
 * transaction: it locks the heads of the lanes its entries fall in, in lane order, and every
 * writer taking those locks last and in that order is what keeps writers from deadlocking.
 * Statements: lock the heads, insert the rows, move the heads — three, however many lanes.
 */
export async function appendAudit(
  manager: EntityManager,
  entries: AuditEntryInput[],
  at: Date = new Date(),
): Promise<AuditLog[]> {
  if (entries.length === 0) return [];
  const laneCount = laneCounts.get(manager.connection) ?? DEFAULT_AUDIT_LANES;
  const laneOf = entries.map((e) => laneFor(e.subjectId ?? e.entityId, laneCount));
  const heads = await lockHeads(manager, [...new Set(laneOf)]);
  // Millisecond precision: what a JS Date holds, so the hash recomputes from the stored row.
  const occurredAt = new Date(at.getTime());
  const rows = entries.map(({ subjectId: _person, ...entry }, i) => {
    const head = heads.get(laneOf[i])!;
    const row = Object.assign(new AuditLog(), entry, {
      lane: head.lane,
      laneSeq: head.laneSeq + 1,
      version: 2,
      occurredAt,
      previousHash: head.hash,
    });
    row.hash = auditHash(row);
    Object.assign(head, { laneSeq: row.laneSeq, hash: row.hash });
    return row;
  });
  const seqs = await insertRows(manager, rows);
  for (const row of rows) {
    row.seq = seqs.get(`${row.lane}:${row.laneSeq}`)!;
    const head = heads.get(row.lane)!;
    head.seq = Math.max(head.seq, row.seq);
  }
  await moveHeads(manager, [...heads.values()]);
  return rows;
}

async function lockHeads(manager: EntityManager, lanes: number[]): Promise<Map<number, AuditLaneHead>> {
  const query = manager
    .getRepository(AuditLaneHead)
    .createQueryBuilder("h")
    .where("h.lane IN (:...lanes)", { lanes })
    .orderBy("h.lane", "ASC");
  const locks = manager.connection.driver.options.type !== "better-sqlite3";
  const heads = await (locks ? query.setLock("pessimistic_write") : query).getMany();
  if (heads.length !== lanes.length) throw new Error(`Audit lane head missing among lanes ${lanes.join(", ")}`);
  return new Map(heads.map((h) => [h.lane, h]));
}

/** Inserts the rows in one statement and answers the `seq` the database gave each (by lane:lane_seq). */
async function insertRows(manager: EntityManager, rows: AuditLog[]): Promise<Map<string, number>> {
  const driver = manager.connection.driver;
  const [sql, parameters] = manager
    .createQueryBuilder()
    .insert()
    .into(AuditLog)
    .values(rows as never)
    .updateEntity(false)
    .getQueryAndParameters();
  type Given = { seq: number; lane: number; lane_seq: number };
  let given: Given[];
  // SQLite (3.35+) and MariaDB (10.5+) answer the generated values in the same statement.
  if (driver.options.type === "better-sqlite3" || driver.isReturningSqlSupported("insert")) {
    given = await manager.query(`${sql} RETURNING seq, lane, lane_seq`, parameters);
  } else {
    // MySQL has no INSERT … RETURNING: read them back (the lane heads are still locked).
    await manager.query(sql, parameters);
    given = (
      await manager.find(AuditLog, {
        select: { seq: true, lane: true, laneSeq: true },
        where: rows.map((r) => ({ lane: r.lane, laneSeq: r.laneSeq })),
      })
    ).map((r) => ({ seq: r.seq, lane: r.lane, lane_seq: r.laneSeq }));
  }
  return new Map(given.map((g) => [`${Number(g.lane)}:${Number(g.lane_seq)}`, Number(g.seq)]));
}

/** One UPDATE for every lane touched, so a write's statement count does not depend on how its entries spread. */
async function moveHeads(manager: EntityManager, heads: AuditLaneHead[]): Promise<void> {
  const parameters: Record<string, number | string> = {};
  heads.forEach((h, i) =>
    Object.assign(parameters, { [`l${i}`]: h.lane, [`n${i}`]: h.laneSeq, [`s${i}`]: h.seq, [`h${i}`]: h.hash }),
  );
  const caseOf = (param: string) => () =>
    `CASE lane ${heads.map((_, i) => `WHEN :l${i} THEN :${param}${i}`).join(" ")} END`;
  await manager
    .createQueryBuilder()
    .update(AuditLaneHead)
    .set({ laneSeq: caseOf("n"), seq: caseOf("s"), hash: caseOf("h") })
    .where("lane IN (:...lanes)", { lanes: heads.map((h) => h.lane) })
    .setParameters(parameters)
    .execute();
}
