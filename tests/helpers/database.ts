import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnection } from "mysql2/promise";
import type { TestServer } from "./server";

/** The database under test: TEST_DATABASE_URL (MariaDB/MySQL, suites in band), else a fresh SQLite file. */
export function testDatabaseUrl(): string {
  return (
    process.env.TEST_DATABASE_URL || `sqlite:${join(tmpdir(), `candor-test-${randomBytes(6).toString("hex")}.sqlite`)}`
  );
}

export const onMariaDb = () => Boolean(process.env.TEST_DATABASE_URL);

/** Drops every table of a MySQL/MariaDB test database; a SQLite URL is always a new file. */
export async function resetDatabase(url: string): Promise<void> {
  if (url.startsWith("sqlite:")) return;
  const connection = await createConnection(url.replace(/^mariadb:/, "mysql:"));
  try {
    const [rows] = await connection.query(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()",
    );
    await connection.query("SET FOREIGN_KEY_CHECKS = 0");
    for (const { name } of rows as Array<{ name: string }>) await connection.query(`DROP TABLE \`${name}\``);
    await connection.query("SET FOREIGN_KEY_CHECKS = 1");
  } finally {
    await connection.end();
  }
}

/**
 * Fails unless every audit lane is an unbroken hash chain from the genesis hash, numbered 1, 2, 3…
 * without gaps, ending where its head row says. Answers the number of entries.
 */
export async function expectIntactAuditChain(manager: import("typeorm").EntityManager): Promise<number> {
  const { AuditLaneHead, AuditLog } = await import("../../src/kernel/audit/audit-log.entity");
  const { auditHash, GENESIS_HASH } = await import("../../src/kernel/audit/audit-log");
  const log = await manager.find(AuditLog, { order: { lane: "ASC", laneSeq: "ASC" } });
  const heads = new Map((await manager.find(AuditLaneHead)).map((h) => [h.lane, h]));
  const byLane = new Map<number, typeof log>();
  for (const entry of log) byLane.set(entry.lane, [...(byLane.get(entry.lane) ?? []), entry]);
  for (const [lane, entries] of byLane) {
    let previous = GENESIS_HASH;
    entries.forEach((entry, i) => {
      expect(entry.laneSeq).toBe(i + 1);
      expect(entry.previousHash).toBe(previous);
      expect(entry.hash).toBe(auditHash(entry));
      previous = entry.hash;
    });
    expect(heads.get(lane)).toMatchObject({ laneSeq: entries.length, hash: previous, seq: entries.at(-1)!.seq });
  }
  expect(new Set(log.map((e) => e.seq)).size).toBe(log.length);
  return log.length;
}

/** Tables that hold a person's id, read from the database itself (not from the code under test). */
export async function subjectTables(t: TestServer): Promise<string[]> {
  const m = t.services.db.manager;
  if (onMariaDb()) {
    const rows = await m.query(
      "SELECT table_name AS t FROM information_schema.columns WHERE table_schema = DATABASE() AND column_name = 'subject_id'",
    );
    return rows.map((r: { t: string }) => r.t).sort();
  }
  const tables = (await m.query("SELECT name FROM sqlite_master WHERE type = 'table'")) as Array<{ name: string }>;
  const out: string[] = [];
  for (const { name } of tables)
    if ((await m.query(`PRAGMA table_info("${name}")`)).some((c: { name: string }) => c.name === "subject_id"))
      out.push(name);
  return out.sort();
}
