// Flesch-Kincaid grade level: 0.39·(words/sentences) + 11.8·(syllables/words) − 15.59.
// Syllables are counted with the usual English vowel-group heuristic (silent final e, -le,
// -ed/-es endings); good to about one syllable per word, which is what a grade estimate needs.

const WORD = /[A-Za-zÀ-ÿ]+(?:['’][A-Za-z]+)?/g;

export function countSyllables(word: string): number {
  let w = word.toLowerCase().replace(/['’].*$/, "");
  if (w.length <= 3) return 1;
  w = w.replace(/(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$/, "").replace(/^y/, "");
  const groups = w.match(/[aeiouyáéíóúü]+/g);
  return Math.max(1, groups ? groups.length : 1);
}

export function countSentences(text: string): number {
  const sentences = text.split(/[.!?]+(?:\s|$)/).filter((s) => /[A-Za-z]/.test(s));
  return Math.max(1, sentences.length);
}

export function fleschKincaidGrade(text: string): number {
  const words = text.match(WORD) ?? [];
  if (words.length === 0) return 0;
  const syllables = words.reduce((sum, w) => sum + countSyllables(w), 0);
  const grade = 0.39 * (words.length / countSentences(text)) + 11.8 * (syllables / words.length) - 15.59;
  return Math.round(Math.max(0, grade) * 10) / 10;
}
