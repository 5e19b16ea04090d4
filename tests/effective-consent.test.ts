import { AgeBracket } from "../src/modules/catalog/age-bracket";
import { ConsentMode, RegulatedUse } from "../src/modules/catalog/catalog.enums";
import { findJurisdiction, rulesFor } from "../src/modules/catalog/jurisdiction";
import { ConsentSource, ConsentStatus } from "../src/modules/consent/consent.enums";
import {
  effectiveConsent,
  type ExplicitChoice,
  type PersonFacts,
  type PurposeFacts,
} from "../src/modules/consent/effective-consent";

// DESIGN §5's four rules, each on its own, for California, Colorado, Utah and an unknown place,
// with CANDOR_GPC_SCOPE both ways.
const purpose = (
  defaultMode: ConsentMode,
  regulatedUses: RegulatedUse[] = [],
  usesSensitiveData = false,
  profilingForAds = false,
): PurposeFacts => ({ id: "p", defaultMode, regulatedUses, usesSensitiveData, profilingForAds });
const essential = purpose(ConsentMode.ESSENTIAL);
const sale = purpose(ConsentMode.OPT_OUT, [RegulatedUse.SALE]);
const ads = purpose(ConsentMode.OPT_OUT, [RegulatedUse.TARGETED_ADVERTISING]);
const profiling = purpose(ConsentMode.OPT_OUT, [RegulatedUse.PROFILING]);
const optIn = purpose(ConsentMode.OPT_IN, [RegulatedUse.PROFILING]);
const sensitive = purpose(ConsentMode.OPT_OUT, [RegulatedUse.SENSITIVE_DATA], true);
const marketing = purpose(ConsentMode.OPT_OUT, [RegulatedUse.PROFILING], false, true);

const gpcAt = new Date("2026-06-01T00:00:00Z");
const person = (code: string, gpc = false, ageBracket = AgeBracket.UNKNOWN): PersonFacts => ({
  rules: rulesFor(code, null),
  ageBracket,
  gpc,
  gpcAt: gpc ? gpcAt : null,
});
const choice = (status: ConsentStatus, at: Date, extra: Partial<ExplicitChoice> = {}): ExplicitChoice => ({
  status,
  source: ConsentSource.USER,
  gpcOverridden: false,
  updatedAt: at,
  policyVersion: 1,
  ...extra,
});
const result = (
  p: PurposeFacts,
  who: PersonFacts,
  c?: ExplicitChoice,
  scope: "everywhere" | "required" = "everywhere",
) => {
  const e = effectiveConsent(p, who, c, scope);
  return `${e.status}/${e.source}${e.gpcOverridden ? "/overridden" : ""}`;
};

const PLACES = ["US-CA", "US-CO", "US-UT", "US-ZZ"];

describe("Effective consent: the law data of each jurisdiction", () => {
  it("maps the law data as DESIGN §5 says", () => {
    expect(rulesFor("US-CA", null)).toMatchObject({
      code: "US-CA",
      sensitiveDataMode: ConsentMode.OPT_OUT,
      honorsGlobalPrivacyControl: true,
    });
    expect(rulesFor("US-CO", null)).toMatchObject({
      sensitiveDataMode: ConsentMode.OPT_IN,
      honorsGlobalPrivacyControl: true,
    });
    expect(rulesFor("US-UT", null)).toMatchObject({
      sensitiveDataMode: ConsentMode.OPT_OUT,
      honorsGlobalPrivacyControl: false,
    });
    expect(rulesFor("US-ZZ", null)).toMatchObject({
      code: "UNKNOWN",
      sensitiveDataMode: ConsentMode.OPT_IN,
      honorsGlobalPrivacyControl: true,
      requestResponseDays: 45,
    });
    expect(rulesFor(null, "US-CO").code).toBe("US-CO");
    // Colorado honors GPC only from 2024-07-01; before its law took effect, it was UNKNOWN.
    expect(findJurisdiction("US-CO", new Date("2024-03-01"))!.honorsGlobalPrivacyControl).toBe(false);
    expect(findJurisdiction("US-CO", new Date("2023-03-01"))!.inForce).toBe(false);
  });
});

describe("Effective consent, rule 1: essential purposes", () => {
  it.each(PLACES)("are always GRANTED by default in %s, whatever was chosen or signalled", (code) => {
    expect(result(essential, person(code))).toBe("GRANTED/DEFAULT");
    expect(result(essential, person(code, true), choice(ConsentStatus.DENIED, new Date()))).toBe("GRANTED/DEFAULT");
  });
});

