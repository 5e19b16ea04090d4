import { registerEnumType } from "type-graphql";

/** What the business knows of a person's age. Stored as these strings; null in the table is UNKNOWN. */
export enum AgeBracket {
  UNDER_13 = "UNDER_13",
  AGE_13_15 = "AGE_13_15",
  AGE_16_17 = "AGE_16_17",
  ADULT = "ADULT",
  UNKNOWN = "UNKNOWN",
}

registerEnumType(AgeBracket, {
  name: "AgeBracket",
  description:
    "What the business knows of a person's age; minors get opt-in defaults under their jurisdiction's rules.",
  valuesConfig: {
    UNDER_13: { description: "A child: every profiling purpose is off, whatever anyone chose." },
    UNKNOWN: { description: "Not known: the rules for adults apply." },
  },
});

/** The youngest age in each bracket; null when unknown. */
const LOWEST_AGE: Record<AgeBracket, number | null> = {
  [AgeBracket.UNDER_13]: 0,
  [AgeBracket.AGE_13_15]: 13,
  [AgeBracket.AGE_16_17]: 16,
  [AgeBracket.ADULT]: 18,
  [AgeBracket.UNKNOWN]: null,
};

/** The age under which US law (COPPA) and every table's strictest rule treat a person as a child. */
export const CHILD_AGE = 13;

/** DESIGN §9: a bracket counts as a minor when its lowest age is below the jurisdiction's `minorOptInAge`. */
export function isMinor(bracket: AgeBracket, minorOptInAge: number | null): boolean {
  const lowest = LOWEST_AGE[bracket];
  return lowest !== null && minorOptInAge !== null && lowest < minorOptInAge;
}

/** Under 13 wherever the person lives. */
export const isChild = (bracket: AgeBracket): boolean => isMinor(bracket, CHILD_AGE);
