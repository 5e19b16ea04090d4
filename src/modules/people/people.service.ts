import type { EntityManager } from "typeorm";
import type { Config } from "../../config";
import { appendAudit, type AuditEntryInput } from "../../kernel/audit/audit-log";
import type { Database } from "../../kernel/db/database";
import { chunks } from "../../kernel/db/chunks";
import { newId } from "../../kernel/ids";
import { isWellFormedText } from "../../kernel/text/well-formed";
import { AgeBracket, findJurisdiction, rulesFor, UNKNOWN_JURISDICTION, type Jurisdiction } from "../catalog";
import { Subject } from "./subject.entity";

/** A stored jurisdiction names a place (a US state, a country, a region of the law tables), or is UNKNOWN. */
export function isKnownJurisdictionCode(code: string): boolean {
  return code === UNKNOWN_JURISDICTION || findJurisdiction(code) !== null;
}

/** What the consent rules need to know of a person. */
export interface PersonFacts {
  rules: Jurisdiction;
  /** Where the person lives as told, else the code of the rules applied (UNKNOWN or the configured default). */
  place: string;
  ageBracket: AgeBracket;
  gpc: boolean;
  gpcAt: Date | null;
}

/** Who a call is about, before we know whether they exist yet. */
export interface PersonRef {
  externalId: string;
  /** Used only when the person is first seen. */
  jurisdiction: string | null;
}

/** People locked for the rest of a transaction, by external id, and those this call created. */
export interface LockedPeople {
  people: Map<string, Subject>;
  created: Subject[];
}

const MAX_EXTERNAL_ID = 200;

/**
 * People: found by the business's id, created the first time they are seen. There is one
 * first-seen path — `lockOrCreateMany` inside the caller's transaction — used by consent,
 * decisions, sharing and rights alike; `ensure` wraps it in a transaction of its own.
 */
export class PeopleService {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
  ) {}

  rules(subject: Pick<Subject, "jurisdictionCode"> | null): Jurisdiction {
    return rulesFor(subject?.jurisdictionCode, this.config.defaultJurisdiction);
  }

  person(subject: Pick<Subject, "jurisdictionCode" | "ageBracket" | "gpc" | "gpcAt"> | null): PersonFacts {
    const rules = this.rules(subject);
    return {
      rules,
      place: subject?.jurisdictionCode ?? rules.code,
      ageBracket: subject?.ageBracket ?? AgeBracket.UNKNOWN,
      gpc: subject?.gpc ?? false,
      gpcAt: subject?.gpcAt ?? null,
    };
  }

  find(externalId: string, manager: EntityManager = this.db.manager): Promise<Subject | null> {
    return manager.findOneBy(Subject, { externalId });
  }

  /** The person, created when first seen (with its audit entry), in a transaction of its own. */
  async ensure(person: PersonRef, actor: string): Promise<Subject> {
    const existing = await this.find(person.externalId);
    if (existing) return existing;
    return this.db.transaction(async (m) => {
      const now = new Date();
      const { subject, created } = await this.lockOrCreate(m, person, now);
      await appendAudit(m, this.creationEntries(actor, created ? [subject] : []), now);
      return subject;
    });
  }

  /** Locks the person's row for the rest of the transaction: one change per person at a time. */
  async lock(manager: EntityManager, subjectId: string): Promise<Subject> {
    const query = manager.getRepository(Subject).createQueryBuilder("s").where("s.id = :subjectId", { subjectId });
    return (this.db.supportsRowLocks ? query.setLock("pessimistic_write") : query).getOneOrFail();
  }

  /** One person: locked, and created first when new. The caller audits the creation. */
  async lockOrCreate(
    manager: EntityManager,
    person: PersonRef,
    now: Date,
  ): Promise<{ subject: Subject; created: boolean }> {
    const { people, created } = await this.lockOrCreateMany(manager, [person], now);
    const subject = people.get(person.externalId)!;
    return { subject, created: created.includes(subject) };
  }

  /**
   * The first-seen path. Locks the people already known (in id order, so two calls never wait
   * for each other in a circle), creates the missing ones inside the caller's transaction (so a
   * refused call leaves no trace) and locks them too. INSERT IGNORE: a concurrent first sight of
   * the same person waits for, then keeps, theirs — only rows this call inserted count as created.
   */
  async lockOrCreateMany(manager: EntityManager, refs: PersonRef[], now: Date): Promise<LockedPeople> {
    const people = await this.lockKnown(
      manager,
      refs.map((r) => r.externalId),
    );
    const missing = [...new Map(refs.filter((r) => !people.has(r.externalId)).map((r) => [r.externalId, r])).values()];
    if (missing.length === 0) return { people, created: [] };
    // The boundary refuses these (issue 12); a database would store a mangled id in their place.
    const unstorable = missing.find((r) => !isWellFormedText(r.externalId));
    if (unstorable) throw new Error("An external id that is not well-formed Unicode reached the first-seen path");
    const fresh = missing.map((r) => ({
      id: newId(),
      externalId: r.externalId,
      jurisdictionCode: r.jurisdiction && isKnownJurisdictionCode(r.jurisdiction) ? r.jurisdiction : null,
      ageBracket: null,
      gpc: false,
      gpcAt: null,
      createdAt: now,
      updatedAt: now,
    }));
    for (const part of chunks(fresh)) {
      await manager.createQueryBuilder().insert().into(Subject).values(part).orIgnore().execute();
    }
    const inserted = new Set(fresh.map((f) => f.id));
    const created: Subject[] = [];
    for (const [externalId, subject] of await this.lockKnown(
      manager,
      missing.map((r) => r.externalId),
    )) {
      people.set(externalId, subject);
      if (inserted.has(subject.id)) created.push(subject);
    }
    if (missing.some((r) => !people.has(r.externalId)))
      throw new Error("A person was not stored byte for byte as named (check the column's collation)");
    return { people, created };
  }

  /**
   * The known people among `externalIds`, locked in id order, keyed by the ids as asked: a row
   * counts only when its id is the asked one byte for byte (the column compares that way too).
   */
  async lockKnown(manager: EntityManager, externalIds: string[]): Promise<Map<string, Subject>> {
    const names = [...new Set(externalIds.filter((id) => id.length > 0 && id.length <= MAX_EXTERNAL_ID))];
    const asked = new Set(names);
    const out = new Map<string, Subject>();
    for (const part of chunks(names, 500)) {
      const query = manager
        .getRepository(Subject)
        .createQueryBuilder("s")
        .where("s.external_id IN (:...part)", { part })
        .orderBy("s.id", "ASC");
      for (const s of await (this.db.supportsRowLocks ? query.setLock("pessimistic_write") : query).getMany()) {
        if (asked.has(s.externalId)) out.set(s.externalId, s);
      }
    }
    return out;
  }

  /** The one audit entry for a person first seen. */
  creationEntries(actor: string, created: Array<Pick<Subject, "id" | "jurisdictionCode">>): AuditEntryInput[] {
    return created.map((s) => ({
      actor,
      action: "subject.create",
      entityType: "Subject",
      entityId: s.id,
      detail: { jurisdiction: s.jurisdictionCode },
    }));
  }
}
