import { Field, ObjectType, registerEnumType } from "type-graphql";
import type { DomainError, ErrorCode } from "../errors";

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
  @Field(() => [String], {
    nullable: true,
    description: 'Path to the input field at fault, e.g. ["input", "changes", "3", "purpose"].',
  })
  field: string[] | null;

  @Field()
  message: string;

  @Field(() => UserErrorCode)
  code: UserErrorCode;
}

export const userError = (code: ErrorCode, message: string, field: string[] | null = null): UserError =>
  Object.assign(new UserError(), { code: code as UserErrorCode, message, field });

export const userErrorFrom = (error: DomainError): UserError => userError(error.code, error.message, error.field);
