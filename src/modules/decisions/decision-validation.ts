import { DomainError } from "../../kernel/errors";
import {
  type AlgorithmCard,
  DecisionKind,
  RecommenderMode,
  type DataCategory,
  type Partner,
  type Purpose,
  type Surface,
} from "../catalog";
import { ConsentStatus } from "../consent";
import type { DecisionFactor } from "./decision-factor.entity";
import type { DecisionInput, FactorInput } from "./decisions.inputs";
import { SourceClass } from "./decisions.enums";
import type { LocalizedText } from "../../kernel/text/locale";
import { checkLocalizedTexts } from "./localized-input";

// The refusal table of DESIGN §5, for one decision. Every problem is reported with its path
// (["input", "decisions", i, …]); a decision with any problem is refused, the others go on.

export const MAX_FACTORS = 50;
const MAX_TEXT = 200;
const MAX_EVIDENCE = 20;
const SHARE_TOLERANCE = 1e-6;
/** How far a share given beside a contribution may be from the one the contributions make. */
const SHARE_MATCHES_CONTRIBUTION = 0.001;

/** Everything a decision is checked against, loaded once per call. */
export interface RecordingLookups {
  now: Date;
  /** How far occurredAt may be from `now`, either way (CANDOR_DECISION_MAX_SKEW_MS). */
  maxSkewMs: number;
  surfaces: Map<string, Surface>;
  purposes: Map<string, Purpose>;
  purposeCategories: Map<string, Set<string>>;
  categories: Map<string, DataCategory>;
  partners: Map<string, Partner>;
  cards: Map<string, AlgorithmCard[]>;
  cardInputs: Map<string, Set<string>>;
  consentAt(subjectId: string, purposeId: string, at: Date): ConsentStatus;
  modeOf(subjectId: string, surfaceId: string): RecommenderMode;
  hidesSponsor(subjectId: string, sponsor: string): boolean;
}

export interface ValidDecision {
  itemLabels: LocalizedText[] | null;
  surface: Surface;
  card: AlgorithmCard;
  occurredAt: Date;
  mode: RecommenderMode;
  factors: Array<Omit<DecisionFactor, "decisionId" | "subjectId">>;
}

type Fail = (code: DomainError["code"], message: string, ...path: Array<string | number>) => void;

/** One decision against the refusal table: every problem with its path, or the valid decision. */
export function validateDecision(
  input: DecisionInput,
  index: number,
  subjectId: string,
  l: RecordingLookups,
): { problems: DomainError[]; valid: ValidDecision | null } {
  const problems: DomainError[] = [];
  const at = (...path: Array<string | number>) => ["input", "decisions", String(index), ...path.map(String)];
  const fail: Fail = (code, message, ...path) => problems.push(new DomainError(code, message, at(...path)));

  checkTexts(input, fail);
  const itemLabels = checkLocalizedTexts(
    input.itemLabels,
    MAX_TEXT,
    (message, ...path) => fail("INVALID", message, "itemLabels", ...path),
    (message, ...path) => fail("LIMIT_EXCEEDED", message, "itemLabels", ...path),
  );
  const surface = l.surfaces.get(input.surface);
  if (!surface) fail("NOT_FOUND", `No surface with key "${input.surface}"`, "surface");
  const occurredAt = input.occurredAt ?? l.now;
  checkSkew(occurredAt, l, fail);
  checkThreshold(input, fail);
  const card = checkCard(input, occurredAt, l, fail);
  const mode = surface ? l.modeOf(subjectId, surface.id) : RecommenderMode.PERSONALIZED;
  if (input.kind === DecisionKind.AD && input.sponsor && l.hidesSponsor(subjectId, input.sponsor.onBehalfOf)) {
    fail("SPONSOR_HIDDEN", `The person chose not to see ads from "${input.sponsor.onBehalfOf}"`, "sponsor");
  }
  if (input.kind === DecisionKind.AD && !input.sponsor)
    fail("INVALID", "An ad must say who it is for and who paid (sponsor)", "sponsor");
  if (input.factors.length === 0) fail("INVALID", "A decision needs at least one factor", "factors");
  if (input.factors.length > MAX_FACTORS)
    fail("LIMIT_EXCEEDED", `At most ${MAX_FACTORS} factors per decision`, "factors");

  const context = { input, subjectId, occurredAt, card, surface, mode, l };
  const factors = input.factors
    .slice(0, MAX_FACTORS)
    .map((f, j) => checkFactor(f, j, context, fail))
    .filter((f): f is ValidDecision["factors"][number] => f !== null);

  if (problems.length === 0) settleShares(input, factors, fail);
  return {
    problems,
    valid: problems.length === 0 ? { itemLabels, surface: surface!, card: card!, occurredAt, mode, factors } : null,
  };
}

