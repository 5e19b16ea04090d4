import { ArgumentValidationError, type MiddlewareFn } from "type-graphql";
import { getNamedType, isListType, isNonNullType, isObjectType } from "graphql";
import { DomainError, flattenValidationErrors, InputProblems } from "../kernel/errors";
import { DatabaseUnavailableError, isDatabaseUnavailable } from "../kernel/db/unavailable";
import { userError, userErrorFrom, type UserError } from "../kernel/graphql/user-error";
import { assertWellFormedArgs } from "./well-formed-input";

/**
 * DESIGN §6: on a mutation whose payload has `userErrors`, class-validator failures and domain
 * errors become userErrors with codes and field paths (the argument name first), and the
 * payload's other fields are null. Queries keep top-level errors (see src/http/format-error.ts).
 * Ill-formed strings in any argument are refused here first (well-formed-input.ts).
 */
export const UserErrorsMiddleware: MiddlewareFn = async ({ args, info }, next) => {
  try {
    assertWellFormedArgs(args, info);
    return await next();
  } catch (error) {
    // An outage is no user error: the HTTP layer answers it with 503 (src/http/unavailable.ts).
    if (isDatabaseUnavailable(error)) throw new DatabaseUnavailableError(error);
    const payload = getNamedType(info.returnType);
    if (info.parentType.name !== "Mutation" || !isObjectType(payload) || !("userErrors" in payload.getFields()))
      throw error;
    let userErrors: UserError[];
    if (error instanceof InputProblems) {
      userErrors = error.problems.map((p) => userError(p.code, p.message, p.field));
    } else if (error instanceof DomainError) {
      userErrors = [userErrorFrom(error)];
    } else if (error instanceof ArgumentValidationError) {
      const argument = info.fieldNodes[0]?.arguments?.[0]?.name.value ?? "input";
      userErrors = flattenValidationErrors(error.extensions.validationErrors as never, [argument]).map((p) =>
        userError(p.code, p.message, p.field),
      );
    } else {
      throw error;
    }
    // Nothing else to report: required lists empty, required counts 0, everything else null.
    const empty = Object.fromEntries(
      Object.values(payload.getFields())
        .filter((f) => isNonNullType(f.type) && f.name !== "userErrors")
        .map((f) => [
          f.name,
          isNonNullType(f.type) && isListType(f.type.ofType) ? [] : getNamedType(f.type).name === "Boolean" ? false : 0,
        ]),
    );
    return { ...empty, userErrors };
  }
};
