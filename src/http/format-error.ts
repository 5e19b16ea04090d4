import { unwrapResolverError } from "@apollo/server/errors";
import type { GraphQLFormattedError } from "graphql";
import { isUnavailable, UNAVAILABLE_MESSAGE } from "./unavailable";
import {
  DomainError,
  flattenValidationErrors,
  ForbiddenError,
  InputProblems,
  type ValidationFailure,
} from "../kernel/errors";

// The one place errors become what a client sees. Expected problems keep their code and a
// field path; faults are masked ("Internal server error"): no stack, no SQL, ever.

const CLIENT_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "INVALID",
  "NOT_FOUND",
  "CONSENT_REQUIRED",
  "GPC_CONFIRMATION_REQUIRED",
  "CONFLICT",
  "LIMIT_EXCEEDED",
  "PROFILING_NOT_ALLOWED",
  "SPONSOR_HIDDEN",
  "RATE_LIMITED",
]);

/** Apollo's persisted-query refusals that carry no code (HTTP 400): the client's mistake, not a fault. */
const APQ_REFUSALS = new Set(["provided sha does not match query", "Unsupported persisted query version"]);
export const isApqRefusal = (message: string) => APQ_REFUSALS.has(message);

function isArgumentValidationError(error: unknown): error is { extensions: { validationErrors: ValidationFailure[] } } {
  return (
    (error as { message?: string })?.message === "Argument Validation Error" &&
    Array.isArray((error as { extensions?: { validationErrors?: unknown } }).extensions?.validationErrors)
  );
}

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const where = {
    ...(formatted.path ? { path: formatted.path } : {}),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
  };
  if (isUnavailable(original)) {
    return { message: UNAVAILABLE_MESSAGE, ...where, extensions: { code: "UNAVAILABLE" } };
  }
  if (original instanceof DomainError) {
    return {
      message: original.message,
      ...where,
      extensions: {
        code: original.code,
        ...(original.field ? { field: original.field } : {}),
        ...(original instanceof InputProblems ? { problems: original.problems } : {}),
      },
    };
  }
  if (original instanceof ForbiddenError) {
    return { message: original.message, ...where, extensions: { code: "FORBIDDEN" } };
  }
  if (isArgumentValidationError(original)) {
    const problems = flattenValidationErrors(original.extensions.validationErrors);
    const code = problems.some((p) => p.code === "LIMIT_EXCEEDED") ? "LIMIT_EXCEEDED" : "INVALID";
    return {
      message: problems.map((p) => `${p.field.join(".")}: ${p.message}`).join("; ") || "Invalid arguments",
      ...where,
      extensions: { code, problems },
    };
  }
  // graphql-js stops coercing variables after 50 errors with an error that carries no code: it
  // is still the client's input (found by the fuzzer, issue 12), not an internal fault.
  if (formatted.message.startsWith("Too many errors processing variables")) {
    return { message: formatted.message, ...where, extensions: { code: "BAD_USER_INPUT" } };
  }
  if (isApqRefusal(formatted.message)) {
    return { message: formatted.message, ...where, extensions: { code: "BAD_REQUEST" } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === "string" && CLIENT_CODES.has(code)) {
    const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return { message: "Internal server error", ...where, extensions: { code: "INTERNAL_SERVER_ERROR" } };
}
