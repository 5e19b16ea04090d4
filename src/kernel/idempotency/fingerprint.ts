import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

/**
 * What tells a retry from a different call under the same idempotency key: SHA-256 of the RFC 8785
 * canonical JSON of the input, with nulls treated as "not given" and the key itself left out.
 */
export function requestFingerprint(input: unknown): string {
  const meaningful = JSON.parse(
    JSON.stringify(input, (key: string, value: unknown) =>
      value === null || key === "idempotencyKey" ? undefined : value,
    ),
  );
  return createHash("sha256")
    .update(canonicalize(meaningful) ?? "")
    .digest("hex");
}
