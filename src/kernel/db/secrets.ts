import { randomBytes } from "node:crypto";
import { Like } from "typeorm";
import { AppSecret } from "./app-secret.entity";
import type { Database } from "./database";

/**
 * A secret Candor generated for itself, created on first use and then shared by every process
 * on the same database. Two processes racing to create it agree on the first one committed.
 */
export async function getOrCreateSecret(
  db: Database,
  name: string,
  generate: () => string | Promise<string> = () => randomBytes(32).toString("base64url"),
): Promise<string> {
  const existing = await db.writer.manager.findOneBy(AppSecret, { name });
  if (existing) return existing.value;
  const value = await generate();
  try {
    await db.transaction((m) => m.insert(AppSecret, { name, value, createdAt: new Date() }));
  } catch {
    // Another process created it first: fall through and read theirs.
  }
  const created = await db.writer.manager.findOneByOrFail(AppSecret, { name });
  return created.value;
}

/** Every secret whose name starts with `prefix`, oldest first. */
export async function listSecrets(db: Database, prefix: string): Promise<string[]> {
  const rows = await db.writer.manager.find(AppSecret, {
    where: { name: Like(`${prefix}%`) },
    order: { createdAt: "ASC" },
  });
  return rows.map((r) => r.value);
}
