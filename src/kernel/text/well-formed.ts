import type { FieldProblem } from "../errors";

// Issue 12: every string a caller sends must be well-formed Unicode. A lone UTF-16 surrogate
// cannot be stored as given (both databases write U+FFFD in its place, so "x\ud800" and "x\ufffd"
// became one person, and MariaDB's JSON check fails on it), and NUL ends strings in too many tools.
// Such input is refused, never repaired: identifiers are compared byte for byte afterwards.

/** A lone surrogate (in `u` mode a valid pair is one code point, never matched) or NUL. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const ILL_FORMED = /[\p{Cs}\u0000]/u;

/** Why `text` cannot be taken as given, or null when it can. */
export function illFormedReason(text: string): string | null {
  const at = text.search(ILL_FORMED);
  if (at < 0) return null;
  const unit = text.charCodeAt(at);
  const where = `at character ${at + 1}`;
  return unit === 0
    ? `must not contain NUL (U+0000); found ${where}`
    : `must be well-formed Unicode: a lone surrogate (U+${unit.toString(16).toUpperCase()}) ${where}`;
}

export const isWellFormedText = (text: string): boolean => !ILL_FORMED.test(text);

/**
 * Every ill-formed string in a value (strings, lists, input objects), with its path (list
 * indexes as strings, like every userErrors path). `skip` names object fields left to whoever
 * judges them later (batch items, judged one by one).
 */
export function illFormedStrings(
  value: unknown,
  path: string[] = [],
  skip: (path: string[]) => boolean = () => false,
): FieldProblem[] {
  if (typeof value === "string") {
    const reason = illFormedReason(value);
    const name = [...path].reverse().find((p) => !/^\d+$/.test(p)) ?? "text";
    return reason ? [{ field: path, message: `${name} ${reason}`, code: "INVALID" }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => illFormedStrings(v, [...path, String(i)], skip));
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.entries(value).flatMap(([k, v]) => {
      const at = [...path, k];
      return skip(at) ? [] : illFormedStrings(v, at, skip);
    });
  }
  return [];
}

/**
 * Marks a list input field whose items a service judges one by one (recordDecisions,
 * recordSharingEvents): an ill-formed string there refuses its own item, not the whole call
 * (`@Extensions(JUDGED_PER_ITEM)`; the batch checks its items with `illFormedStrings`, see
 * modules/people/people-batch.ts).
 */
export const JUDGED_PER_ITEM = { judgedPerItem: true } as const;

/**
 * A row found by a text key, only when its key is the asked one byte for byte: catalog keys sit in
 * MariaDB's default collation, which ignores case, accents and trailing spaces; SQLite does not.
 */
export const sameKey = <T extends { key: string }>(row: T | null, key: string): T | null =>
  row !== null && row.key === key ? row : null;
