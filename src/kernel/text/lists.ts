/** "a", "a and b", "a, b and c": a list in a sentence, with the language's "and". */
export const andList = (items: readonly string[], and = "and"): string =>
  items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} ${and} ${items[items.length - 1]}`;
