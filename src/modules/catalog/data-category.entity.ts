import { Directive, Field, Int, ObjectType } from "type-graphql";
import { Entity, Index } from "typeorm";
import {
  BoolColumn,
  IntColumn,
  KeyColumn,
  NameColumn,
  PrimaryIdColumn,
  TextColumn,
  UrlColumn,
  JsonColumn,
} from "../../kernel/db/columns";
import { LocalizedTexts } from "../../kernel/graphql/localized";
import type { Translations } from "../../kernel/text/locale";
import { CATALOG_CACHE } from "../../kernel/graphql/cache";
import { Node } from "../../kernel/graphql/node";

@Directive(CATALOG_CACHE)
@ObjectType({ implements: Node, description: "A kind of personal data, e.g. browsing history." })
@LocalizedTexts("name", "description")
@Entity("data_category")
export class DataCategory extends Node {
  @PrimaryIdColumn()
  id: string;

  @Field({ description: "Stable dotted key, e.g. user.behavior.browsing_history." })
  @Index("uq_data_category_key", { unique: true })
  @KeyColumn()
  key: string;

  /** Order in the catalog file, so lists read the way the privacy office wrote them. */
  @IntColumn()
  position: number;

  @NameColumn()
  name: string;

  @TextColumn()
  description: string;

  @Field()
  @BoolColumn()
  sensitive: boolean;

  @Field({
    description:
      "Says nothing about the person (e.g. the item being viewed, the search typed now), so it may be used on a surface in NON_PROFILING mode.",
  })
  @BoolColumn({ default: false })
  usableWithoutProfiling: boolean;

  @Field(() => Int, {
    nullable: true,
    description: "How long this data is kept, in days; null means kept while the account exists.",
  })
  @IntColumn({ nullable: true })
  retentionDays: number | null;

  @Field(() => String, { nullable: true })
  @UrlColumn({ nullable: true })
  dpvIri: string | null;

  @Field(() => Int, {
    nullable: true,
    description: "Index (1-16) of the IAB GPP usnat SensitiveDataProcessing slot this category falls under, if any.",
  })
  @IntColumn({ nullable: true })
  gppSensitiveSlot: number | null;

  /** Its texts in the other supported locales (catalog `translations`). */
  @JsonColumn({ nullable: true })
  translations: Translations<"name" | "description"> | null;
}
