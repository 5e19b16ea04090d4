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
  TimeColumn,
} from "../../kernel/db/columns";
import { LocalizedTexts } from "../../kernel/graphql/localized";
import type { Translations } from "../../kernel/text/locale";
import { CATALOG_CACHE } from "../../kernel/graphql/cache";
import { Node } from "../../kernel/graphql/node";
import { DecisionKind, HumanInvolvement } from "./catalog.enums";
import { DataCategory } from "./data-category.entity";
import { Purpose } from "./purpose.entity";

@Directive(CATALOG_CACHE)
@ObjectType({ implements: Node, description: "Model card: what an algorithm does, in plain language, per version." })
@LocalizedTexts("name", "plainLanguageLogic", [
  "evaluation",
  { nullable: true, description: "Whether and how it was evaluated for accuracy and fairness, and the outcome." },
])
@Entity("algorithm_card")
@Index("uq_algorithm_card_key_version", ["key", "version"], { unique: true })
export class AlgorithmCard extends Node {
  @PrimaryIdColumn()
  id: string;

  @Field()
  @KeyColumn()
  key: string;

  @Field()
  @KeyColumn({ length: 40 })
  version: string;

  @IntColumn()
  position: number;

  @NameColumn()
  name: string;

  @Field(() => [DecisionKind])
  @JsonColumn()
  decisionKinds: DecisionKind[];

  @TextColumn()
  plainLanguageLogic: string;

  @Field(() => HumanInvolvement)
  @EnumColumn()
  humanInvolvement: HumanInvolvement;

  @TextColumn({ nullable: true })
  evaluation: string | null;

  @Field(() => Date, { nullable: true })
  @TimeColumn({ nullable: true })
  lastReviewedAt: Date | null;

  @Field(() => Date)
  @TimeColumn()
  validFrom: Date;

  @Field(() => Date, { nullable: true })
  @TimeColumn({ nullable: true })
  validTo: Date | null;

  @ManyToMany(() => DataCategory)
  @JoinTable({
    name: "algorithm_card_input",
    joinColumn: { name: "algorithm_card_id" },
    inverseJoinColumn: { name: "data_category_id" },
  })
  inputs?: DataCategory[];

  @ManyToMany(() => Purpose)
  @JoinTable({
    name: "algorithm_card_purpose",
    joinColumn: { name: "algorithm_card_id" },
    inverseJoinColumn: { name: "purpose_id" },
  })
  purposes?: Purpose[];

  /** Its texts in the other supported locales (catalog `translations`). */
  @JsonColumn({ nullable: true })
  translations: Translations<"name" | "plainLanguageLogic" | "evaluation"> | null;
}
