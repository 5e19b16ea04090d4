// The languages Candor speaks to people in. English is the catalog's own language (the texts of an
// entry); every other supported locale comes from the entry's `translations`, which `catalog
// apply` requires, so a person never reads a mix of two languages.

export const SUPPORTED_LOCALES = ["en", "es"] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";
/** The locales a catalog must translate its texts into. */
export const TRANSLATED_LOCALES = SUPPORTED_LOCALES.filter((l): l is Exclude<Locale, "en"> => l !== DEFAULT_LOCALE);

/** A BCP 47-style tag, e.g. es, es-MX, pt-BR. */
export const LOCALE_TAG = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}$/;

/** The primary language of a tag, lower case: "es-MX" → "es". */
export const languageOf = (tag: string): string => tag.toLowerCase().split(/[-_]/)[0];

/** The supported locale for an asked one: its language when supported, else English. */
export const resolveLocale = (asked: string | null | undefined): Locale => {
  const lang = languageOf(asked ?? DEFAULT_LOCALE);
  return (SUPPORTED_LOCALES as readonly string[]).includes(lang) ? (lang as Locale) : DEFAULT_LOCALE;
};

/** A text in one language, as an engine gives it (`LocalizedText`). */
export interface LocalizedText {
  locale: string;
  text: string;
}

/** The text given for a locale's language, if any (es-MX serves es). */
export const textFor = (texts: readonly LocalizedText[] | null | undefined, locale: Locale): string | null =>
  texts?.find((t) => languageOf(t.locale) === locale)?.text ?? null;

/** An entry's texts in the locales other than English, e.g. `{ es: { name, description } }`. */
export type Translations<F extends string> = Partial<Record<Exclude<Locale, "en">, Partial<Record<F, string>>>>;

/**
 * A catalog entry's text in the asked locale: its own (English) text, or its translation. An entry
 * written before translations existed falls back to its own text.
 */
export function translated<F extends string>(
  entry: { [K in F]?: string | null } & { translations?: Translations<F> | null },
  field: F,
  asked: string | null | undefined,
): string {
  const locale = resolveLocale(asked);
  const own = entry[field] ?? "";
  if (locale === "en") return own;
  return entry.translations?.[locale]?.[field] ?? own;
}

/**
 * Texts given per locale (e.g. in a mutation's input), by translated locale: every locale besides
 * English exactly once, nothing else. Returns the problem, if any, for the caller to place.
 */
export function byTranslatedLocale<T extends { locale: string }>(
  given: readonly T[] | null | undefined,
): { byLocale: Partial<Record<Exclude<Locale, "en">, T>> } | { problem: string; index: number | null } {
  const byLocale: Partial<Record<Exclude<Locale, "en">, T>> = {};
  for (const [index, t] of (given ?? []).entries()) {
    const lang = languageOf(t.locale);
    const locale = TRANSLATED_LOCALES.find((l) => l === lang);
    if (!locale) return { problem: `Give translations only for ${TRANSLATED_LOCALES.join(", ")}`, index };
    if (byLocale[locale]) return { problem: `"${locale}" is given twice`, index };
    byLocale[locale] = t;
  }
  const missing = TRANSLATED_LOCALES.filter((l) => !byLocale[l]);
  if (missing.length > 0) {
    return {
      problem: `Give the text in ${missing.join(", ")} too: people read it in every supported locale`,
      index: null,
    };
  }
  return { byLocale };
}
