import { ArgumentValidationError, Field, ObjectType, registerEnumType, type MiddlewareFn } from "type-graphql";
import { getNamedType, isListType, isNonNullType, isObjectType } from "graphql";
import { DomainError, type ErrorCode } from "../errors";
import { flattenValidationErrors } from "../../http/format-error";

export enum UserErrorCode {
  INVALID = "INVALID",
  NOT_FOUND = "NOT_FOUND",
  CONSENT_REQUIRED = "CONSENT_REQUIRED",
  GPC_CONFIRMATION_REQUIRED = "GPC_CONFIRMATION_REQUIRED",
  CONFLICT = "CONFLICT",
  LIMIT_EXCEEDED = "LIMIT_EXCEEDED",
}
registerEnumType(UserErrorCode, { name: "UserErrorCode" });

/** An expected problem with a mutation's input; nothing was written. */
@ObjectType()
export class UserError {
  @Field(() => [String], { nullable: true, description: 'Path to the input field at fault, e.g. ["input", "changes", "3", "purpose"].' })
  field: string[] | null;

  @Field()
  message: string;

  @Field(() => UserErrorCode)
  code: UserErrorCode;
}

export const userError = (code: ErrorCode, message: string, field: string[] | null = null): UserError =>
  Object.assign(new UserError(), { code: code as UserErrorCode, message, field });

export const userErrorFrom = (error: DomainError): UserError => userError(error.code, error.message, error.field);

/**
 * DESIGN §6: on a mutation whose payload has `userErrors`, class-validator failures and domain
 * errors become userErrors with codes and field paths (the argument name first), and the
 * payload's other fields are null. Queries keep top-level errors (see format-error.ts).
 */
export const UserErrorsMiddleware: MiddlewareFn = async ({ info }, next) => {
  try {
    return await next();
  } catch (error) {
    const payload = getNamedType(info.returnType);
    if (info.parentType.name !== "Mutation" || !isObjectType(payload) || !("userErrors" in payload.getFields())) throw error;
    let userErrors: UserError[];
    if (error instanceof DomainError) {
      userErrors = [userErrorFrom(error)];
    } else if (error instanceof ArgumentValidationError) {
      const argument = info.fieldNodes[0]?.arguments?.[0]?.name.value ?? "input";
      userErrors = flattenValidationErrors(error.extensions.validationErrors as never, [argument]).map((p) => userError(p.code, p.message, p.field));
    } else {
      throw error;
    }
    // Nothing else to report: required lists empty, required counts 0, everything else null.
    const empty = Object.fromEntries(Object.values(payload.getFields())
      .filter((f) => isNonNullType(f.type) && f.name !== "userErrors")
      .map((f) => [f.name, isNonNullType(f.type) && isListType(f.type.ofType) ? [] : getNamedType(f.type).name === "Boolean" ? false : 0]));
    return { ...empty, userErrors };
  }
};
