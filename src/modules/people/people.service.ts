import type { EntityManager } from "typeorm";
import type { Config } from "../../config";
import type { Database } from "../../kernel/db/database";
import { newId } from "../../kernel/ids";
import { appendAudit } from "../../kernel/audit/audit-log";
import { findJurisdiction, rulesFor, UNKNOWN_JURISDICTION, type Jurisdiction } from "../catalog/jurisdiction";
import type { PersonFacts } from "../consent/effective-consent";
import { Subject } from "./subject.entity";

/** A stored jurisdiction is a code Candor knows (even if not yet in force), or UNKNOWN. */
export function isKnownJurisdictionCode(code: string): boolean {
  return code === UNKNOWN_JURISDICTION || findJurisdiction(code) !== null;
}

/** People: found by the business's id, created the first time they are seen. */
export class SubjectService {
  constructor(private readonly db: Database, private readonly config: Config) {}

  rules(subject: Pick<Subject, "jurisdictionCode"> | null): Jurisdiction {
    return rulesFor(subject?.jurisdictionCode, this.config.defaultJurisdiction);
  }

  person(subject: Pick<Subject, "jurisdictionCode" | "gpc" | "gpcAt"> | null): PersonFacts {
    return { rules: this.rules(subject), gpc: subject?.gpc ?? false, gpcAt: subject?.gpcAt ?? null };
  }

  find(externalId: string, manager: EntityManager = this.db.manager): Promise<Subject | null> {
    return manager.findOneBy(Subject, { externalId });
  }

  /**
   * The person, created with `jurisdiction` when first seen (one audit entry). Two requests that
   * both see a new person agree on the row the first one committed.
   */
  async ensure(externalId: string, jurisdiction: string | null | undefined, actor: string): Promise<Subject> {
    const existing = await this.find(externalId);
    if (existing) return existing;
    const now = new Date();
    const code = jurisdiction && isKnownJurisdictionCode(jurisdiction) ? jurisdiction : null;
    try {
      await this.db.transaction(async (m) => {
        const subject = { id: newId(), externalId, jurisdictionCode: code, gpc: false, gpcAt: null, createdAt: now, updatedAt: now };
        await m.insert(Subject, subject);
        await appendAudit(m, [{ actor, action: "subject.create", entityType: "Subject", entityId: subject.id, detail: { jurisdiction: code } }], now);
      });
    } catch (err) {
      // Created meanwhile by a concurrent request: read theirs below.
      if (!(await this.find(externalId))) throw err;
    }
    return (await this.find(externalId))!;
  }

  /** Locks the person's row for the rest of the transaction: one change per person at a time. */
  async lock(manager: EntityManager, subjectId: string): Promise<Subject> {
    const query = manager.getRepository(Subject).createQueryBuilder("s").where("s.id = :subjectId", { subjectId });
    return (this.db.supportsRowLocks ? query.setLock("pessimistic_write") : query).getOneOrFail();
  }

  /**
   * Locks the person's row, creating it first when the person is new (inside the caller's
   * transaction, so that a refused call leaves no trace). The caller audits the creation.
   */
  async lockOrCreate(manager: EntityManager, person: { externalId: string; jurisdiction: string | null }, now: Date): Promise<{ subject: Subject; created: boolean }> {
    const find = () => {
      const query = manager.getRepository(Subject).createQueryBuilder("s").where("s.external_id = :externalId", { externalId: person.externalId });
      return (this.db.supportsRowLocks ? query.setLock("pessimistic_write") : query).getOne();
    };
    const existing = await find();
    if (existing) return { subject: existing, created: false };
    const id = newId();
    const code = person.jurisdiction && isKnownJurisdictionCode(person.jurisdiction) ? person.jurisdiction : null;
    // INSERT IGNORE: a concurrent first sight of the same person waits for, then keeps, theirs.
    await manager.createQueryBuilder().insert().into(Subject)
      .values({ id, externalId: person.externalId, jurisdictionCode: code, gpc: false, gpcAt: null, createdAt: now, updatedAt: now })
      .orIgnore().execute();
    const subject = (await find())!;
    return { subject, created: subject.id === id };
  }
}
