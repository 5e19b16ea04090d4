import { Directive, Field, Int, ObjectType } from "type-graphql";
import { CATALOG_CACHE } from "../../kernel/graphql/cache";
import { ConsentMode } from "./catalog.enums";
import { isPlaceCode, lawFor, type PrivacyLaw } from "./privacy-laws";

// The rules of DESIGN §5 and §9 for a place, from the two law tables (privacy-laws.ts): a place
// without a law in force is UNKNOWN and treated strictly.

export const UNKNOWN_JURISDICTION = "UNKNOWN";
const STRICT_RESPONSE_DAYS = 45;
/** Strict: anyone known to be under 18 is a minor where no law in force says otherwise. */
const STRICT_MINOR_OPT_IN_AGE = 18;

@Directive(CATALOG_CACHE)
@ObjectType({ description: "The privacy rules Candor applies to people in one place, today." })
export class Jurisdiction {
  @Field({
    description: "e.g. US-CA, DE (under the EU's rules), CA-QC; UNKNOWN when no law in force applies.",
  })
  code: string;

  @Field(() => String, { nullable: true })
  law: string | null;

  @Field({ description: "False for a law passed but not yet in force: until then Candor treats the place as UNKNOWN." })
  inForce: boolean;

  @Field(() => String, { nullable: true, description: "When the law takes or took effect (YYYY-MM-DD)." })
  effectiveDate: string | null;

  @Field(() => ConsentMode, { description: "OPT_IN when sensitive data needs a yes first." })
  sensitiveDataMode: ConsentMode;

  @Field({ description: "Whether a Global Privacy Control signal must be honored as an opt-out here today." })
  honorsGlobalPrivacyControl: boolean;

  @Field(() => Int)
  requestResponseDays: number;

  @Field(() => Int, { nullable: true })
  requestExtensionDays: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "Age under which sale and targeted advertising need the person's (or a parent's) opt-in; null when the law sets none. UNKNOWN uses 18.",
  })
  minorOptInAge: number | null;

  @Field({
    description:
      "Whether sale, sharing for advertising and targeted advertising need opt-in consent (as under the GDPR), rather than allowing opt-out.",
  })
  optInForSaleAndAdvertising: boolean;

  /** UNKNOWN (DESIGN §9): every purpose that can be refused starts DENIED. Not in the schema. */
  optInForEverything: boolean;
}

const day = (at: Date) => at.toISOString().slice(0, 10);

function strict(code: string, law: PrivacyLaw | null): Jurisdiction {
  return Object.assign(new Jurisdiction(), {
    code,
    law: law?.law ?? null,
    inForce: false,
    effectiveDate: law?.effectiveDate ?? null,
    sensitiveDataMode: ConsentMode.OPT_IN,
    honorsGlobalPrivacyControl: true,
    requestResponseDays: STRICT_RESPONSE_DAYS,
    requestExtensionDays: null,
    minorOptInAge: STRICT_MINOR_OPT_IN_AGE,
    optInForSaleAndAdvertising: true,
    optInForEverything: true,
  });
}

/** The rules in force for `code` at `at`; null for a code that names no place. */
export function findJurisdiction(code: string, at: Date = new Date()): Jurisdiction | null {
  if (code === UNKNOWN_JURISDICTION) return strict(UNKNOWN_JURISDICTION, null);
  const law = lawFor(code);
  if (!law) return isPlaceCode(code) ? strict(code, null) : null;
  if (law.effectiveDate > day(at)) return strict(code, law);
  const gpcRequired =
    law.universalOptOutRequired !== false && (law.universalOptOutFrom === null || law.universalOptOutFrom <= day(at));
  return Object.assign(new Jurisdiction(), {
    code,
    law: law.law,
    inForce: true,
    effectiveDate: law.effectiveDate,
    sensitiveDataMode:
      law.sensitiveDataConsent === "opt-out" || law.sensitiveDataConsent === "limit"
        ? ConsentMode.OPT_OUT
        : ConsentMode.OPT_IN,
    honorsGlobalPrivacyControl: gpcRequired,
    requestResponseDays: law.responseDays ?? STRICT_RESPONSE_DAYS,
    requestExtensionDays: law.extensionDays,
    minorOptInAge: law.minorOptInAge,
    optInForSaleAndAdvertising: law.optInForSaleAndAdvertising,
    optInForEverything: false,
  });
}

/** The rules for a person: their code if it names a law in force, else UNKNOWN (or the configured default). */
export function rulesFor(
  code: string | null | undefined,
  defaultCode: string | null,
  at: Date = new Date(),
): Jurisdiction {
  const own = code ? findJurisdiction(code, at) : null;
  if (own?.inForce) return own;
  const fallback = defaultCode ? findJurisdiction(defaultCode, at) : null;
  return fallback?.inForce ? fallback : strict(UNKNOWN_JURISDICTION, null);
}
