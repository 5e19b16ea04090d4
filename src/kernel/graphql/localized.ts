import { Arg, Field, InputType } from "type-graphql";

/** The `locale` argument of a text a person reads: en (the catalog's own) or es. */
export const LocaleArg = () =>
  Arg("locale", () => String, {
    nullable: true,
    defaultValue: "en",
    description: "en or es (es-MX serves es); other locales get English.",
  });

@InputType("LocalizedText", { description: "A text in one language, e.g. an item label the engine gives in Spanish." })
export class LocalizedTextInput {
  @Field({ description: "e.g. es or es-MX." })
  locale: string;

  @Field()
  text: string;
}
