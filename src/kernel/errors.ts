import { GraphQLError } from "graphql";

export type ErrorCode = "INVALID" | "NOT_FOUND" | "CONSENT_REQUIRED" | "GPC_CONFIRMATION_REQUIRED" | "CONFLICT" | "LIMIT_EXCEEDED";

/**
 * An expected problem with the caller's input. Services throw it; one mapper turns it into a
 * top-level error with `extensions.code` for queries, or a `userErrors` entry for mutations.
 */
export class DomainError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly field: string[] | null = null) {
    super(message);
  }
}

export const notFound = (what: string, key: string, field: string[] | null = null) =>
  new DomainError("NOT_FOUND", `No ${what} with key "${key}"`, field);

export function domainErrorToGraphQL(error: DomainError): GraphQLError {
  return new GraphQLError(error.message, { extensions: { code: error.code, ...(error.field ? { field: error.field } : {}) } });
}

/** Denials by the permission layer. */
export class ForbiddenError extends GraphQLError {
  constructor(message = "You may not do this") {
    super(message, { extensions: { code: "FORBIDDEN", http: { status: 200 } } });
  }
}
