import { Directive, Field, Int, ObjectType } from "type-graphql";
import { Entity, Index, JoinTable, ManyToMany } from "typeorm";
import { IntColumn, NameColumn, PrimaryIdColumn, TextColumn, JsonColumn } from "../../kernel/db/columns";
import { LocalizedTexts } from "../../kernel/graphql/localized";
import type { Translations } from "../../kernel/text/locale";
import { CATALOG_CACHE } from "../../kernel/graphql/cache";
import { Purpose } from "./purpose.entity";

@Directive(CATALOG_CACHE)
@ObjectType({
  description: "A preset bundle of purposes, so that a person can pick how much personalization they want.",
})
@LocalizedTexts("name", "description")
@Entity("personalization_level")
export class PersonalizationLevel {
  @PrimaryIdColumn()
  id: string;

  @Field(() => Int)
  @Index("uq_personalization_level_level", { unique: true })
  @IntColumn()
  level: number;

  @NameColumn()
  name: string;

  @TextColumn()
  description: string;

  @ManyToMany(() => Purpose)
  @JoinTable({
    name: "personalization_level_purpose",
    joinColumn: { name: "personalization_level_id" },
    inverseJoinColumn: { name: "purpose_id" },
  })
  purposes?: Purpose[];

  /** Its texts in the other supported locales (catalog `translations`). */
  @JsonColumn({ nullable: true })
  translations: Translations<"name" | "description"> | null;
}