/** occurredAt within the allowed skew of the recording time, either way. */
function checkSkew(occurredAt: Date, l: RecordingLookups, fail: Fail): void {
  const minutes = Math.round(l.maxSkewMs / 60_000);
  if (occurredAt.getTime() > l.now.getTime() + l.maxSkewMs) {
    fail("INVALID", `occurredAt is more than ${minutes} minutes in the future`, "occurredAt");
  } else if (occurredAt.getTime() < l.now.getTime() - l.maxSkewMs) {
    fail("INVALID", `occurredAt is more than ${minutes} minutes ago: record decisions as they are made`, "occurredAt");
  }
}

/** A threshold is what the score had to reach: it needs a score, and the score reached it. */
function checkThreshold(input: DecisionInput, fail: Fail): void {
  if (!given(input.threshold)) return;
  if (!Number.isFinite(input.threshold)) return fail("INVALID", "threshold is a finite number", "threshold");
  if (!given(input.score)) return fail("INVALID", "A threshold needs the score that reached it", "score");
  if (input.score < input.threshold) {
    fail(
      "INVALID",
      `The score ${input.score} is below the threshold ${input.threshold}: the item was not shown`,
      "score",
    );
  }
}

/** Lengths and empty texts. */
function checkTexts(input: DecisionInput, fail: Fail): void {
  const texts = [
    ["subjectExternalId", input.subjectExternalId],
    ["itemRef", input.itemRef],
    ["itemLabel", input.itemLabel],
    ["idempotencyKey", input.idempotencyKey],
    ["sponsor", input.sponsor?.onBehalfOf],
    ["sponsor", input.sponsor?.paidBy],
  ] as const;
  for (const [field, value] of texts) {
    if (value !== null && value !== undefined && value.length > MAX_TEXT) {
      fail("LIMIT_EXCEEDED", `${field} is longer than ${MAX_TEXT} characters`, field);
    }
  }
  if (input.subjectExternalId.trim() === "")
    fail("INVALID", "subjectExternalId must not be empty", "subjectExternalId");
  if (input.itemRef.trim() === "" || input.itemLabel.trim() === "") {
    fail("INVALID", "itemRef and itemLabel must not be empty", input.itemRef.trim() === "" ? "itemRef" : "itemLabel");
  }
}

/** The algorithm card version: known, in use at `occurredAt`, and making this kind of decision. */
function checkCard(input: DecisionInput, occurredAt: Date, l: RecordingLookups, fail: Fail): AlgorithmCard | undefined {
  const versions = l.cards.get(input.algorithm);
  const card = versions?.find((c) => c.version === input.algorithmVersion);
  if (!versions) fail("NOT_FOUND", `No algorithm card with key "${input.algorithm}"`, "algorithm");
  else if (!card)
    fail("NOT_FOUND", `Algorithm "${input.algorithm}" has no version "${input.algorithmVersion}"`, "algorithmVersion");
  else {
    if (occurredAt < card.validFrom || (card.validTo !== null && occurredAt >= card.validTo)) {
      fail(
        "INVALID",
        `Version ${card.version} of "${card.key}" was not in use at ${occurredAt.toISOString()}`,
        "algorithmVersion",
      );
    }
    if (!card.decisionKinds.includes(input.kind))
      fail("INVALID", `"${card.key}" ${card.version} does not make ${input.kind} decisions`, "kind");
  }
  return card;
}

