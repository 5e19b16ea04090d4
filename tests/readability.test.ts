import { countSpanishSyllables, fernandezHuerta, readabilityOf } from "../src/kernel/text/readability";

describe("Readability: each language graded by the formula made for it", () => {
  it("counts Spanish syllables, diphthongs as one and hiatus as two", () => {
    expect(["camiseta", "puerta", "día", "leer", "ahora", "tú"].map(countSpanishSyllables)).toEqual([4, 2, 2, 2, 3, 1]);
  });

  it("grades Spanish with Fernández-Huerta and English with Flesch-Kincaid", () => {
    // 4 words, 1 sentence, 8 syllables: 206.84 − 0.60·200 − 1.02·4 = 82.76; grade 4 + 17.24/10.
    expect(fernandezHuerta("Te gusta esta mochila.")).toEqual({ formula: "FERNANDEZ_HUERTA", score: 82.8, grade: 5.7 });
    // Shorter sentences read easier, as in Flesch's formula (words per sentence, not sentences per 100 words).
    const long = fernandezHuerta("Te gusta esta mochila y la llevas a la montaña cada semana con tus amigos.");
    const short = fernandezHuerta("Te gusta esta mochila. La llevas a la montaña. Vas cada semana con tus amigos.");
    expect(short.score).toBeGreaterThan(long.score);
    expect(readabilityOf("We showed you this tent.", "en").formula).toBe("FLESCH_KINCAID");
  });
});
