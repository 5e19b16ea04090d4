import type { Config } from "../../config";
import { newId } from "../../kernel/ids";
import type { AgeBracket } from "../catalog";
import { Subject } from "../people";
import { ConsentEvent } from "./consent-event.entity";
import { ConsentState } from "./consent-state.entity";
import { Channel, ConsentSource, ConsentStatus } from "./consent.enums";
import type { ConsentCatalog } from "./consent.loaders";
import { effectiveConsent, type EffectiveConsent, type ExplicitChoice, type PersonFacts } from "./effective-consent";

// What one consent call changes, computed without writing anything: the effective state before
// and after by the rules of DESIGN §5, and the rows to write (the receipt: consent-receipt.ts).

/** Effective consent for every purpose of the catalog, in catalog order. */
export function evaluateAll(
  catalog: ConsentCatalog,
  person: PersonFacts,
  choices: Map<string, ExplicitChoice>,
  config: Pick<Config, "gpcScope">,
): EffectiveConsent[] {
  return catalog.facts.map((p) => effectiveConsent(p, person, choices.get(p.id), config.gpcScope));
}

export const choiceMap = (rows: ConsentState[]) => new Map<string, ExplicitChoice>(rows.map((r) => [r.purposeId, r]));

/** What one call asks to change; the rules then decide what actually changes. */
export interface Plan {
  choices: Map<string, { status: ConsentStatus; gpcOverridden: boolean }>;
  gpc?: boolean;
  jurisdictionCode?: string | null;
  /** null: back to UNKNOWN. */
  ageBracket?: AgeBracket | null;
}

/** The person as the call found them (locked). */
export interface Snapshot {
  subject: Subject;
  catalog: ConsentCatalog;
  person: PersonFacts;
  choices: Map<string, ExplicitChoice>;
  before: EffectiveConsent[];
}

export interface PurposeChange {
  purpose: ConsentCatalog["purposes"][number];
  before: EffectiveConsent;
  after: EffectiveConsent;
}

/** Everything one call writes; `isEmpty` when it changes nothing (and so writes nothing). */
export interface ConsentDiff {
  now: Date;
  policyVersion: number;
  next: Subject;
  newChoices: ConsentState[];
  changed: PurposeChange[];
  subjectChanged: boolean;
  /** A signed receipt: for changes of consent, not for a change of the person's facts (place, age) alone. */
  needsReceipt: boolean;
  isEmpty: boolean;
}

/** DESIGN §5: setting or clearing GPC records only status changes, each with source GPC. */
const isGpcChange = (plan: Plan) => plan.gpc !== undefined;

/** The person after the plan, and which purposes' effective status or source that changes. */
export function diff(
  s: Snapshot,
  plan: Plan,
  context: { now: Date; policyVersion: number; source: ConsentSource; config: Pick<Config, "gpcScope"> },
  personOf: (subject: Subject) => PersonFacts,
): ConsentDiff {
  const { now, policyVersion, source } = context;
  const next = Object.assign(new Subject(), s.subject);
  if (plan.gpc !== undefined && plan.gpc !== s.subject.gpc) Object.assign(next, { gpc: plan.gpc, gpcAt: now });
  if (plan.jurisdictionCode !== undefined) next.jurisdictionCode = plan.jurisdictionCode;
  if (plan.ageBracket !== undefined) next.ageBracket = plan.ageBracket;
  const newChoices = [...plan.choices].map(([purposeId, c]) =>
    Object.assign(new ConsentState(), {
      subjectId: s.subject.id,
      purposeId,
      status: c.status,
      source,
      gpcOverridden: c.gpcOverridden,
      policyVersion,
      updatedAt: now,
    }),
  );
  const nextChoices = new Map(s.choices);
  for (const c of newChoices) nextChoices.set(c.purposeId, c);
  const after = evaluateAll(s.catalog, personOf(next), nextChoices, context.config);

  const gpc = isGpcChange(plan);
  const changed = after
    .map((a, i) => ({
      after: gpc ? { ...a, source: ConsentSource.GLOBAL_PRIVACY_CONTROL } : a,
      before: s.before[i],
      purpose: s.catalog.purposes[i],
    }))
    .filter(({ after: a, before: b }) => a.status !== b.status || (!gpc && a.source !== b.source));
  const subjectChanged =
    next.gpc !== s.subject.gpc ||
    next.jurisdictionCode !== s.subject.jurisdictionCode ||
    next.ageBracket !== s.subject.ageBracket;
  // A choice GPC hides still counts: when the signal is cleared, the person's "no" must stand.
  const choicesChanged = newChoices.some((c) => {
    const old = s.choices.get(c.purposeId) as ConsentState | undefined;
    return !old || old.status !== c.status || old.source !== c.source || old.gpcOverridden !== c.gpcOverridden;
  });
  if (subjectChanged) next.updatedAt = now;
  return {
    now,
    policyVersion,
    next,
    newChoices,
    changed,
    subjectChanged,
    needsReceipt: changed.length > 0 && plan.jurisdictionCode === undefined && plan.ageBracket === undefined,
    isEmpty: changed.length === 0 && !subjectChanged && !choicesChanged,
  };
}

/** One event per changed purpose, all under the receipt (if any). */
export function eventsOf(d: ConsentDiff, channel: Channel, receiptId: string | null): ConsentEvent[] {
  return d.changed.map(({ after: a, before: b }) =>
    Object.assign(new ConsentEvent(), {
      id: newId(),
      subjectId: d.next.id,
      purposeId: a.purposeId,
      status: a.status,
      previousStatus: b.status,
      source: a.source,
      channel,
      policyVersion: d.policyVersion,
      gpcOverridden: a.gpcOverridden,
      occurredAt: d.now,
      receiptId,
    }),
  );
}
