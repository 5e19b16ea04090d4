import { Field, ObjectType, registerEnumType } from "type-graphql";
import type { DomainError, ErrorCode } from "../errors";

export enum UserErrorCode {
  INVALID = "INVALID",
  NOT_FOUND = "NOT_FOUND",
  CONSENT_REQUIRED = "CONSENT_REQUIRED",
  GPC_CONFIRMATION_REQUIRED = "GPC_CONFIRMATION_REQUIRED",
  CONFLICT = "CONFLICT",
  LIMIT_EXCEEDED = "LIMIT_EXCEEDED",
  PROFILING_NOT_ALLOWED = "PROFILING_NOT_ALLOWED",
  SPONSOR_HIDDEN = "SPONSOR_HIDDEN",
}
registerEnumType(UserErrorCode, {
  name: "UserErrorCode",
  valuesConfig: {
    PROFILING_NOT_ALLOWED: {
      description: "A factor that profiles the person on a surface the person switched to NON_PROFILING.",
    },
    SPONSOR_HIDDEN: { description: "An ad whose sponsor the person chose to hide." },
  },
});

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
