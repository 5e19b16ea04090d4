import type { Database } from "../kernel/db/database";
import { toGlobalId } from "../kernel/ids";
import { translated, type Translations } from "../kernel/text/locale";
import type { Loaders } from "../kernel/context";
import type { AlgorithmCard, CatalogVersionWatcher, DataCategory, Partner, Purpose, Surface } from "../modules/catalog";
import type { ConsentReader } from "../modules/consent";
import type { DecisionReader } from "../modules/decisions";
import type { Decision } from "../modules/decisions";
import type { PeopleService, Subject } from "../modules/people";
import type {
  AccessExportBody,
  AccessExporter,
  ExportLocale,
  ExportTopic,
  ExportedDecision,
  Named,
} from "../modules/rights";
import { createLoaders } from "./context";
import { dataUseOf } from "./queries/data-use";
import { personalRecordsOf, type PersonalRecords } from "./queries/personal-records";

/** The tables each topic is read from: a test checks that every table holding a person's id is here. */
export const EXPORT_TABLES: Record<ExportTopic, string[]> = {
  profile: ["subject", "hidden_sponsor", "recommender_mode"],
  consents: ["consent_state", "consent_event"],
  decisions: ["decision", "decision_factor"],
  dataUse: ["decision_factor", "sharing_event"],
  sharing: ["sharing_event", "partner_signal"],
  receipts: ["consent_receipt"],
  requests: ["data_request"],
  breachNotices: ["breach_notice"],
};
/** Tables that hold a person's id for Candor's own bookkeeping, never exported: replays of retried writes. */
export const BOOKKEEPING_TABLES = ["idempotency_record"];

type CatalogObject = { globalId: string; key: string; name: string; translations?: Translations<"name"> | null };

/** Global id, key and name (in the export's language): what the export puts wherever the database has an id. */
const named = (locale: ExportLocale, o: CatalogObject): Named => ({
  id: o.globalId,
  key: o.key,
  name: translated(o, "name", locale),
});
const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

