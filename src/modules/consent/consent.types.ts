import { Field, Int, ObjectType } from "type-graphql";
import { ConnectionType, type Connection } from "../../kernel/graphql/connection";
import { UserError } from "../../kernel/graphql/user-error";
import { Purpose } from "../catalog";
import { ConsentEvent } from "./consent-event.entity";
import { ConsentReceipt } from "./consent-receipt.entity";
import { ConsentSource, ConsentStatus } from "./consent.enums";
import type { EffectiveConsent } from "./effective-consent";
import { Subject } from "../people";

@ObjectType({ description: "The effective state of one purpose for one person." })
export class Consent {
  purposeId: string;

  @Field(() => Purpose)
  purpose?: Purpose;

  @Field(() => ConsentStatus)
  status: ConsentStatus;

  @Field(() => ConsentSource)
  source: ConsentSource;

  @Field(() => Int, {
    nullable: true,
    description: "Privacy policy version in force when the person last chose; null when never chosen.",
  })
  policyVersion: number | null;

  @Field(() => Date, { nullable: true })
  updatedAt: Date | null;

  @Field({ description: "True when the person confirmed a grant that overrides their Global Privacy Control signal." })
  gpcOverridden: boolean;

  static of(effective: EffectiveConsent): Consent {
    return Object.assign(new Consent(), effective);
  }
}

export const ConsentEventConnection = ConnectionType(ConsentEvent);
export type ConsentEventConnection = Connection<ConsentEvent>;

@ObjectType()
export class UpdateConsentsPayload {
  @Field(() => Subject, { nullable: true })
  subject?: Subject | null;

  @Field(() => ConsentReceipt, {
    nullable: true,
    description: "The signed record of the change; null when the call changed nothing.",
  })
  receipt?: ConsentReceipt | null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

@ObjectType()
export class UpsertSubjectPayload {
  @Field(() => Subject, { nullable: true })
  subject?: Subject | null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

@ObjectType()
export class ConsentCheck {
  @Field()
  subjectExternalId: string;

  @Field(() => [Consent])
  consents: Consent[];

  @Field({ description: "True when every purpose asked about is GRANTED." })
  allGranted: boolean;
}
