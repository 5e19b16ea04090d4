import { countSpanishSyllables, fernandezHuerta, readabilityOf } from "../src/kernel/text/readability";

describe("Readability: each language graded by the formula made for it", () => {
  it("counts Spanish syllables, diphthongs as one and hiatus as two", () => {
    expect(["camiseta", "puerta", "día", "leer", "ahora", "tú"].map(countSpanishSyllables)).toEqual([4, 2, 2, 2, 3, 1]);
  });

  it("grades Spanish with Fernández-Huerta and English with Flesch-Kincaid", () => {
    // 4 words, 1 sentence, 8 syllables: 206.84 − 0.60·200 − 1.02·25 = 61.34; grade 4 + 38.66/10.
    expect(fernandezHuerta("Te gusta esta mochila.")).toEqual({ formula: "FERNANDEZ_HUERTA", score: 61.3, grade: 7.9 });
    expect(readabilityOf("We showed you this tent.", "en").formula).toBe("FLESCH_KINCAID");
  });
});