/** The signed payload of a compact JWS, readable without tools. */
const payloadOf = (jws: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jws.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;

/**
 * Gathers the access export (rights owns its shape): the person's own records from every domain
 * (app/queries), effective consent and explanations from their readers, and a name beside every
 * id from the catalog. Read with fresh loaders, outside any transaction; only the person's rows.
 */
export class AppAccessExporter implements AccessExporter {
  constructor(
    private readonly db: Database,
    private readonly people: PeopleService,
    private readonly consentReader: ConsentReader,
    private readonly decisionReader: DecisionReader,
    private readonly catalogVersion: CatalogVersionWatcher,
  ) {}

  async gather(subject: Subject, locale: ExportLocale): Promise<AccessExportBody> {
    const loaders = createLoaders({ db: this.db, catalogVersion: this.catalogVersion });
    const m = this.db.manager;
    const [records, uses, consents] = await Promise.all([
      personalRecordsOf(m, subject.id),
      dataUseOf(m, subject.id),
      this.consentReader.consentsOf(loaders, subject),
    ]);
    const { catalog } = loaders;
    const purpose = async (id: string) => named(locale, (await catalog.purpose.load(id)) as Purpose);
    const category = async (id: string) => named(locale, (await catalog.dataCategory.load(id)) as DataCategory);
    const partner = async (id: string) => named(locale, (await catalog.partner.load(id)) as Partner);
    const all = <T>(ids: string[], one: (id: string) => Promise<T>) => Promise.all(ids.map(one));
    const jurisdiction = this.people.rules(subject);
    const [profileModes, consentList, decisions, dataUse, sharing] = await Promise.all([
      Promise.all(
        records.modes.map(async (c) => ({
          surface: named(locale, (await catalog.surface.load(c.surfaceId)) as Surface),
          mode: c.mode,
        })),
      ),
      Promise.all(
        consents.map(async (c) => {
          const p = (await catalog.purpose.load(c.purposeId)) as Purpose;
          return {
            purpose: { ...named(locale, p), description: translated(p, "description", locale) },
            status: c.status,
            source: c.source,
            since: isoOrNull(c.updatedAt),
            history: records.consentEvents
              .filter((e) => e.purposeId === c.purposeId)
              .map((e) => ({
                at: iso(e.occurredAt),
                status: e.status,
                previousStatus: e.previousStatus,
                source: e.source,
                channel: e.channel,
                policyVersion: e.policyVersion,
                receiptId: e.receiptId ? toGlobalId("ConsentReceipt", e.receiptId) : null,
              })),
          };
        }),
      ),
      Promise.all(records.decisions.map((d) => this.decision(loaders, d, locale))),
      Promise.all(
        uses.map(async (u) => {
          const c = (await catalog.dataCategory.load(u.dataCategoryId)) as DataCategory;
          return {
            dataCategory: { ...named(locale, c), description: translated(c, "description", locale) },
            purposes: await all(u.purposeIds, purpose),
            decisions: u.decisions,
            firstUsedAt: iso(u.firstUsedAt),
            lastUsedAt: iso(u.lastUsedAt),
            sourcePartners: await all(u.sourcePartnerIds, partner),
            sharedWith: await all(u.sharedWithIds, partner),
          };
        }),
      ),
      this.sharing(loaders, records, locale),
    ]);
    return {
      profile: {
        id: subject.globalId,
        externalId: subject.externalId,
        jurisdiction: { code: jurisdiction.code, law: jurisdiction.law },
        globalPrivacyControl: subject.gpc,
        globalPrivacyControlSince: subject.gpc ? isoOrNull(subject.gpcAt) : null,
        firstSeenAt: iso(subject.createdAt),
        recommenderModes: profileModes,
        hiddenSponsors: records.hiddenSponsors.map((h) => ({ sponsor: h.sponsor, hiddenAt: iso(h.hiddenAt) })),
      },
      consents: consentList,
      decisions,
      dataUse,
      sharing,
      receipts: records.receipts.map((r) => ({
        id: r.globalId,
        issuedAt: iso(r.issuedAt),
        content: payloadOf(r.jws),
        jws: r.jws,
      })),
      requests: records.requests.map((r) => ({
        id: r.globalId,
        kind: r.kind,
        status: r.status,
        receivedAt: iso(r.receivedAt),
        dueAt: iso(r.dueAt),
        extendedDueAt: isoOrNull(r.extendedDueAt),
        completedAt: isoOrNull(r.completedAt),
        details: r.details,
        statusReason: r.statusReason,
        extensionReason: r.extensionReason,
      })),
      breachNotices: await Promise.all(
        records.notices.map(async (n) => ({
          id: n.globalId,
          incident: {
            id: n.incident.globalId,
            title: n.incident.title,
            description: n.incident.description,
            status: n.incident.status,
            occurredFrom: iso(n.incident.occurredFrom),
            occurredTo: iso(n.incident.occurredTo),
            discoveredAt: iso(n.incident.discoveredAt),
            whatWeAreDoing: n.incident.whatWeAreDoing,
            whatYouCanDo: n.incident.whatYouCanDo,
          },
          affectedDataCategories: await all(n.affectedCategoryIds, category),
          notifiedAt: iso(n.notifiedAt),
          acknowledgedAt: isoOrNull(n.acknowledgedAt),
        })),
      ),
    };
  }

  /** A decision with its explanation in the person's language, as `whyAmISeeing` would give it. */
  private async decision(loaders: Loaders, d: Decision, locale: ExportLocale): Promise<ExportedDecision> {
    const { catalog } = loaders;
    const [explanation, surface, algorithm] = await Promise.all([
      this.decisionReader.explain(loaders, d, locale),
      catalog.surface.load(d.surfaceId),
      catalog.algorithmCard.load(d.algorithmCardId),
    ]);
    const reasons = await Promise.all(
      explanation.factors.map(async ({ factor, text }) => {
        const { row } = factor;
        const [p, c, source] = await Promise.all([
          catalog.purpose.load(row.purposeId),
          catalog.dataCategory.load(row.dataCategoryId),
          row.sourcePartnerId ? catalog.partner.load(row.sourcePartnerId) : null,
        ]);
        return {
          text,
          share: factor.share,
          direction: factor.direction,
          purpose: named(locale, p as Purpose),
          dataCategory: named(locale, c as DataCategory),
          sourcePartner: source ? named(locale, source) : null,
          evidence: row.evidence.map((e) => ({ key: e.key, value: e.value })),
        };
      }),
    );
    return {
      id: d.globalId,
      kind: d.kind,
      surface: named(locale, surface as Surface),
      item: { ref: d.itemRef, label: d.itemLabel },
      occurredAt: iso(d.occurredAt),
      mode: d.mode,
      sponsor: d.sponsorOnBehalfOf ? { onBehalfOf: d.sponsorOnBehalfOf, paidBy: d.sponsorPaidBy } : null,
      algorithm: named(locale, algorithm as AlgorithmCard),
      explanation: {
        locale,
        headline: explanation.headline,
        reasons,
        counterfactual: explanation.counterfactual ?? null,
      },
    };
  }

  private async sharing(
    loaders: Loaders,
    records: PersonalRecords,
    locale: ExportLocale,
  ): Promise<AccessExportBody["sharing"]> {
    const { catalog } = loaders;
    const [events, signals] = await Promise.all([
      Promise.all(
        records.sharingEvents.map(async (e) => {
          const [p, agreement, categories] = await Promise.all([
            catalog.partner.load(e.partnerId),
            catalog.sharingAgreement.load(e.agreementId),
            Promise.all(e.dataCategoryIds.map((id) => catalog.dataCategory.load(id))),
          ]);
          const why = (await catalog.purpose.load(agreement!.purposeId)) as Purpose;
          return {
            id: e.globalId,
            partner: { ...named(locale, p as Partner), country: (p as Partner).country },
            agreement: {
              id: agreement!.globalId,
              key: agreement!.key,
              reason: translated(agreement!, "reason", locale),
              purpose: named(locale, why),
            },
            dataCategories: categories.map((c) => named(locale, c as DataCategory)),
            occurredAt: iso(e.occurredAt),
          };
        }),
      ),
      Promise.all(
        records.signals.map(async (s) => {
          const [p, why] = await Promise.all([
            catalog.partner.load(s.partnerId),
            s.purposeId ? catalog.purpose.load(s.purposeId) : null,
          ]);
          return {
            id: s.globalId,
            partner: named(locale, p as Partner),
            kind: s.kind,
            purpose: why ? named(locale, why) : null,
            sentAt: iso(s.occurredAt),
            acknowledgedAt: isoOrNull(s.acknowledgedAt),
          };
        }),
      ),
    ]);
    return { events, signals };
  }
}
