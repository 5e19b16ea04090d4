import { Arg, Field, InputType } from "type-graphql";
import { translated } from "../text/locale";

const LOCALE_DESCRIPTION = "en or es (es-MX serves es); other locales get English.";

/** The `locale` argument of a text a person reads: en (the catalog's own) or es. */
export const LocaleArg = () =>
  Arg("locale", () => String, { nullable: true, defaultValue: "en", description: LOCALE_DESCRIPTION });

type TextField = string | [field: string, options: { description?: string; nullable?: boolean }];

/**
 * Serves text columns a person reads in the asked locale: each named field becomes a GraphQL
 * field `name(locale: String = "en")` answering the column, or its translation from the entity's
 * `translations` column. The columns themselves stay plain for the code that uses them.
 */
export function LocalizedTexts(...fields: TextField[]): ClassDecorator {
  return (target) => {
    for (const spec of fields) {
      const [field, options] = typeof spec === "string" ? [spec, {}] : spec;
      const method = `${field}In`;
      const resolve = function (this: Parameters<typeof translated>[0], locale?: string): string | null {
        return this[field] === null || this[field] === undefined ? null : translated(this, field, locale);
      };
      Object.defineProperty(target.prototype, method, { value: resolve, writable: true, configurable: true });
      const descriptor = Object.getOwnPropertyDescriptor(target.prototype, method)!;
      LocaleArg()(target.prototype, method, 0);
      Field(() => String, { name: field, ...options })(target.prototype, method, descriptor);
    }
  };
}

@InputType("LocalizedText", { description: "A text in one language, e.g. an item label the engine gives in Spanish." })
export class LocalizedTextInput {
  @Field({ description: "e.g. es or es-MX." })
  locale: string;

  @Field()
  text: string;
}
