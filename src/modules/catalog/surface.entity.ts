import { Directive, Field, ObjectType } from "type-graphql";
import { Entity, Index } from "typeorm";
import { IntColumn, JsonColumn, KeyColumn, NameColumn, PrimaryIdColumn, TextColumn } from "../../kernel/db/columns";
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

  @Field()
  @NameColumn()
  name: string;

  @Field()
  @TextColumn()
  description: string;

  @Field(() => [MainParameter], {
    description: "The main parameters that decide what is shown here, most important first.",
  })
  @JsonColumn()
  mainParameters: MainParameter[];

  @Field(() => [RecommenderMode])
  @JsonColumn()
  modes: RecommenderMode[];
}
