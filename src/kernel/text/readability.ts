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

// Spanish: the Fernández-Huerta reading ease, 206.84 − 0.60·(syllables per 100 words) − 1.02·
// (words per sentence), and its grade equivalent 4 + (100 − score)/10 (Flesch's table,
// linearised; DESIGN §9). Syllables: vowel groups, split where two strong vowels meet or an
// accented í/ú breaks a diphthong (hiatus).

const STRONG = /[aeoáéó]/;

export function countSpanishSyllables(word: string): number {
  const groups = word.toLowerCase().match(/[aeiouáéíóúü]+/g) ?? [];
  let syllables = 0;
  for (const group of groups) {
    syllables += 1;
    for (let i = 1; i < group.length; i++) {
      const [a, b] = [group[i - 1], group[i]];
      if ((STRONG.test(a) && STRONG.test(b)) || /[íú]/.test(a) || /[íú]/.test(b)) syllables += 1;
    }
  }
  return Math.max(1, syllables);
}

export interface Readability {
  formula: "FLESCH_KINCAID" | "FERNANDEZ_HUERTA";
  score: number;
  grade: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function fernandezHuerta(text: string): Readability {
  const words = text.match(WORD) ?? [];
  if (words.length === 0) return { formula: "FERNANDEZ_HUERTA", score: 100, grade: 4 };
  const per100 = 100 / words.length;
  const syllables = words.reduce((sum, w) => sum + countSpanishSyllables(w), 0);
  // Words per sentence, as Flesch's formula it adapts has it: the often-quoted "sentences per 100
  // words" is a transcription slip that would score shorter sentences as harder (Law, 2011).
  const score = 206.84 - 0.6 * syllables * per100 - 1.02 * (words.length / countSentences(text));
  return { formula: "FERNANDEZ_HUERTA", score: round1(score), grade: round1(Math.max(0, 4 + (100 - score) / 10)) };
}

/** The formula made for the text's language: Flesch–Kincaid for English, Fernández-Huerta for Spanish. */
export function readabilityOf(text: string, language: "en" | "es"): Readability {
  if (language === "es") return fernandezHuerta(text);
  const grade = fleschKincaidGrade(text);
  return { formula: "FLESCH_KINCAID", score: grade, grade };
}
