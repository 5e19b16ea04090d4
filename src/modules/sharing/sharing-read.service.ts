import type { EntityManager } from "typeorm";
import { pageOf } from "../../kernel/graphql/connection";
import type { Subject } from "../people";
import { SharingEvent } from "./sharing-event.entity";
import { Recipient } from "./sharing.types";

/** What a person can see of their data's travels. */
export class SharingReader {
  constructor(private readonly manager: () => EntityManager) {}

  events(subject: Subject, first: number, after: string | null | undefined) {
    return pageOf(this.manager(), SharingEvent, { subjectId: subject.id }, first, after);
  }

  /** Every partner that received the person's data: for which purposes, which categories, when. */
  async recipients(
    subject: Subject,
    purposesOf: (agreementIds: string[]) => Promise<Map<string, string>>,
  ): Promise<Recipient[]> {
    const events = await this.manager().find(SharingEvent, {
      where: { subjectId: subject.id },
      select: { partnerId: true, agreementId: true, dataCategoryIds: true, occurredAt: true },
      order: { occurredAt: "ASC" },
    });
    const purposeOf = await purposesOf([...new Set(events.map((e) => e.agreementId))]);
    const byPartner = new Map<string, Recipient>();
    for (const e of events) {
      const r =
        byPartner.get(e.partnerId) ??
        Object.assign(new Recipient(), {
          partnerId: e.partnerId,
          purposeIds: [],
          dataCategoryIds: [],
          firstSharedAt: e.occurredAt,
          lastSharedAt: e.occurredAt,
        });
      const purpose = purposeOf.get(e.agreementId)!;
      if (!r.purposeIds.includes(purpose)) r.purposeIds.push(purpose);
      for (const c of e.dataCategoryIds) if (!r.dataCategoryIds.includes(c)) r.dataCategoryIds.push(c);
      if (e.occurredAt > r.lastSharedAt) r.lastSharedAt = e.occurredAt;
      byPartner.set(e.partnerId, r);
    }
    return [...byPartner.values()];
  }
}
