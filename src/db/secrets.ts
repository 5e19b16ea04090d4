import { randomBytes } from "node:crypto";
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

export async function readSecret(db: Database, name: string): Promise<string | null> {
  return (await db.writer.manager.findOneBy(AppSecret, { name }))?.value ?? null;
}
