import { LOCALE_TAG, languageOf, type LocalizedText } from "../../kernel/text/locale";

// Texts an engine gives per locale (item labels, evidence values): checked like any other text,
// and each language at most once, so that which text a person reads is never a guess.

const MAX_LOCALES = 20;

type Problem = (message: string, ...path: Array<string | number>) => void;

/** The texts as recorded, or null when none were given; every problem is reported with its path. */
export function checkLocalizedTexts(
  texts: ReadonlyArray<{ locale: string; text: string }> | null | undefined,
  maxText: number,
  problem: Problem,
  limit: Problem,
): LocalizedText[] | null {
  if (!texts || texts.length === 0) return null;
  if (texts.length > MAX_LOCALES) limit(`At most ${MAX_LOCALES} locales`);
  const seen = new Set<string>();
  texts.slice(0, MAX_LOCALES).forEach((t, i) => {
    if (!LOCALE_TAG.test(t.locale))
      problem(`"${t.locale.slice(0, 40)}" is not a locale such as es or es-MX`, i, "locale");
    else if (seen.has(languageOf(t.locale)))
      problem(`A text for "${languageOf(t.locale)}" is given twice`, i, "locale");
    seen.add(languageOf(t.locale));
    if (t.text.trim() === "") problem("must not be empty", i, "text");
    if (t.text.length > maxText) limit(`is longer than ${maxText} characters`, i, "text");
  });
  return texts.map((t) => ({ locale: t.locale, text: t.text.trim() }));
}
