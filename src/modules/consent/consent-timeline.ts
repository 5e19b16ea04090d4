import { In, type EntityManager } from "typeorm";
import type { Config } from "../../config";
import { type PeopleService, Subject } from "../people";
import { choiceMap, evaluateAll } from "./consent-change";
import { ConsentEvent } from "./consent-event.entity";
import { ConsentState } from "./consent-state.entity";
import { ConsentStatus } from "./consent.enums";
import { loadConsentCatalog } from "./consent.loaders";

/** A person's consent for a purpose at a moment. */
export type ConsentAt = (subjectId: string, purposeId: string, at: Date) => ConsentStatus;

/**
 * Consent at a moment, for batch writers (decisions, sharing events): the last change at or
 * before it; before the first change, the status that change replaced; a person who never changed
 * anything (or is new) has today's effective consent. Four statements, whatever the batch.
 */
export async function consentTimeline(
  m: EntityManager,
  subjectIds: string[],
  people: PeopleService,
  config: Pick<Config, "gpcScope">,
): Promise<ConsentAt> {
  const [persons, choices, events, catalog] = await Promise.all([
    m.findBy(Subject, { id: In(subjectIds) }),
    m.findBy(ConsentState, { subjectId: In(subjectIds) }),
    m.find(ConsentEvent, { where: { subjectId: In(subjectIds) }, order: { occurredAt: "ASC", id: "ASC" } }),
    loadConsentCatalog(m),
  ]);
  const history = new Map<string, ConsentEvent[]>();
  for (const e of events) {
    const key = `${e.subjectId}|${e.purposeId}`;
    history.set(key, [...(history.get(key) ?? []), e]);
  }
  const current = new Map<string, Map<string, ConsentStatus>>();
  const currentOf = (subjectId: string) => {
    if (!current.has(subjectId)) {
      const subject = persons.find((s) => s.id === subjectId) ?? null;
      const own = choiceMap(choices.filter((c) => c.subjectId === subjectId));
      const effective = evaluateAll(catalog, people.person(subject), own, config);
      current.set(subjectId, new Map(effective.map((e) => [e.purposeId, e.status])));
    }
    return current.get(subjectId)!;
  };
  return (subjectId, purposeId, at) => {
    const changes = history.get(`${subjectId}|${purposeId}`);
    if (!changes) return currentOf(subjectId).get(purposeId) ?? ConsentStatus.DENIED;
    const last = [...changes].reverse().find((e) => e.occurredAt <= at);
    return last ? last.status : (changes[0].previousStatus ?? ConsentStatus.DENIED);
  };
}
