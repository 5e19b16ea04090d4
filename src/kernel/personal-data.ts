import type { EntityManager } from "typeorm";

/**
 * A domain that holds data about people. Deletion (rights) asks each holder to forget a person
 * inside the deletion's transaction; each holder decides what it must keep (a person's refusals,
 * so that deletion never turns a "no" back into a "yes").
 */
export interface PersonalDataHolder {
  forgetPerson(m: EntityManager, subjectId: string): Promise<void>;
}

/** A domain whose data expires: the data audit asks it to purge what is past retention. */
export interface RetentionHolder {
  /**
   * Removes whatever is past its retention (`retentionDays` by data category id; null = kept)
   * in small transactions of its own, auditing each; answers what it removed, by kind.
   */
  purgeExpired(retentionDays: Map<string, number | null>, now: Date, actor: string): Promise<Record<string, number>>;
}
