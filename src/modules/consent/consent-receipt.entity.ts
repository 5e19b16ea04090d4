import { Field, ID, ObjectType } from "type-graphql";
import { Entity, Index } from "typeorm";
import { IdColumn, PrimaryIdColumn, TextColumn, TimeColumn } from "../../kernel/db/columns";
import { toGlobalId } from "../../kernel/ids";

/** A signed record of one consent change, aligned with ISO/IEC TS 27560. */
@ObjectType({ description: "A signed record of a consent change (fields aligned with ISO/IEC TS 27560)." })
@Entity("consent_receipt")
@Index("ix_consent_receipt_subject", ["subjectId", "issuedAt"])
export class ConsentReceipt {
  @PrimaryIdColumn()
  id: string;

  @IdColumn()
  subjectId: string;

  @Field(() => Date)
  @TimeColumn()
  issuedAt: Date;

  @Field({
    description: "Compact JWS (EdDSA) over the receipt payload, verifiable with the keys at /.well-known/jwks.json.",
  })
  @TextColumn()
  jws: string;

  @Field(() => ID, { name: "id" })
  get globalId(): string {
    return toGlobalId("ConsentReceipt", this.id);
  }
}
