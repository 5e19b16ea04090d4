// Errors services throw. No GraphQL here: the boundary (src/http/format-error.ts and the
// userErrors middleware in src/app/) maps them to what a client sees.

export type ErrorCode =
  | "INVALID"
  | "NOT_FOUND"
  | "CONSENT_REQUIRED"
  | "GPC_CONFIRMATION_REQUIRED"
  | "CONFLICT"
  | "LIMIT_EXCEEDED"
  | "PROFILING_NOT_ALLOWED"
  | "SPONSOR_HIDDEN";

/**
 * An expected problem with the caller's input. Services throw it; one mapper turns it into a
 * top-level error with `extensions.code` for queries, or a `userErrors` entry for mutations.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field: string[] | null = null,
  ) {
    super(message);
  }
}

export const notFound = (what: string, key: string, field: string[] | null = null) =>
  new DomainError("NOT_FOUND", `No ${what} with key "${key}"`, field);

/** The caller may not do this (answered as FORBIDDEN, like a denial by the permission layer). */
export class ForbiddenError extends Error {
  constructor(message = "You may not do this") {
    super(message);
  }
}

/** One problem with one input field, as class-validator or a service found it. */
export interface FieldProblem {
  field: string[];
  message: string;
  code: "INVALID" | "LIMIT_EXCEEDED";
}

/**
 * Several problems found at once at the boundary (e.g. ill-formed strings in different fields).
 * It is the first problem as a DomainError, so that whatever maps one maps this too.
 */
export class InputProblems extends DomainError {
  constructor(readonly problems: FieldProblem[]) {
    super(problems[0].code, problems.map((p) => p.message).join("; "), problems[0].field);
  }
}

const LIMIT_CONSTRAINTS = new Set(["maxLength", "arrayMaxSize", "max"]);

/** The shape of class-validator's ValidationError that matters here (no dependency on it). */
export interface ValidationFailure {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationFailure[];
}

/** class-validator's nested errors, flattened to one problem per constraint with its path. */
export function flattenValidationErrors(errors: ValidationFailure[], path: string[] = []): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = [...path, error.property];
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      field,
      message,
      code: LIMIT_CONSTRAINTS.has(constraint) ? ("LIMIT_EXCEEDED" as const) : ("INVALID" as const),
    }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}