describe("Effective consent, rule 2: Global Privacy Control", () => {
  it.each(PLACES)("denies sale and advertising in %s when applied everywhere, over an earlier grant", (code) => {
    const earlier = choice(ConsentStatus.GRANTED, new Date("2026-01-01"));
    expect(result(sale, person(code, true), earlier)).toBe("DENIED/GLOBAL_PRIVACY_CONTROL");
    expect(result(ads, person(code, true))).toBe("DENIED/GLOBAL_PRIVACY_CONTROL");
    // Profiling is not what GPC objects to: it keeps its default (off only where the place is unknown).
    expect(result(profiling, person(code, true))).toBe(code === "US-ZZ" ? "DENIED/DEFAULT" : "GRANTED/DEFAULT");
  });

  it("in an opt-in place (the EU) is an objection to profiling for ads too, not to other profiling", () => {
    const earlier = choice(ConsentStatus.GRANTED, new Date("2026-01-01"));
    expect(result(marketing, person("DE", true), earlier)).toBe("DENIED/GLOBAL_PRIVACY_CONTROL");
    expect(result(marketing, person("US-CA", true), earlier)).toBe("GRANTED/USER");
    expect(result(profiling, person("DE", true), earlier)).toBe("GRANTED/USER");
  });

  it("with scope 'required', applies only where the law requires it (California, Colorado, unknown; not Utah)", () => {
    expect(result(sale, person("US-CA", true), undefined, "required")).toBe("DENIED/GLOBAL_PRIVACY_CONTROL");
    expect(result(sale, person("US-CO", true), undefined, "required")).toBe("DENIED/GLOBAL_PRIVACY_CONTROL");
    expect(result(sale, person("US-ZZ", true), undefined, "required")).toBe("DENIED/GLOBAL_PRIVACY_CONTROL");
    expect(result(sale, person("US-UT", true), undefined, "required")).toBe("GRANTED/DEFAULT");
  });

  it("yields to a grant the person confirmed after the signal, and only then", () => {
    const after = choice(ConsentStatus.GRANTED, new Date("2026-07-01"), { gpcOverridden: true });
    const before = choice(ConsentStatus.GRANTED, new Date("2026-05-01"), { gpcOverridden: true });
    const unconfirmed = choice(ConsentStatus.GRANTED, new Date("2026-07-01"));
    expect(result(sale, person("US-CA", true), after)).toBe("GRANTED/USER/overridden");
    expect(result(sale, person("US-CA", true), before)).toBe("DENIED/GLOBAL_PRIVACY_CONTROL");
    expect(result(sale, person("US-CA", true), unconfirmed)).toBe("DENIED/GLOBAL_PRIVACY_CONTROL");
  });
});

describe("Effective consent, rule 3: the latest explicit choice", () => {
  it.each(PLACES)("stands in %s without GPC, with its own source", (code) => {
    expect(result(sale, person(code), choice(ConsentStatus.DENIED, new Date()))).toBe("DENIED/USER");
    expect(
      result(optIn, person(code), choice(ConsentStatus.GRANTED, new Date(), { source: ConsentSource.SERVICE })),
    ).toBe("GRANTED/SERVICE");
    expect(
      result(sensitive, person(code), choice(ConsentStatus.GRANTED, new Date(), { source: ConsentSource.ADMIN })),
    ).toBe("GRANTED/ADMIN");
  });
});

describe("Effective consent, rule 4: defaults", () => {
  it.each(PLACES.filter((code) => code !== "US-ZZ"))("OPT_OUT purposes are on and OPT_IN ones off in %s", (code) => {
    expect(result(profiling, person(code))).toBe("GRANTED/DEFAULT");
    expect(result(optIn, person(code))).toBe("DENIED/DEFAULT");
  });

  it("an unknown place (DESIGN §9) starts every refusable purpose off; essential ones stay on", () => {
    for (const p of [profiling, optIn, sale, ads, sensitive, marketing])
      expect(result(p, person("US-ZZ"))).toBe("DENIED/DEFAULT");
    expect(result(essential, person("US-ZZ"))).toBe("GRANTED/DEFAULT");
  });

  it("an opt-in law (GDPR) starts sale, ads and profiling for ads off, and other OPT_OUT purposes on", () => {
    for (const p of [sale, ads, marketing]) expect(result(p, person("FR"))).toBe("DENIED/DEFAULT");
    expect(result(profiling, person("FR"))).toBe("GRANTED/DEFAULT");
    expect(result(sale, person("FR"), choice(ConsentStatus.GRANTED, new Date()))).toBe("GRANTED/USER");
  });

  it("a minor under the place's age starts sale and ads off; a child under 13 is never profiled", () => {
    // California's minorOptInAge is 16: 13-15 is a minor there, 16-17 is not.
    expect(result(sale, person("US-CA", false, AgeBracket.AGE_13_15))).toBe("DENIED/DEFAULT");
    expect(result(ads, person("US-CA", false, AgeBracket.AGE_13_15))).toBe("DENIED/DEFAULT");
    expect(result(profiling, person("US-CA", false, AgeBracket.AGE_13_15))).toBe("GRANTED/DEFAULT");
    expect(result(sale, person("US-CA", false, AgeBracket.AGE_16_17))).toBe("GRANTED/DEFAULT");
    const granted = choice(ConsentStatus.GRANTED, new Date());
    expect(result(sale, person("US-CA", false, AgeBracket.AGE_13_15), granted)).toBe("GRANTED/USER");
    expect(result(profiling, person("US-CA", false, AgeBracket.UNDER_13), granted)).toBe("DENIED/DEFAULT");
    expect(result(ads, person("US-CA", true, AgeBracket.UNDER_13), granted)).toBe("DENIED/DEFAULT");
  });

  it("sensitive data is off by default where the law needs opt-in (Colorado) or the place is unknown; on in California and Utah", () => {
    expect(result(sensitive, person("US-CO"))).toBe("DENIED/DEFAULT");
    expect(result(sensitive, person("US-ZZ"))).toBe("DENIED/DEFAULT");
    expect(result(sensitive, person("US-CA"))).toBe("GRANTED/DEFAULT");
    expect(result(sensitive, person("US-UT"))).toBe("GRANTED/DEFAULT");
  });
});
