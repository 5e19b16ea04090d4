import { Directive, Field, Int, ObjectType } from "type-graphql";
import { CATALOG_CACHE } from "../../kernel/graphql/cache";
import laws from "../../../catalog/us-state-laws.json";
import { ConsentMode } from "./catalog.enums";

// US state privacy laws, from catalog/us-state-laws.json (researched, with sources). The rules of
// DESIGN §5: a code not in the data, or a law not yet in force, is UNKNOWN and treated strictly.

export const UNKNOWN_JURISDICTION = "UNKNOWN";
const STRICT_RESPONSE_DAYS = 45;

interface StateLaw {
  state: string;
  law: string;
  effectiveDate: string;
  sensitiveDataConsent: "opt-in" | "opt-out" | "limit" | null;
  universalOptOutRequired: boolean | null;
  universalOptOutFrom: string | null;
  responseDays: number | null;
  extensionDays: number | null;
}

@Directive(CATALOG_CACHE)
@ObjectType({ description: "The privacy rules Candor applies to people in one place, today." })
export class Jurisdiction {
  @Field({ description: "e.g. US-CA; UNKNOWN when no law in force applies." })
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
}

const LAWS = new Map((laws as StateLaw[]).map((l) => [`US-${l.state}`, l]));

const day = (at: Date) => at.toISOString().slice(0, 10);

function strict(code: string, law: StateLaw | null): Jurisdiction {
  return Object.assign(new Jurisdiction(), {
    code,
    law: law?.law ?? null,
    inForce: false,
    effectiveDate: law?.effectiveDate ?? null,
    sensitiveDataMode: ConsentMode.OPT_IN,
    honorsGlobalPrivacyControl: true,
    requestResponseDays: STRICT_RESPONSE_DAYS,
    requestExtensionDays: null,
  });
}

/** The rules in force for `code` at `at`; null for a code that names no known place. */
export function findJurisdiction(code: string, at: Date = new Date()): Jurisdiction | null {
  if (code === UNKNOWN_JURISDICTION) return strict(UNKNOWN_JURISDICTION, null);
  const law = LAWS.get(code);
  if (!law) return null;
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

export const knownJurisdictionCodes = (): string[] => [...LAWS.keys()];
