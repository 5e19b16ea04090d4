import { createHash } from "node:crypto";
import { Lru } from "../kernel/lru";

/** One cached answer: what Apollo sent, headers included. */
export interface CachedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Anonymous answers to catalog queries, keyed by the request (query, variables, operation name)
 * and the catalog version: a catalog apply or a policy publication bumps the version, so older
 * entries are never served again (and age out of this bounded, least-recently-used map). Only
 * answers Apollo itself marks publicly cacheable are kept: every field they read is a catalog field.
 */
export class ResponseCache {
  private readonly entries: Lru<string, CachedAnswer>;

  constructor(capacity: number) {
    this.entries = new Lru(capacity);
  }

  get enabled(): boolean {
    return this.entries.capacity > 0;
  }

  static key(version: number, request: unknown): string {
    return `${version}:${createHash("sha256").update(JSON.stringify(request)).digest("base64url")}`;
  }

  get(key: string): CachedAnswer | undefined {
    return this.entries.get(key);
  }

  set(key: string, answer: CachedAnswer): void {
    this.entries.set(key, answer);
  }
}

/** Apollo's cache-control header says the whole answer is public (catalog types only) and fresh for a while. */
export function isPublicAnswer(headers: Record<string, string>): boolean {
  const cacheControl = headers["cache-control"] ?? "";
  return /\bpublic\b/.test(cacheControl) && /max-age=[1-9]/.test(cacheControl);
}
