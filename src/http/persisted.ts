import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, type Config } from "../config";
import { projectRoot } from "../kernel/paths";

// The production lock (CANDOR_PERSISTED_ONLY=true): only the operations the client build listed
// in its manifest run, named by their hash (Apollo's automatic persisted queries extension) or sent
// as their exact text. Apollo's APQ itself stays as it is: the lock is checked before Apollo sees
// the request, and an operation named only by its hash is handed to Apollo with its text, so that
// it runs on a fresh process too (no PERSISTED_QUERY_NOT_FOUND round trip).

/** The Apollo persisted query manifest (@apollo/generate-persisted-query-manifest's format). */
export const MANIFEST_FORMAT = "apollo-persisted-query-manifest";
export const PERSISTED_QUERY_NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED";
export const NOT_ALLOWED_MESSAGE =
  "This server runs only the operations of its persisted query manifest (CANDOR_PERSISTED_ONLY), and this is not one of them";

export const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

interface ManifestOperation {
  id: string;
  name: string;
  type: string;
  body: string;
}

/** Where the manifest is: CANDOR_PERSISTED_MANIFEST, else the typed client's, in the project. */
export const manifestPath = (config: Config) =>
  config.persistedManifest !== null
    ? resolve(config.persistedManifest)
    : join(projectRoot(), "clients", "js", "persisted-operations.json");

/** The checked manifest: operation text by id. */
export class PersistedOperations {
  private constructor(private readonly bodies: ReadonlyMap<string, string>) {}

  get size(): number {
    return this.bodies.size;
  }

  /** Reads and checks the manifest; a missing, unreadable or invalid file is a ConfigError that says why. */
  static read(path: string): PersistedOperations {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      throw new ConfigError(
        `CANDOR_PERSISTED_ONLY needs a persisted query manifest, and ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): build the client (clients/js) or set CANDOR_PERSISTED_MANIFEST`,
      );
    }
    return PersistedOperations.parse(text, path);
  }

  static parse(text: string, path: string): PersistedOperations {
    const invalid = (why: string) => new ConfigError(`The persisted query manifest ${path} is invalid: ${why}`);
    let manifest: { format?: unknown; version?: unknown; operations?: unknown };
    try {
      manifest = JSON.parse(text);
    } catch {
      throw invalid("it is not JSON");
    }
    if (manifest?.format !== MANIFEST_FORMAT || manifest.version !== 1 || !Array.isArray(manifest.operations)) {
      throw invalid(`it must be {"format":"${MANIFEST_FORMAT}","version":1,"operations":[…]}`);
    }
    const bodies = new Map<string, string>();
    manifest.operations.forEach((entry: Partial<ManifestOperation> | null, i: number) => {
      const what = `operation ${i + 1}${typeof entry?.name === "string" ? ` (${entry.name})` : ""}`;
      if (typeof entry?.body !== "string" || typeof entry.id !== "string" || typeof entry.name !== "string") {
        throw invalid(`${what} needs a string id, name and body`);
      }
      if (!["query", "mutation", "subscription"].includes(entry.type as string)) {
        throw invalid(`${what} has type ${JSON.stringify(entry.type)}, not query, mutation or subscription`);
      }
      // The id is what clients send as persistedQuery.sha256Hash: a stale or hand-edited entry would never match.
      if (entry.id !== sha256Hex(entry.body)) throw invalid(`${what}: its id is not the SHA-256 (hex) of its body`);
      bodies.set(entry.id, entry.body);
    });
    if (bodies.size === 0) throw invalid("it lists no operation");
    return new PersistedOperations(bodies);
  }

  /**
   * Judges one request's query and APQ hash (as sent, unchecked): "refused", or what Apollo should
   * run: the text to add when the request names a listed operation by its hash alone, else nothing
   * to add (a listed text, or a request with neither, which Apollo refuses itself).
   */
  judge(query: unknown, hash: unknown): "refused" | { addQuery: string | null } {
    if (typeof query === "string") return this.bodies.has(sha256Hex(query)) ? { addQuery: null } : "refused";
    if (typeof hash === "string") {
      const body = this.bodies.get(hash);
      return body === undefined ? "refused" : { addQuery: body };
    }
    return { addQuery: null };
  }
}

/** The query text and APQ hash of a GraphQL-over-HTTP request: a GET's search parameters or a POST's JSON body. */
export function requestedOperation(method: string, url: URL, body: unknown): { query: unknown; hash: unknown } {
  if (method === "GET") {
    let extensions: unknown = undefined;
    try {
      extensions = JSON.parse(url.searchParams.get("extensions") ?? "null");
    } catch {
      // Apollo answers a malformed extensions parameter itself.
    }
    return { query: url.searchParams.get("query") ?? undefined, hash: apqHash(extensions) };
  }
  if (body === null || typeof body !== "object") return { query: undefined, hash: undefined };
  const { query, extensions } = body as { query?: unknown; extensions?: unknown };
  return { query, hash: apqHash(extensions) };
}

const apqHash = (extensions: unknown): unknown =>
  (extensions as { persistedQuery?: { sha256Hash?: unknown } } | null)?.persistedQuery?.sha256Hash;
