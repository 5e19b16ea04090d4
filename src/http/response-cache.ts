import { createHash } from "node:crypto";

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
  private readonly entries = new Map<string, CachedAnswer>();

  constructor(private readonly capacity: number) {}

  get enabled(): boolean {
    return this.capacity > 0;
  }

  static key(version: number, request: unknown): string {
    return `${version}:${createHash("sha256").update(JSON.stringify(request)).digest("base64url")}`;
  }

  get(key: string): CachedAnswer | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      // Most recently used last: the first entry is the one to evict.
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, answer: CachedAnswer): void {
    this.entries.delete(key);
    this.entries.set(key, answer);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** Apollo's cache-control header says the whole answer is public (catalog types only) and fresh for a while. */
export function isPublicAnswer(headers: Record<string, string>): boolean {
  const cacheControl = headers["cache-control"] ?? "";
  return /\bpublic\b/.test(cacheControl) && /max-age=[1-9]/.test(cacheControl);
}
