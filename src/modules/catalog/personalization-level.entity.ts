import { Directive, Field, Int, ObjectType } from "type-graphql";
import { Entity, Index, JoinTable, ManyToMany } from "typeorm";
import { IntColumn, NameColumn, PrimaryIdColumn, TextColumn } from "../../kernel/db/columns";
import { CATALOG_CACHE } from "../../kernel/graphql/cache";
import { Purpose } from "./purpose.entity";

@Directive(CATALOG_CACHE)
@ObjectType({
  description: "A preset bundle of purposes, so that a person can pick how much personalization they want.",
})
@Entity("personalization_level")
export class PersonalizationLevel {
  @PrimaryIdColumn()
  id: string;

  @Field(() => Int)
  @Index("uq_personalization_level_level", { unique: true })
  @IntColumn()
  level: number;

  @Field()
  @NameColumn()
  name: string;

  @Field()
  @TextColumn()
  description: string;

  @ManyToMany(() => Purpose)
  @JoinTable({
    name: "personalization_level_purpose",
    joinColumn: { name: "personalization_level_id" },
    inverseJoinColumn: { name: "purpose_id" },
  })
  purposes?: Purpose[];
}
