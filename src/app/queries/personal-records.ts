import type { EntityManager } from "typeorm";
import { BreachIncident, BreachNotice } from "../../modules/breach/breach.entity";
import { ConsentEvent } from "../../modules/consent/consent-event.entity";
import { ConsentReceipt } from "../../modules/consent/consent-receipt.entity";
import { Decision } from "../../modules/decisions/decision.entity";
import { HiddenSponsor } from "../../modules/decisions/hidden-sponsor.entity";
import { RecommenderModeChoice } from "../../modules/decisions/recommender-mode.entity";
import { DataRequest } from "../../modules/rights/data-request.entity";
import { PartnerSignal } from "../../modules/sharing/partner-signal.entity";
import { SharingEvent } from "../../modules/sharing/sharing-event.entity";

// One person's own records in every domain, for the access export: one statement per table,
// whatever the number of rows, each filtered by the person's id (DESIGN §9: read models across
// domains live here). Factors, consent state and catalog names come through the request loaders.

export interface PersonalRecords {
  consentEvents: ConsentEvent[];
  receipts: ConsentReceipt[];
  decisions: Decision[];
  hiddenSponsors: HiddenSponsor[];
  modes: RecommenderModeChoice[];
  sharingEvents: SharingEvent[];
  signals: PartnerSignal[];
  notices: Array<BreachNotice & { incident: BreachIncident }>;
  requests: DataRequest[];
}

export async function personalRecordsOf(m: EntityManager, subjectId: string): Promise<PersonalRecords> {
  const where = { subjectId };
  const [consentEvents, receipts, decisions, hiddenSponsors, modes, sharingEvents, signals, notices, requests] =
    await Promise.all([
      m.find(ConsentEvent, { where, order: { occurredAt: "ASC", id: "ASC" } }),
      m.find(ConsentReceipt, { where, order: { issuedAt: "ASC", id: "ASC" } }),
      m.find(Decision, { where, order: { occurredAt: "DESC", id: "DESC" } }),
      m.find(HiddenSponsor, { where, order: { hiddenAt: "ASC" } }),
      m.find(RecommenderModeChoice, { where }),
      m.find(SharingEvent, { where, order: { occurredAt: "DESC", id: "DESC" } }),
      m.find(PartnerSignal, { where, order: { seq: "DESC" } }),
      // The incident a notice is about is the business's own account, told to each person hit.
      m
        .createQueryBuilder(BreachNotice, "n")
        .innerJoinAndMapOne("n.incident", BreachIncident, "i", "i.id = n.incident_id")
        .where("n.subject_id = :subjectId", where)
        .orderBy("n.notified_at", "DESC")
        .addOrderBy("n.id", "DESC")
        .getMany() as Promise<Array<BreachNotice & { incident: BreachIncident }>>,
      m.find(DataRequest, { where, order: { receivedAt: "ASC", id: "ASC" } }),
    ]);
  return { consentEvents, receipts, decisions, hiddenSponsors, modes, sharingEvents, signals, notices, requests };
}