interface FactorContext {
  input: DecisionInput;
  subjectId: string;
  occurredAt: Date;
  card: AlgorithmCard | undefined;
  surface: Surface | undefined;
  mode: RecommenderMode;
  l: RecordingLookups;
}

/** One factor: what it names exists, is declared, consented to and allowed here; its numbers make sense. */
function checkFactor(f: FactorInput, j: number, c: FactorContext, fail: Fail): ValidDecision["factors"][number] | null {
  const { l, card, input } = c;
  const purpose = l.purposes.get(f.purpose);
  const category = l.categories.get(f.dataCategory);
  if (!purpose) fail("NOT_FOUND", `No purpose with key "${f.purpose}"`, "factors", j, "purpose");
  if (!category) fail("NOT_FOUND", `No data category with key "${f.dataCategory}"`, "factors", j, "dataCategory");
  const partner = checkSource(f, j, l, fail);
  if (purpose && category && !l.purposeCategories.get(purpose.id)?.has(category.id)) {
    fail("INVALID", `Purpose "${purpose.key}" does not declare "${category.key}"`, "factors", j, "dataCategory");
  }
  if (card && category && !l.cardInputs.get(card.id)?.has(category.id)) {
    fail(
      "INVALID",
      `"${card.key}" ${card.version} does not declare "${category.key}" as an input`,
      "factors",
      j,
      "dataCategory",
    );
  }
  if (purpose && l.consentAt(c.subjectId, purpose.id, c.occurredAt) !== ConsentStatus.GRANTED) {
    fail(
      "CONSENT_REQUIRED",
      `The person had not consented to "${purpose.key}" at ${c.occurredAt.toISOString()}`,
      "factors",
      j,
      "purpose",
    );
  } else if (purpose && l.consentAt(c.subjectId, purpose.id, l.now) !== ConsentStatus.GRANTED) {
    // Withdrawn between the decision and its recording: a late report may not outrun a withdrawal.
    fail("CONSENT_REQUIRED", `The person has withdrawn consent to "${purpose.key}" since`, "factors", j, "purpose");
  }
  if (input.kind === DecisionKind.AD && category?.sensitive) {
    fail("INVALID", `An ad may not use sensitive data ("${category.key}")`, "factors", j, "dataCategory");
  }
  // NON_PROFILING: only data that says nothing about the person, whatever the factor's kind or source.
  if (c.mode === RecommenderMode.NON_PROFILING && category && !category.usableWithoutProfiling) {
    fail(
      "PROFILING_NOT_ALLOWED",
      `The person chose NON_PROFILING on "${c.surface!.key}"; "${category.key}" says something about them`,
      "factors",
      j,
    );
  }
  checkNumbers(f, j, fail);
  const evidence = f.evidence ?? [];
  if (evidence.length > MAX_EVIDENCE)
    fail("LIMIT_EXCEEDED", `At most ${MAX_EVIDENCE} evidence entries per factor`, "factors", j, "evidence");
  const recorded = evidence.map((e, k) => {
    const at = ["factors", j, "evidence", k] as const;
    if (e.key.length > 50 || e.value.length > MAX_TEXT) {
      fail("LIMIT_EXCEEDED", `Evidence keys are at most 50 characters, values at most ${MAX_TEXT}`, ...at);
    }
    const localizedValues = checkLocalizedTexts(
      e.localizedValues,
      MAX_TEXT,
      (message, ...path) => fail("INVALID", message, ...at, "localizedValues", ...path),
      (message, ...path) => fail("LIMIT_EXCEEDED", message, ...at, "localizedValues", ...path),
    );
    return { key: e.key, value: e.value, ...(localizedValues ? { localizedValues } : {}) };
  });
  if (!purpose || !category) return null;
  return {
    position: j,
    kind: f.kind,
    purposeId: purpose.id,
    dataCategoryId: category.id,
    sourceClass: f.sourceClass,
    sourcePartnerId: partner?.id ?? null,
    share: f.share ?? NaN,
    contribution: f.contribution ?? null,
    observedFrom: f.observedFrom ?? null,
    observedTo: f.observedTo ?? null,
    evidence: recorded,
  };
}

