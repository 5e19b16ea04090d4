import {
  ArrayMaxSize,
  ArrayMinSize,
  IsInt,
  IsOptional,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from "class-validator";
import { ArgsType, Field, InputType, Int } from "type-graphql";
import { KEY_LENGTH } from "../../kernel/db/columns";
import { LOCALE_TAG } from "../../kernel/text/locale";
import { PageArgs } from "../../kernel/graphql/connection";
import { AgeBracket } from "../catalog";
import { Channel } from "./consent.enums";
import { MAX_CHECK_PEOPLE, MAX_CHECK_PURPOSES } from "./consent-read.service";

export const MAX_CHANGES = 100;
const ID_LENGTH = 200;

/** An optional, non-empty string of at most `max` characters (a null means "not given"). */
function OptionalText(max: number, description?: string): PropertyDecorator {
  return (target, property) => {
    Field(() => String, { nullable: true, description })(target, property);
    IsOptional()(target, property);
    MinLength(1)(target, property);
    MaxLength(max)(target, property);
  };
}

/** The language the person read the choice in: the receipt is written in it. */
function ReceiptLocale(): PropertyDecorator {
  return (target, property) => {
    Field(() => String, {
      nullable: true,
      defaultValue: "en",
      description: "The language the person chose in: en or es (es-MX serves es; others get en). The receipt is in it.",
    })(target, property);
    IsOptional()(target, property);
    Matches(LOCALE_TAG, { message: "must be a language tag such as en, es or es-MX" })(target, property);
  };
}

const IdempotencyKey = () =>
  OptionalText(
    ID_LENGTH,
    "Repeat-safe key: the same key with the same input returns the first result and writes nothing.",
  );

@InputType()
export class ConsentChangeInput {
  @Field({ description: "Purpose key." })
  @MaxLength(KEY_LENGTH)
  purpose: string;

  @Field()
  granted: boolean;
}

@InputType()
export class UpdateConsentsInput {
  @OptionalText(
    ID_LENGTH,
    "External id of the subject. Only services and admins give it; a subject always acts on itself.",
  )
  subjectExternalId?: string | null;

  @Field(() => [ConsentChangeInput])
  @ArrayMinSize(1, { message: "Give at least one change" })
  @ArrayMaxSize(MAX_CHANGES, { message: `At most ${MAX_CHANGES} changes per call` })
  @ValidateNested()
  changes: ConsentChangeInput[];

  @Field(() => Channel)
  channel: Channel;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: "Must be true to grant a purpose that the person's Global Privacy Control signal opts out of.",
  })
  confirmGpcOverride?: boolean | null;

  @ReceiptLocale()
  locale?: string | null;

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@InputType()
export class SetPersonalizationLevelInput {
  @Field(() => Int)
  @IsInt()
  @Min(0)
  @Max(100)
  level: number;

  @Field(() => Channel)
  channel: Channel;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  confirmGpcOverride?: boolean | null;

  @ReceiptLocale()
  locale?: string | null;

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@InputType()
export class OptOutOfAllInput {
  @Field(() => Channel)
  channel: Channel;

  @OptionalText(ID_LENGTH, "External id of the subject. Only services and admins give it.")
  subjectExternalId?: string | null;

  @ReceiptLocale()
  locale?: string | null;

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@InputType()
export class RecordGlobalPrivacyControlInput {
  @Field()
  @MinLength(1)
  @MaxLength(ID_LENGTH)
  subjectExternalId: string;

  @Field({ description: "The value of the Sec-GPC header, or of navigator.globalPrivacyControl." })
  enabled: boolean;
}

@InputType()
export class UpsertSubjectInput {
  @Field()
  @MinLength(1)
  @MaxLength(ID_LENGTH)
  externalId: string;

  @Field(() => String, {
    nullable: true,
    description:
      "Where the person lives, as the business knows it: a US state (US-CA), an ISO 3166-1 alpha-2 country (DE, under the EU's rules; GB; BR), CA-QC, or EU. UNKNOWN clears it.",
  })
  @IsOptional()
  @MaxLength(20)
  jurisdiction?: string | null;

  @Field(() => AgeBracket, {
    nullable: true,
    description:
      "What the business knows of the person's age (the person, or a service with consent:write). Defaults are derived again; choices that stay lawful are kept.",
  })
  @IsOptional()
  ageBracket?: AgeBracket | null;
}

@ArgsType()
export class ConsentCheckArgs {
  @Field()
  @MinLength(1)
  @MaxLength(ID_LENGTH)
  subjectExternalId: string;

  @Field(() => [String])
  @ArrayMaxSize(MAX_CHECK_PURPOSES)
  @MaxLength(KEY_LENGTH, { each: true })
  purposes: string[];
}

@ArgsType()
export class ConsentChecksArgs {
  @Field(() => [String])
  @ArrayMaxSize(MAX_CHECK_PEOPLE, { message: `At most ${MAX_CHECK_PEOPLE} people per call` })
  @MaxLength(ID_LENGTH, { each: true })
  subjectExternalIds: string[];

  @Field(() => [String])
  @ArrayMaxSize(MAX_CHECK_PURPOSES)
  @MaxLength(KEY_LENGTH, { each: true })
  purposes: string[];
}

@ArgsType()
export class SubjectArgs {
  @Field()
  @MaxLength(ID_LENGTH)
  externalId: string;
}

@ArgsType()
export class ConsentArgs {
  @Field({ description: "Purpose key." })
  @MaxLength(KEY_LENGTH)
  purpose: string;
}

@ArgsType()
export class ConsentHistoryArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: "Only this purpose key." })
  @IsOptional()
  @MaxLength(KEY_LENGTH)
  purpose?: string | null;
}
