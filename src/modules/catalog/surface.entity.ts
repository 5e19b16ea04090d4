import { Directive, Field, ObjectType } from "type-graphql";
import { Entity, Index } from "typeorm";
import { IntColumn, JsonColumn, KeyColumn, NameColumn, PrimaryIdColumn, TextColumn } from "../../kernel/db/columns";
import { LocaleArg, LocalizedTexts } from "../../kernel/graphql/localized";
import { resolveLocale, type Translations } from "../../kernel/text/locale";
import { CATALOG_CACHE } from "../../kernel/graphql/cache";
import { Node } from "../../kernel/graphql/node";
import { RecommenderMode } from "./catalog.enums";

@Directive(CATALOG_CACHE)
@ObjectType()
export class MainParameter {
  @Field()
  name: string;

  @Field()
  description: string;
}

@Directive(CATALOG_CACHE)
@ObjectType({
  implements: Node,
  description: "A place where personalized content is shown, e.g. home-feed, search, email-offers.",
})
@LocalizedTexts("name", "description")
@Entity("surface")
export class Surface extends Node {
  @PrimaryIdColumn()
  id: string;

  @Field()
  @Index("uq_surface_key", { unique: true })
  @KeyColumn()
  key: string;

  @IntColumn()
  position: number;

  @NameColumn()
  name: string;

  @TextColumn()
  description: string;

  @JsonColumn()
  mainParameters: MainParameter[];

  @Field(() => [RecommenderMode])
  @JsonColumn()
  modes: RecommenderMode[];

  /** Its texts in the other supported locales (catalog `translations`). */
  @JsonColumn({ nullable: true })
  translations: (Translations<"name" | "description"> & { es?: { mainParameters?: MainParameter[] } }) | null;

  @Field(() => [MainParameter], {
    name: "mainParameters",
    description: "The main parameters that decide what is shown here, most important first.",
  })
  mainParametersIn(@LocaleArg() locale?: string): MainParameter[] {
    const lang = resolveLocale(locale);
    const list = (lang !== "en" && this.translations?.[lang]?.mainParameters) || this.mainParameters;
    return list.map((p) => Object.assign(new MainParameter(), p));
  }
}
