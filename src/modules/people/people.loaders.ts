import DataLoader from "dataloader";
import { In, type EntityManager } from "typeorm";
import { byIdLoader } from "../../kernel/db/loaders";
import { Subject } from "./subject.entity";

/** Per-request loaders of people. */
export function createPeopleLoaders(manager: () => EntityManager) {
  const loaders = {
    subject: byIdLoader(manager, Subject),
    subjectByExternalId: new DataLoader<string, Subject | null>(async (ids) => {
      const rows = await manager().findBy(Subject, { externalId: In([...ids]) });
      const byId = new Map(rows.map((r) => [r.externalId, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** Replaces what the request cached about a person who just changed. */
    remember(subject: Subject): void {
      loaders.subject.clear(subject.id).prime(subject.id, subject);
      loaders.subjectByExternalId.clear(subject.externalId).prime(subject.externalId, subject);
    },
  };
  return loaders;
}

export type PeopleLoaders = ReturnType<typeof createPeopleLoaders>;
