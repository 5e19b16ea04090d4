import { Directive, Field, Int, ObjectType } from "type-graphql";
import { Entity, Index, JoinColumn, JoinTable, ManyToMany, ManyToOne } from "typeorm";
import {
  BoolColumn,
  IdColumn,
  IntColumn,
  JsonColumn,
  KeyColumn,
  PrimaryIdColumn,
  TextColumn,
  TimeColumn,
} from "../../kernel/db/columns";
import { LocalizedTexts } from "../../kernel/graphql/localized";
import type { Translations } from "../../kernel/text/locale";
import { CATALOG_CACHE } from "../../kernel/graphql/cache";
import { Node } from "../../kernel/graphql/node";
import { Safeguard } from "./catalog.enums";
import { DataCategory } from "./data-category.entity";
import { Partner } from "./partner.entity";
import { Purpose } from "./purpose.entity";

@Directive(CATALOG_CACHE)
@ObjectType({
  implements: Node,
  description: "A standing disclosure: this partner receives these categories for this purpose.",
})
@LocalizedTexts(["reason", { description: "Plain language: why the data is shared." }])
@Entity("sharing_agreement")
@Index("uq_sharing_agreement_partner_key", ["partnerId", "key"], { unique: true })
export class SharingAgreement extends Node {
  @PrimaryIdColumn()
  id: string;

  @Field({ description: "Stable key within its partner, as written in the catalog file." })
  @KeyColumn()
  key: string;

  @IdColumn()
  partnerId: string;

  @ManyToOne(() => Partner, { onDelete: "RESTRICT" })
  @JoinColumn({ name: "partner_id" })
  partner?: Partner;

  @IdColumn()
  purposeId: string;

  @ManyToOne(() => Purpose, { onDelete: "RESTRICT" })
  @JoinColumn({ name: "purpose_id" })
  purpose?: Purpose;

  @TextColumn()
  reason: string;

  @Field()
  @BoolColumn()
  isSale: boolean;

  @Field()
  @BoolColumn()
  isSharingForAdvertising: boolean;

  @Field(() => Int, { nullable: true })
  @IntColumn({ nullable: true })
  retentionDays: number | null;

  @Field(() => [Safeguard])
  @JsonColumn()
  safeguards: Safeguard[];

  @Field(() => Date)
  @TimeColumn()
  startedAt: Date;

  @Field(() => Date, { nullable: true })
  @TimeColumn({ nullable: true })
  endedAt: Date | null;

  @ManyToMany(() => DataCategory)
  @JoinTable({
    name: "sharing_agreement_data_category",
    joinColumn: { name: "sharing_agreement_id" },
    inverseJoinColumn: { name: "data_category_id" },
  })
  dataCategories?: DataCategory[];

  /** Its texts in the other supported locales (catalog `translations`). */
  @JsonColumn({ nullable: true })
  translations: Translations<"reason"> | null;
}
