import { isISO31661Alpha2 } from "class-validator";
import usStateLaws from "../../../catalog/us-state-laws.json";
import worldLaws from "../../../catalog/world-privacy-laws.json";
import { US_PLACES } from "./place-names";

// The two law tables the project keeps (catalog/us-state-laws.json and
// catalog/world-privacy-laws.json, copies of ../shared/data), read into one shape. A change of
// law is a change of these files, never of code.

/** One law as Candor applies it, whichever table it comes from. */
export interface PrivacyLaw {
  /** The code the table names it by: US-CA, EU, GB, BR, CA-QC. */
  code: string;
  law: string;
  effectiveDate: string;
  sensitiveDataConsent: "opt-in" | "opt-out" | "limit" | null;
  universalOptOutRequired: boolean | null;
  universalOptOutFrom: string | null;
  responseDays: number | null;
  extensionDays: number | null;
  minorOptInAge: number | null;
  /** Sale and advertising need a yes first (GDPR-style); the US tables are opt-out laws. */
  optInForSaleAndAdvertising: boolean;
}

interface StateRow {
  state: string;
  law: string;
  effectiveDate: string;
  sensitiveDataConsent: PrivacyLaw["sensitiveDataConsent"];
  universalOptOutRequired: boolean | null;
  universalOptOutFrom: string | null;
  responseDays: number | null;
  extensionDays: number | null;
  minorOptInAge?: number | null;
}

interface RegionRow {
  code: string;
  covers: string[];
  law: string;
  effectiveDate: string;
  sensitiveDataConsent: PrivacyLaw["sensitiveDataConsent"];
  optInForSaleAndAdvertising: boolean;
  universalOptOutRequired: boolean | null;
  responseDays: number | null;
  extensionDays: number | null;
  minorOptInAge: number | null;
}

const US_SUBDIVISIONS = Object.keys(US_PLACES);

const fromState = (row: StateRow): PrivacyLaw => ({
  code: `US-${row.state}`,
  law: row.law,
  effectiveDate: row.effectiveDate,
  sensitiveDataConsent: row.sensitiveDataConsent,
  universalOptOutRequired: row.universalOptOutRequired,
  universalOptOutFrom: row.universalOptOutFrom,
  responseDays: row.responseDays,
  extensionDays: row.extensionDays,
  minorOptInAge: row.minorOptInAge ?? null,
  optInForSaleAndAdvertising: false,
});

const fromRegion = (row: RegionRow): PrivacyLaw => ({
  code: row.code,
  law: row.law,
  effectiveDate: row.effectiveDate,
  sensitiveDataConsent: row.sensitiveDataConsent,
  universalOptOutRequired: row.universalOptOutRequired,
  universalOptOutFrom: null,
  responseDays: row.responseDays,
  extensionDays: row.extensionDays,
  minorOptInAge: row.minorOptInAge,
  optInForSaleAndAdvertising: row.optInForSaleAndAdvertising,
});

/** Every code a law applies to: US-XX by state; each country a region covers (DE → the EU's), and the region's own code. */
const LAWS = new Map<string, PrivacyLaw>([
  ...(usStateLaws as StateRow[]).map((row) => [`US-${row.state}`, fromState(row)] as const),
  ...(worldLaws.regions as RegionRow[]).flatMap((row) => {
    const law = fromRegion(row);
    return [row.code, ...row.covers].map((code) => [code, law] as const);
  }),
]);

/** The code of every law in the tables, once each (US-CA, EU, GB, …; not every country a region covers). */
export const lawCodes = (): string[] => [...new Set([...LAWS.values()].map((l) => l.code))];

/** The law that applies to a code (its own, or its region's), if either table has one. */
export const lawFor = (code: string): PrivacyLaw | undefined => LAWS.get(code);

/**
 * A code that names a place: a US state or territory (US-NY), an ISO 3166-1 alpha-2 country
 * (upper case, officially assigned), or a region of the world table (EU, CA-QC). A place without
 * a law in the tables is valid and gets the strict UNKNOWN rules.
 */
export function isPlaceCode(code: string): boolean {
  if (LAWS.has(code)) return true;
  if (code.startsWith("US-")) return US_SUBDIVISIONS.includes(code.slice(3));
  return /^[A-Z]{2}$/.test(code) && isISO31661Alpha2(code);
}

/** The US or one of its states and territories. */
export const isUsPlace = (code: string): boolean => code === "US" || code.startsWith("US-");
