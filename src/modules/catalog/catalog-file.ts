import { parse } from "yaml";
import { z } from "zod";
import {
  ConsentMode,
  DecisionKind,
  HumanInvolvement,
  LegalBasis,
  PartnerRole,
  RecommenderMode,
  RegulatedUse,
  Safeguard,
} from "./catalog.enums";
import { TRANSLATED_LOCALES } from "../../kernel/text/locale";

// The catalog-as-code file format (documented in catalog/README.md): its shape, checked with zod,
// then its references and the consistency rules of DESIGN §5, each problem named by entry.

const key = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,119}$/, "must be a lowercase key (letters, digits, . _ -), at most 120 characters");
const text = (max: number) =>
  z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);
const url = z
  .string()
  .max(500)
  .regex(/^https?:\/\/\S+$/, "must be an http(s) URL");
const day = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const d = v instanceof Date ? v : new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: "custom", message: "must be a date (YYYY-MM-DD) or an ISO date-time" });
    return z.NEVER;
  }
  return d;
});
const days = z.number().int().min(1).max(36500);
const country = z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code, e.g. US");

const missing = (what: string) => (issue: { input?: unknown }) => (issue.input === undefined ? what : undefined);
/** A translated text: required, so that a person never reads a mix of two languages. */
const translatedText = (max: number) =>
  z
    .string({ error: missing("must be translated") })
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`);
/**
 * `translations: { es: { … } }`: the entry's texts in every supported locale besides English (the
 * entry's own language). `catalog apply` refuses an entry without them.
 */
const translations = <S extends z.ZodRawShape>(shape: S) =>
  z.strictObject(
    Object.fromEntries(
      TRANSLATED_LOCALES.map((l) => [l, z.strictObject(shape, { error: missing(`must give the texts in "${l}"`) })]),
    ) as Record<(typeof TRANSLATED_LOCALES)[number], z.ZodObject<S>>,
    { error: missing(`must give translations for ${TRANSLATED_LOCALES.join(", ")} (every supported locale)`) },
  );
const list = <T extends z.ZodTypeAny>(item: T, max: number) =>
  z.array(item).max(max, `must have at most ${max} entries`);

const dataCategory = z.strictObject({
  key,
  name: text(200),
  description: text(2000),
  sensitive: z.boolean().default(false),
  usableWithoutProfiling: z.boolean().default(false),
  translations: translations({ name: translatedText(200), description: translatedText(2000) }),
  retentionDays: days.nullable().optional(),
  dpvIri: url.nullable().optional(),
  gppSensitiveSlot: z.number().int().min(1).max(16).nullable().optional(),
});

const purpose = z.strictObject({
  key,
  name: text(200),
  description: text(2000),
  benefit: text(2000),
  translations: translations({
    name: translatedText(200),
    description: translatedText(2000),
    benefit: translatedText(2000),
  }),
  legalBasis: z.enum(LegalBasis),
  defaultMode: z.enum(ConsentMode),
  regulatedUses: list(z.enum(RegulatedUse), 5).default([]),
  dataCategories: list(key, 100).default([]),
  dpvIri: url.nullable().optional(),
});

const personalizationLevel = z.strictObject({
  level: z.number().int().min(0).max(20),
  name: text(200),
  description: text(2000),
  translations: translations({ name: translatedText(200), description: translatedText(2000) }),
  purposes: list(key, 200).default([]),
});

const mainParameter = z.strictObject({ name: text(200), description: text(1000) });
const translatedParameter = z.strictObject({ name: translatedText(200), description: translatedText(1000) });

const surface = z.strictObject({
  key,
  name: text(200),
  description: text(2000),
  mainParameters: list(mainParameter, 20).min(1, "must name at least one main parameter"),
  translations: translations({
    name: translatedText(200),
    description: translatedText(2000),
    mainParameters: list(translatedParameter, 20),
  }),
  modes: list(z.enum(RecommenderMode), 2).min(1, "must offer at least one mode"),
});

const algorithmVersion = z.strictObject({
  version: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/, "must be 1-40 letters, digits, dots, dashes or underscores"),
  name: text(200),
  decisionKinds: list(z.enum(DecisionKind), 7).min(1),
  plainLanguageLogic: text(4000),
  translations: translations({
    name: translatedText(200),
    plainLanguageLogic: translatedText(4000),
    evaluation: translatedText(4000).optional(),
  }),
  inputs: list(key, 100).min(1),
  purposes: list(key, 100).min(1),
  humanInvolvement: z.enum(HumanInvolvement),
  evaluation: text(4000).nullable().optional(),
  lastReviewedAt: day.nullable().optional(),
  validFrom: day,
  validTo: day.nullable().optional(),
});

const algorithm = z.strictObject({ key, versions: list(algorithmVersion, 50).min(1) });

const agreement = z.strictObject({
  key,
  purpose: key,
  dataCategories: list(key, 100).min(1),
  reason: text(2000),
  translations: translations({ reason: translatedText(2000) }),
  isSale: z.boolean().default(false),
  isSharingForAdvertising: z.boolean().default(false),
  retentionDays: days.nullable().optional(),
  safeguards: list(z.enum(Safeguard), 8).default([]),
  startedAt: day,
  endedAt: day.nullable().optional(),
});

const partner = z.strictObject({
  key,
  name: text(200),
  role: z.enum(PartnerRole),
  website: url.nullable().optional(),
  privacyPolicyUrl: url.nullable().optional(),
  country,
  iabVendorId: z.number().int().min(1).nullable().optional(),
  agreements: list(agreement, 100).default([]),
});

const policy = z.strictObject({
  version: z.number().int().min(1),
  effectiveAt: day,
  summary: text(4000),
  translations: translations({ summary: translatedText(4000) }),
  sections: list(
    z.strictObject({
      key,
      heading: text(200),
      body: text(20000),
      /** Required when the body of a section of the previous version changes: one plain sentence. */
      changeSummary: text(500).optional(),
      translations: translations({ heading: translatedText(200), body: translatedText(20000) }),
    }),
    50,
  ).min(1),
});

/** Who is responsible for the data: named, with its contacts, on every consent receipt (ISO/IEC TS 27560). */
const controller = z.strictObject(
  {
    name: text(200),
    address: text(500),
    email: z.email("must be an email address, e.g. privacy@example.com").max(320),
    url,
    phone: z
      .string()
      .regex(/^\+?[0-9][0-9 ().-]{4,38}$/, "must be a phone number, e.g. +1 303 555 0100")
      .nullable()
      .optional(),
    privacyNoticeUrl: url,
    withdrawalUrl: url,
    rightsUrl: url,
    storageLocations: list(country, 50).min(1, "must name at least one country"),
    processingLocations: list(country, 50).min(1, "must name at least one country").nullable().optional(),
  },
  { error: missing("is required: who is responsible for the data, with its contacts (see catalog/README.md)") },
);

const catalogFile = z.strictObject({
  controller,
  policy,
  dataCategories: list(dataCategory, 500).min(1),
  purposes: list(purpose, 200).min(1),
  personalizationLevels: list(personalizationLevel, 21).default([]),
  surfaces: list(surface, 100).default([]),
  algorithms: list(algorithm, 100).default([]),
  partners: list(partner, 500).default([]),
});

export type CatalogFile = z.infer<typeof catalogFile>;
export type CatalogPurpose = z.infer<typeof purpose>;

/** A bad catalog file: every problem, each naming its entry. Nothing was changed. */
export class CatalogFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
}

/** `purposes[2] (sale-of-data).dataCategories[0]`: where a problem is, readable by the author. */
function entryName(data: unknown, path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  let node: unknown = data;
  for (const part of path) {
    node = (node as Record<PropertyKey, unknown> | undefined)?.[part];
    if (typeof part === "number") {
      out += `[${part}]`;
      const label = node as { key?: unknown; version?: unknown; level?: unknown } | undefined;
      const name = label?.key ?? label?.version ?? label?.level;
      if (typeof name === "string" || typeof name === "number") out += ` (${name})`;
    } else {
      out += out ? `.${String(part)}` : String(part);
    }
  }
  return out || "(file)";
}

export function parseCatalogFile(file: string, source: string): CatalogFile {
  let data: unknown;
  try {
    data = parse(source, { prettyErrors: true });
  } catch (err) {
    throw new CatalogFileError(file, [`not valid YAML: ${(err as Error).message.split("\n")[0]}`]);
  }
  const parsed = catalogFile.safeParse(data);
  if (!parsed.success) {
    throw new CatalogFileError(
      file,
      parsed.error.issues.map((issue) => `${entryName(data, issue.path)}: ${issue.message}`),
    );
  }
  const problems = checkReferences(parsed.data);
  if (problems.length > 0) throw new CatalogFileError(file, problems);
  return parsed.data;
}

function duplicates(values: Array<string | number>): Array<string | number> {
  const seen = new Set<string | number>();
  return values.filter((v) => (seen.has(v) ? true : (seen.add(v), false)));
}

const ADVERTISING = [RegulatedUse.CROSS_CONTEXT_BEHAVIORAL_ADVERTISING, RegulatedUse.TARGETED_ADVERTISING];

/** References between entries, and the consistency rules of DESIGN §5. */
export function checkReferences(c: CatalogFile): string[] {
  const problems: string[] = [];
  const categories = new Map(c.dataCategories.map((d) => [d.key, d]));
  const purposes = new Map(c.purposes.map((p) => [p.key, p]));
  const unknown = (where: string, what: string, keys: string[], known: Map<string, unknown>) => {
    for (const k of keys) if (!known.has(k)) problems.push(`${where}: unknown ${what} "${k}"`);
  };
  const unique = (section: string, values: Array<string | number>) => {
    for (const d of duplicates(values)) problems.push(`${section}: "${d}" appears more than once`);
  };

  unique(
    "dataCategories",
    c.dataCategories.map((d) => d.key),
  );
  unique(
    "purposes",
    c.purposes.map((p) => p.key),
  );
  unique(
    "personalizationLevels",
    c.personalizationLevels.map((l) => l.level),
  );
  unique(
    "surfaces",
    c.surfaces.map((s) => s.key),
  );
  unique(
    "algorithms",
    c.algorithms.map((a) => a.key),
  );
  unique(
    "partners",
    c.partners.map((p) => p.key),
  );
  unique(
    "policy.sections",
    c.policy.sections.map((s) => s.key),
  );

  problems.push(...checkTranslations(c));

  c.dataCategories.forEach((d, i) => {
    if (d.gppSensitiveSlot != null && !d.sensitive) {
      problems.push(`dataCategories[${i}] (${d.key}): gppSensitiveSlot is only for sensitive categories`);
    }
  });

  c.purposes.forEach((p, i) => {
    const where = `purposes[${i}] (${p.key})`;
    unknown(`${where}.dataCategories`, "data category", p.dataCategories, categories);
    unique(`${where}.dataCategories`, p.dataCategories);
    const sensitive = p.dataCategories.filter((k) => categories.get(k)?.sensitive);
    if (sensitive.length > 0 && !p.regulatedUses.includes(RegulatedUse.SENSITIVE_DATA)) {
      problems.push(
        `${where}: uses sensitive data (${sensitive.join(", ")}) so regulatedUses must include SENSITIVE_DATA`,
      );
    }
  });

  const levels = [...c.personalizationLevels].sort((a, b) => a.level - b.level);
  levels.forEach((l, i) => {
    const where = `personalizationLevels (level ${l.level})`;
    unknown(`${where}.purposes`, "purpose", l.purposes, purposes);
    for (const k of l.purposes) {
      if (purposes.get(k)?.defaultMode === ConsentMode.ESSENTIAL)
        problems.push(`${where}: "${k}" is ESSENTIAL, always on; list only purposes a person can refuse`);
    }
    const previous = levels[i - 1];
    const missing = previous ? previous.purposes.filter((k) => !l.purposes.includes(k)) : [];
    if (missing.length > 0)
      problems.push(`${where}: levels are nested, so it must include level ${previous.level}'s ${missing.join(", ")}`);
  });

  c.algorithms.forEach((a, i) => {
    unique(
      `algorithms[${i}] (${a.key}).versions`,
      a.versions.map((v) => v.version),
    );
    const windows = [...a.versions].sort((x, y) => x.validFrom.getTime() - y.validFrom.getTime());
    windows.forEach((v, j) => {
      const where = `algorithms[${i}] (${a.key}) version ${v.version}`;
      unknown(`${where}.inputs`, "data category", v.inputs, categories);
      unknown(`${where}.purposes`, "purpose", v.purposes, purposes);
      if (v.validTo && v.validTo <= v.validFrom) problems.push(`${where}: validTo must be after validFrom`);
      const next = windows[j + 1];
      if (next && (!v.validTo || v.validTo > next.validFrom)) {
        problems.push(
          `${where}: its validity overlaps version ${next.version}; end it (validTo) on or before ${next.validFrom.toISOString()}`,
        );
      }
    });
  });

  c.partners.forEach((p, i) => {
    unique(
      `partners[${i}] (${p.key}).agreements`,
      p.agreements.map((a) => a.key),
    );
    p.agreements.forEach((a, j) => {
      const where = `partners[${i}] (${p.key}).agreements[${j}] (${a.key})`;
      const purpose = purposes.get(a.purpose);
      if (!purpose) problems.push(`${where}: unknown purpose "${a.purpose}"`);
      unknown(`${where}.dataCategories`, "data category", a.dataCategories, categories);
      if (purpose) {
        const undeclared = a.dataCategories.filter((k) => categories.has(k) && !purpose.dataCategories.includes(k));
        if (undeclared.length > 0)
          problems.push(`${where}: shares ${undeclared.join(", ")}, which purpose "${purpose.key}" does not declare`);
        if (a.isSale && !purpose.regulatedUses.includes(RegulatedUse.SALE)) {
          problems.push(`${where}: isSale needs a purpose with the SALE regulated use; "${purpose.key}" has none`);
        }
        if (a.isSharingForAdvertising && !purpose.regulatedUses.some((u) => ADVERTISING.includes(u))) {
          problems.push(
            `${where}: isSharingForAdvertising needs a purpose with CROSS_CONTEXT_BEHAVIORAL_ADVERTISING or TARGETED_ADVERTISING; "${purpose.key}" has neither`,
          );
        }
      }
      if (a.endedAt && a.endedAt <= a.startedAt) problems.push(`${where}: endedAt must be after startedAt`);
    });
  });
  return problems;
}

/** What the shape alone cannot say: a translation has the same parts as the English it translates. */
function checkTranslations(c: CatalogFile): string[] {
  const problems: string[] = [];
  for (const locale of TRANSLATED_LOCALES) {
    c.surfaces.forEach((s, i) => {
      const given = s.translations[locale].mainParameters.length;
      if (given !== s.mainParameters.length) {
        problems.push(
          `surfaces[${i}] (${s.key}).translations.${locale}.mainParameters: has ${given} parameters, the English ${s.mainParameters.length}`,
        );
      }
    });
    c.algorithms.forEach((a, i) =>
      a.versions.forEach((v) => {
        const where = `algorithms[${i}] (${a.key}) version ${v.version}.translations.${locale}.evaluation`;
        const translatedEvaluation = v.translations[locale].evaluation;
        if (v.evaluation && !translatedEvaluation) problems.push(`${where}: must be translated`);
        if (!v.evaluation && translatedEvaluation)
          problems.push(`${where}: translates an evaluation the version has not`);
      }),
    );
  }
  return problems;
}
