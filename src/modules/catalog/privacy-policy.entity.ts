import { Directive, Field, Float, Int, ObjectType } from "type-graphql";
import { Entity, Index } from "typeorm";
import { IntColumn, JsonColumn, PrimaryIdColumn, TextColumn, TimeColumn } from "../../kernel/db/columns";
import { CATALOG_CACHE } from "../../kernel/graphql/cache";
import { Node } from "../../kernel/graphql/node";
import { readabilityOf } from "../../kernel/text/readability";
import { LocaleArg } from "../../kernel/graphql/localized";
import { resolveLocale, translated, type Translations } from "../../kernel/text/locale";
import type { CatalogSnapshot } from "./catalog-snapshot";

export interface PolicySectionData {
  key: string;
  heading: string;
  body: string;
  translations?: Translations<"heading" | "body"> | null;
}

/** The reading grade of a text by the formula made for its language. */
const gradeIn = (text: string, locale: string | undefined) => readabilityOf(text, resolveLocale(locale)).grade;

@Directive(CATALOG_CACHE)
@ObjectType()
export class PolicySection implements PolicySectionData {
  @Field()
  key: string;

  heading: string;
  body: string;
  translations?: Translations<"heading" | "body"> | null;

  @Field(() => String, { name: "heading" })
  headingIn(@LocaleArg() locale?: string): string {
    return translated(this, "heading", locale);
  }

  @Field(() => String, { name: "body" })
  bodyIn(@LocaleArg() locale?: string): string {
    return translated(this, "body", locale);
  }

  @Field(() => Float, {
    name: "readingGrade",
    description: "Reading grade of heading and body: Flesch-Kincaid (en), Fernández-Huerta's grade (es).",
  })
  readingGradeIn(@LocaleArg() locale?: string): number {
    return gradeIn(`${this.headingIn(locale)}. ${this.bodyIn(locale)}`, locale);
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

  @TextColumn()
  summary: string;

  /** The summary in the other supported locales; each section carries its own. */
  @JsonColumn({ nullable: true })
  translations: Translations<"summary"> | null;

  @Field(() => String, { name: "summary" })
  summaryIn(@LocaleArg() locale?: string): string {
    return translated(this, "summary", locale);
  }

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

  @Field(() => Float, {
    name: "readingGrade",
    description:
      "Reading grade of the summary and every section together: Flesch-Kincaid (en), Fernández-Huerta's grade (es).",
  })
  readingGradeIn(@LocaleArg() locale?: string): number {
    const sections = this.sections.map((s) => `${s.headingIn(locale)}. ${s.bodyIn(locale)}`);
    return gradeIn([this.summaryIn(locale), ...sections].join(" "), locale);
  }
}
