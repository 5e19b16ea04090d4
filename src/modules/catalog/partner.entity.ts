import { Directive, Field, Int, ObjectType } from "type-graphql";
import { Column, Entity, Index } from "typeorm";
import { EnumColumn, IntColumn, KeyColumn, NameColumn, PrimaryIdColumn, UrlColumn } from "../../kernel/db/columns";
import { CATALOG_CACHE } from "../../kernel/graphql/cache";
import { Node } from "../../kernel/graphql/node";
import { PartnerRole } from "./catalog.enums";

@Directive(CATALOG_CACHE)
@ObjectType({ implements: Node, description: "A company that receives personal data from the business." })
@Entity("partner")
export class Partner extends Node {
  @PrimaryIdColumn()
  id: string;

  @Field()
  @Index("uq_partner_key", { unique: true })
  @KeyColumn()
  key: string;

  @IntColumn()
  position: number;

  @Field()
  @NameColumn()
  name: string;

  @Field(() => PartnerRole)
  @EnumColumn()
  role: PartnerRole;

  @Field(() => String, { nullable: true })
  @UrlColumn({ nullable: true })
  website: string | null;

  @Field(() => String, { nullable: true })
  @UrlColumn({ nullable: true })
  privacyPolicyUrl: string | null;

  @Field({ description: "ISO 3166-1 alpha-2." })
  @Column({ type: "varchar", length: 2 })
  country: string;

  @Field(() => Int, { nullable: true })
  @IntColumn({ nullable: true })
  iabVendorId: number | null;
}
