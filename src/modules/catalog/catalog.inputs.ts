import { IsInt, IsOptional, Max, MaxLength, Min } from "class-validator";
import { ArgsType, Field, Int } from "type-graphql";
import { KEY_LENGTH } from "../../kernel/db/columns";

@ArgsType()
export class JurisdictionArgs {
  @Field({ description: "e.g. US-CA, or UNKNOWN." })
  @MaxLength(20)
  code: string;
}

@ArgsType()
export class PrivacyPolicyArgs {
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  version?: number | null;
}

@ArgsType()
export class SharingDisclosuresArgs {
  @Field(() => String, { nullable: true, description: "Partner key." })
  @IsOptional()
  @MaxLength(KEY_LENGTH)
  partner?: string | null;

  @Field(() => String, { nullable: true, description: "Purpose key." })
  @IsOptional()
  @MaxLength(KEY_LENGTH)
  purpose?: string | null;
}
