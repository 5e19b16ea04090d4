import { readFileSync } from "node:fs";
import { join } from "node:path";

// The two law tables the project keeps, read by tests straight from the files (never through the
// code under test), and DESIGN §5/§9's mapping restated here so that a change of law is a change
// of data: the tests follow the files.

export interface LawRow {
  law: string;
  effectiveDate: string;
  sensitiveDataConsent: "opt-in" | "opt-out" | "limit" | null;
  universalOptOutRequired: boolean | null;
  universalOptOutFrom?: string | null;
  responseDays: number | null;
  extensionDays: number | null;
  minorOptInAge?: number | null;
  optInForSaleAndAdvertising?: boolean;
}

const read = (name: string) => JSON.parse(readFileSync(join(__dirname, "..", "..", "catalog", name), "utf8"));
const usStates = read("us-state-laws.json") as Array<LawRow & { state: string }>;
const world = read("world-privacy-laws.json") as { regions: Array<LawRow & { code: string; covers: string[] }> };

/** The row that governs a code: its state's, or the world region that covers it; undefined when neither table has one. */
export function lawRow(code: string): LawRow | undefined {
  if (code.startsWith("US-")) return usStates.find((s) => `US-${s.state}` === code);
  return world.regions.find((r) => r.code === code || r.covers.includes(code));
}

/** What the Jurisdiction type must answer for a code, from the data (DESIGN §5, §9). */
export function expectedRules(code: string, today = new Date().toISOString().slice(0, 10)) {
  const row = lawRow(code);
  const inForce = row !== undefined && row.effectiveDate <= today;
  if (!row || !inForce)
    return {
      inForce: false,
      sensitiveDataMode: "OPT_IN",
      honorsGlobalPrivacyControl: true,
      requestResponseDays: 45,
      requestExtensionDays: null,
      minorOptInAge: 18,
      optInForSaleAndAdvertising: true,
      everythingOptIn: true,
    };
  const from = row.universalOptOutFrom ?? null;
  return {
    inForce: true,
    sensitiveDataMode:
      row.sensitiveDataConsent === "opt-out" || row.sensitiveDataConsent === "limit" ? "OPT_OUT" : "OPT_IN",
    honorsGlobalPrivacyControl: row.universalOptOutRequired !== false && (from === null || from <= today),
    requestResponseDays: row.responseDays ?? 45,
    requestExtensionDays: row.extensionDays,
    minorOptInAge: row.minorOptInAge ?? null,
    optInForSaleAndAdvertising: row.optInForSaleAndAdvertising ?? false,
    everythingOptIn: false,
  };
}

export interface CatalogPurpose {
  key: string;
  defaultMode: string;
  regulatedUses: string[];
  dpvIri: string | null;
  dataCategories: Array<{ sensitive: boolean }>;
}

export const PURPOSE_FIELDS = "{ key defaultMode regulatedUses dpvIri dataCategories { sensitive } }";

const SALE_AND_ADS = ["SALE", "TARGETED_ADVERTISING", "CROSS_CONTEXT_BEHAVIORAL_ADVERTISING"];
export const isSaleOrAds = (p: CatalogPurpose) => p.regulatedUses.some((u) => SALE_AND_ADS.includes(u));
/** Sale and ads, and profiling whose DPV purpose is marketing or advertising. */
export const isAdvertising = (p: CatalogPurpose) =>
  isSaleOrAds(p) || (p.regulatedUses.includes("PROFILING") && /(Marketing|Advertising)$/.test(p.dpvIri ?? ""));

/** A purpose's default status for a person under these rules, who is not a minor. */
export function expectedDefault(p: CatalogPurpose, rules: ReturnType<typeof expectedRules>): "GRANTED" | "DENIED" {
  if (p.defaultMode === "ESSENTIAL") return "GRANTED";
  if (rules.everythingOptIn) return "DENIED";
  if (rules.optInForSaleAndAdvertising && isAdvertising(p)) return "DENIED";
  if (rules.sensitiveDataMode === "OPT_IN" && p.dataCategories.some((c) => c.sensitive)) return "DENIED";
  return p.defaultMode === "OPT_OUT" ? "GRANTED" : "DENIED";
}

/** What GPC objects to under these rules (DESIGN §5; Art. 21(5) GDPR where ads are opt-in). */
export const gpcCovers = (p: CatalogPurpose, rules: ReturnType<typeof expectedRules>) =>
  p.defaultMode !== "ESSENTIAL" && (rules.optInForSaleAndAdvertising ? isAdvertising(p) : isSaleOrAds(p));
