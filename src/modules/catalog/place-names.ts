import type { Locale } from "../../kernel/text/locale";

// Places in words, for sentences people read: US-IA → Iowa, CA-QC → Quebec, EU → the European
// Union, a country code by its name (Intl), in English or Spanish.

/** ISO 3166-2:US: the states, DC and the outlying areas, by code. */
export const US_PLACES: Record<string, string> = {
  AL: "Alabama",
  AK: "Alaska",
  AZ: "Arizona",
  AR: "Arkansas",
  CA: "California",
  CO: "Colorado",
  CT: "Connecticut",
  DE: "Delaware",
  DC: "the District of Columbia",
  FL: "Florida",
  GA: "Georgia",
  HI: "Hawaii",
  ID: "Idaho",
  IL: "Illinois",
  IN: "Indiana",
  IA: "Iowa",
  KS: "Kansas",
  KY: "Kentucky",
  LA: "Louisiana",
  ME: "Maine",
  MD: "Maryland",
  MA: "Massachusetts",
  MI: "Michigan",
  MN: "Minnesota",
  MS: "Mississippi",
  MO: "Missouri",
  MT: "Montana",
  NE: "Nebraska",
  NV: "Nevada",
  NH: "New Hampshire",
  NJ: "New Jersey",
  NM: "New Mexico",
  NY: "New York",
  NC: "North Carolina",
  ND: "North Dakota",
  OH: "Ohio",
  OK: "Oklahoma",
  OR: "Oregon",
  PA: "Pennsylvania",
  RI: "Rhode Island",
  SC: "South Carolina",
  SD: "South Dakota",
  TN: "Tennessee",
  TX: "Texas",
  UT: "Utah",
  VT: "Vermont",
  VA: "Virginia",
  WA: "Washington",
  WV: "West Virginia",
  WI: "Wisconsin",
  WY: "Wyoming",
  AS: "American Samoa",
  GU: "Guam",
  MP: "the Northern Mariana Islands",
  PR: "Puerto Rico",
  UM: "the U.S. Minor Outlying Islands",
  VI: "the U.S. Virgin Islands",
};

/** Where Spanish names a state otherwise. */
const US_STATES_ES: Record<string, string> = {
  DC: "el Distrito de Columbia",
  HI: "Hawái",
  LA: "Luisiana",
  MI: "Míchigan",
  NH: "Nuevo Hampshire",
  NJ: "Nueva Jersey",
  NM: "Nuevo México",
  NY: "Nueva York",
  NC: "Carolina del Norte",
  ND: "Dakota del Norte",
  OR: "Oregón",
  PA: "Pensilvania",
  SC: "Carolina del Sur",
  SD: "Dakota del Sur",
  WV: "Virginia Occidental",
};

const REGIONS = {
  en: new Intl.DisplayNames(["en"], { type: "region" }),
  es: new Intl.DisplayNames(["es"], { type: "region" }),
};

/** A jurisdiction's place in words: US-IA → Iowa, CA-QC → Quebec, EU → the European Union. */
export function placeName(code: string, lang: Locale = "en"): string {
  if (code.startsWith("US-")) {
    const state = code.slice(3);
    return (lang === "es" ? US_STATES_ES[state] : undefined) ?? US_PLACES[state] ?? code;
  }
  const special: Record<string, [string, string]> = {
    "CA-QC": ["Quebec", "Quebec"],
    EU: ["the European Union", "la Unión Europea"],
    GB: ["the United Kingdom", "el Reino Unido"],
  };
  if (special[code]) return special[code][lang === "es" ? 1 : 0];
  try {
    return REGIONS[lang].of(code) ?? code;
  } catch {
    return code;
  }
}
