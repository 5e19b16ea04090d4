import { Directive, Field, ObjectType } from "type-graphql";
import { Entity, Index, JoinTable, ManyToMany } from "typeorm";
import {
  EnumColumn,
  IntColumn,
  JsonColumn,
  KeyColumn,
  NameColumn,
  PrimaryIdColumn,
  TextColumn,
  UrlColumn,
} from "../../kernel/db/columns";
import { LocalizedTexts } from "../../kernel/graphql/localized";
import type { Translations } from "../../kernel/text/locale";
import { CATALOG_CACHE } from "../../kernel/graphql/cache";
import { Node } from "../../kernel/graphql/node";
import { ConsentMode, LegalBasis, RegulatedUse } from "./catalog.enums";
import { DataCategory } from "./data-category.entity";

@Directive(CATALOG_CACHE)
@ObjectType({ implements: Node, description: "Why data is used, in plain language, with how consent works for it." })
@LocalizedTexts(
  "name",
  ["description", { description: "Plain language: what is done with the data." }],
  ["benefit", { description: "Plain language: what the person gets in return." }],
)
@Entity("purpose")
export class Purpose extends Node {
  @PrimaryIdColumn()
  id: string;

  @Field({ description: "Stable slug, e.g. personalized-recommendations." })
  @Index("uq_purpose_key", { unique: true })
  @KeyColumn()
  key: string;

  @IntColumn()
  position: number;

  @NameColumn()
  name: string;

  @TextColumn()
  description: string;

  @TextColumn()
  benefit: string;

  @Field(() => LegalBasis)
  @EnumColumn()
  legalBasis: LegalBasis;

  @Field(() => ConsentMode)
  @EnumColumn()
  defaultMode: ConsentMode;

  @Field(() => [RegulatedUse])
  @JsonColumn()
  regulatedUses: RegulatedUse[];

  @Field(() => String, { nullable: true, description: "W3C Data Privacy Vocabulary IRI." })
  @UrlColumn({ nullable: true })
  dpvIri: string | null;

  /** Resolved through a loader (`Purpose.dataCategories`), never eagerly. */
  @ManyToMany(() => DataCategory)
  @JoinTable({
    name: "purpose_data_category",
    joinColumn: { name: "purpose_id" },
    inverseJoinColumn: { name: "data_category_id" },
  })
  dataCategories?: DataCategory[];

  /** Its texts in the other supported locales (catalog `translations`). */
  @JsonColumn({ nullable: true })
  translations: Translations<"name" | "description" | "benefit"> | null;
}
