import { Directive, Field, Float, Int, ObjectType } from "type-graphql";
import { Entity, Index } from "typeorm";
import { IntColumn, JsonColumn, PrimaryIdColumn, TextColumn, TimeColumn } from "../../kernel/db/columns";
import { CATALOG_CACHE } from "../../kernel/graphql/cache";
import { Node } from "../../kernel/graphql/node";
import { fleschKincaidGrade } from "../../kernel/text/readability";
import type { CatalogSnapshot } from "./catalog-snapshot";

export interface PolicySectionData {
  key: string;
  heading: string;
  body: string;
}

@Directive(CATALOG_CACHE)
@ObjectType()
export class PolicySection implements PolicySectionData {
  @Field()
  key: string;

  @Field()
  heading: string;

  @Field()
  body: string;

  @Field(() => Float, { description: "Flesch-Kincaid grade of heading and body." })
  get readingGrade(): number {
    return fleschKincaidGrade(`${this.heading}. ${this.body}`);
  }
}

@Directive(CATALOG_CACHE)
@ObjectType({
  implements: Node,
  description: "One published version of the privacy policy. Published versions never change.",
})
@Entity("privacy_policy")
export class PrivacyPolicy extends Node {
  @PrimaryIdColumn()
  id: string;

  @Field(() => Int)
  @Index("uq_privacy_policy_version", { unique: true })
  @IntColumn()
  version: number;

  @Field(() => Date)
  @TimeColumn()
  effectiveAt: Date;

  @Field()
  @TextColumn()
  summary: string;

  @JsonColumn()
  sectionData: PolicySectionData[];

  @TimeColumn()
  publishedAt: Date;

  /** The catalog this version described (null for a version published before snapshots). */
  @JsonColumn({ nullable: true })
  catalogSnapshot: CatalogSnapshot | null;

  @Field(() => [PolicySection])
  get sections(): PolicySection[] {
    return this.sectionData.map((s) => Object.assign(new PolicySection(), s));
  }

  @Field(() => Float, { description: "Flesch-Kincaid grade of the summary and every section together." })
  get readingGrade(): number {
    return fleschKincaidGrade([this.summary, ...this.sectionData.map((s) => `${s.heading}. ${s.body}`)].join(" "));
  }
}