/** PARTNER_PROVIDED data names its partner, and only it does. */
function checkSource(f: FactorInput, j: number, l: RecordingLookups, fail: Fail): Partner | undefined {
  if (!f.sourcePartner) {
    if (f.sourceClass === SourceClass.PARTNER_PROVIDED)
      fail("INVALID", "PARTNER_PROVIDED data must name its sourcePartner", "factors", j, "sourcePartner");
    return undefined;
  }
  const partner = l.partners.get(f.sourcePartner);
  if (!partner) fail("NOT_FOUND", `No partner with key "${f.sourcePartner}"`, "factors", j, "sourcePartner");
  else if (f.sourceClass !== SourceClass.PARTNER_PROVIDED)
    fail("INVALID", "sourcePartner is only for PARTNER_PROVIDED data", "factors", j, "sourcePartner");
  return partner;
}

const given = (n: number | null | undefined): n is number => n !== null && n !== undefined;

function checkNumbers(f: FactorInput, j: number, fail: Fail): void {
  if (!given(f.share) && !given(f.contribution))
    fail("INVALID", "A factor needs a share or a contribution", "factors", j, "share");
  if (given(f.share) && (f.share < 0 || f.share > 1 || !Number.isFinite(f.share)))
    fail("INVALID", "A share is between 0 and 1", "factors", j, "share");
  if (given(f.contribution) && !Number.isFinite(f.contribution))
    fail("INVALID", "A contribution is a finite number", "factors", j, "contribution");
  if (f.observedFrom && f.observedTo && f.observedFrom > f.observedTo)
    fail("INVALID", "observedFrom is after observedTo", "factors", j, "observedFrom");
}

/**
 * Shares come from contributions when the engine gives them (|c| / Σ|c|), and a share given beside
 * a contribution must agree with it; shares alone (summing to 1) only when no factor has a
 * contribution. A score explained by contributions needs the baseScore they add up from.
 */
function settleShares(input: DecisionInput, factors: ValidDecision["factors"], fail: Fail): void {
  if (!input.factors.some((f) => given(f.contribution))) {
    if (!input.factors.every((f) => given(f.share))) {
      return fail("INVALID", "Give every factor a share, or every factor a contribution", "factors");
    }
    const sum = factors.reduce((s, f) => s + f.share, 0);
    if (Math.abs(sum - 1) > SHARE_TOLERANCE) fail("INVALID", `Shares sum to ${sum}, not 1`, "factors");
    return;
  }
  if (!input.factors.every((f) => given(f.contribution))) {
    return fail("INVALID", "Give every factor a contribution, or none of them", "factors");
  }
  const total = factors.reduce((s, f) => s + Math.abs(f.contribution!), 0);
  if (total === 0) return fail("INVALID", "Contributions are all zero: give shares", "factors");
  if (!Number.isFinite(total)) return fail("INVALID", "Contributions are too large to add up", "factors");
  for (const f of factors) {
    f.share = Math.abs(f.contribution!) / total;
    const stated = input.factors[f.position].share;
    if (given(stated) && Math.abs(stated - f.share) > SHARE_MATCHES_CONTRIBUTION) {
      fail(
        "INVALID",
        `share ${stated} does not match the factor's contribution (${f.share.toFixed(3)} of all contributions)`,
        "factors",
        f.position,
        "share",
      );
    }
  }
  const sum = factors.reduce((s, f) => s + f.share, 0);
  if (Math.abs(sum - 1) > SHARE_TOLERANCE) {
    return fail("INVALID", `Shares derived from the contributions sum to ${sum}, not 1`, "factors");
  }
  const { score, baseScore } = input;
  if (!given(score)) return;
  if (!given(baseScore)) {
    return fail("INVALID", "A score explained by contributions needs the baseScore they add up from", "baseScore");
  }
  const additive = baseScore + factors.reduce((s, f) => s + f.contribution!, 0);
  if (Math.abs(additive - score) > 1e-6 * Math.max(1, Math.abs(score))) {
    fail("INVALID", `baseScore plus the contributions is ${additive}, not the score ${score}`, "score");
  }
}
