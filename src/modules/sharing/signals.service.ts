import { In, IsNull, type EntityManager } from "typeorm";
import type { Config } from "../../config";
import type { Database } from "../../kernel/db/database";
import { fromGlobalId, newId, toGlobalId } from "../../kernel/ids";
import { checkFirst, connectionOf, decodeNumberCursor, encodeCursor } from "../../kernel/graphql/connection";
import { DomainError } from "../../kernel/errors";
import { appendAudit } from "../../kernel/audit/audit-log";
import { RegulatedUse, Purpose, SharingAgreement } from "../catalog";
import { ConsentSource, ConsentStatus } from "../consent";
import type { ConsentChange, ConsentListener } from "../consent/consent.service";
import { PartnerSignal } from "./partner-signal.entity";
import { SharingEvent } from "./sharing-event.entity";
import { PartnerSignalKind } from "./sharing.enums";
import { DeliveryStatus, PartnerWebhook, WebhookDelivery } from "./webhook.entity";

const ADVERTISING = [RegulatedUse.CROSS_CONTEXT_BEHAVIORAL_ADVERTISING, RegulatedUse.TARGETED_ADVERTISING];
export const MAX_ACKNOWLEDGE = 1000;

function kindFor(purpose: Purpose, source: ConsentSource): PartnerSignalKind {
  if (source === ConsentSource.GLOBAL_PRIVACY_CONTROL) return PartnerSignalKind.GPC_RECEIVED;
  if (purpose.regulatedUses.includes(RegulatedUse.SALE)) return PartnerSignalKind.OPT_OUT_OF_SALE;
  if (purpose.regulatedUses.some((u) => ADVERTISING.includes(u))) return PartnerSignalKind.OPT_OUT_OF_SHARING;
  return PartnerSignalKind.CONSENT_WITHDRAWN;
}

/**
 * Partner signals: written in the same transaction as the change that causes them, for every
 * partner that received the person's data under an affected agreement, each with an outbox row
 * for the partner's webhook. The feed serves them in sequence order, a safety lag behind.
 */
export class SignalService implements ConsentListener {
  /** Called after a commit that wrote outbox rows (the webhook dispatcher's wake-up). */
  onOutbox: () => void = () => undefined;

  constructor(
    private readonly db: Database,
    private readonly config: Config,
  ) {}

  /** Consent withdrawn (by choice, opt-out or GPC): signal the partners that got data for it. */
  async afterChange(m: EntityManager, change: ConsentChange): Promise<(() => void) | void> {
    const withdrawn = change.changes.filter(
      (c) => c.before === ConsentStatus.GRANTED && c.after === ConsentStatus.DENIED,
    );
    if (withdrawn.length === 0) return;
    const purposes = new Map(
      (await m.findBy(Purpose, { id: In(withdrawn.map((w) => w.purposeId)) })).map((p) => [p.id, p]),
    );
    const signals = await this.signalsFor(m, change.subjectId, change.at, (agreement) => {
      const w = withdrawn.find((x) => x.purposeId === agreement.purposeId);
      return w ? { kind: kindFor(purposes.get(w.purposeId)!, w.source), purposeId: w.purposeId } : null;
    });
    return this.write(m, signals);
  }

  /**
   * Events accepted for a purpose the person has withdrawn since (a late, backdated report): the
   * partner must hear of the withdrawal too. Call after appendAudit, like every signal writer.
   */
  async lateEvents(
    m: EntityManager,
    events: Array<{ subjectId: string; agreementId: string; partnerId: string; subjectRef: string; purposeId: string }>,
    at: Date,
  ): Promise<(() => void) | void> {
    const purposes = new Map(
      (await m.findBy(Purpose, { id: In([...new Set(events.map((e) => e.purposeId))]) })).map((p) => [p.id, p]),
    );
    const unique = new Map(events.map((e) => [`${e.subjectId}|${e.agreementId}`, e]));
    const signals = [...unique.values()].map((e) =>
      Object.assign(new PartnerSignal(), {
        id: newId(),
        partnerId: e.partnerId,
        agreementId: e.agreementId,
        subjectId: e.subjectId,
        subjectRef: e.subjectRef,
        kind: kindFor(purposes.get(e.purposeId)!, ConsentSource.USER),
        purposeId: e.purposeId,
        occurredAt: at,
        acknowledgedAt: null,
      }),
    );
    return this.write(m, signals);
  }

  /**
   * A deletion request: every partner that received any of the person's data. Find them before the
   * person's sharing events are erased; write them after appendAudit, like every signal writer.
   */
  async deletionSignals(m: EntityManager, subjectId: string, at: Date): Promise<PartnerSignal[]> {
    return this.signalsFor(m, subjectId, at, () => ({ kind: PartnerSignalKind.DELETION_REQUESTED, purposeId: null }));
  }

  writeSignals(m: EntityManager, signals: PartnerSignal[]): Promise<(() => void) | void> {
    return this.write(m, signals);
  }

  private async signalsFor(
    m: EntityManager,
    subjectId: string,
    at: Date,
    pick: (a: SharingAgreement) => { kind: PartnerSignalKind; purposeId: string | null } | null,
  ): Promise<PartnerSignal[]> {
    const fromEvents = await m
      .createQueryBuilder(SharingEvent, "e")
      .select(["e.agreementId AS agreement_id", "e.partnerId AS partner_id", "MAX(e.subjectRef) AS subject_ref"])
      .where("e.subject_id = :subjectId", { subjectId })
      .groupBy("e.agreement_id")
      .addGroupBy("e.partner_id")
      .getRawMany<{ agreement_id: string; partner_id: string; subject_ref: string }>();
    // Events past retention are purged, but earlier signals still show who received the data.
    const fromSignals = await m
      .createQueryBuilder(PartnerSignal, "s")
      .select(["s.agreementId AS agreement_id", "s.partnerId AS partner_id", "MAX(s.subjectRef) AS subject_ref"])
      .where("s.subject_id = :subjectId", { subjectId })
      .groupBy("s.agreement_id")
      .addGroupBy("s.partner_id")
      .getRawMany<{ agreement_id: string; partner_id: string; subject_ref: string }>();
    const received = [
      ...new Map([...fromSignals, ...fromEvents].map((r) => [`${r.partner_id}|${r.agreement_id}`, r])).values(),
    ];
    if (received.length === 0) return [];
    const agreements = new Map(
      (await m.findBy(SharingAgreement, { id: In(received.map((r) => r.agreement_id)) })).map((a) => [a.id, a]),
    );
    return received.flatMap((r) => {
      const what = pick(agreements.get(r.agreement_id)!);
      return what
        ? [
            Object.assign(new PartnerSignal(), {
              id: newId(),
              partnerId: r.partner_id,
              agreementId: r.agreement_id,
              subjectId,
              subjectRef: r.subject_ref,
              kind: what.kind,
              purposeId: what.purposeId,
              occurredAt: at,
              acknowledgedAt: null,
            }),
          ]
        : [];
    });
  }

  private async write(m: EntityManager, signals: PartnerSignal[]): Promise<(() => void) | void> {
    if (signals.length === 0) return;
    const last = await this.takeNumbers(m, signals.length);
    signals.forEach((s, i) => (s.seq = last - signals.length + 1 + i));
    await m.insert(PartnerSignal, signals);
    const hooks = new Map(
      (await m.findBy(PartnerWebhook, { partnerId: In([...new Set(signals.map((s) => s.partnerId))]) })).map((h) => [
        h.partnerId,
        h,
      ]),
    );
    const deliveries = signals
      .filter((s) => hooks.has(s.partnerId))
      .map((s) =>
        Object.assign(new WebhookDelivery(), {
          id: newId(),
          partnerId: s.partnerId,
          signalId: s.id,
          status: DeliveryStatus.PENDING,
          attempts: 0,
          nextAttemptAt: s.occurredAt,
          claimedUntil: null,
          claimedBy: null,
          lastStatus: null,
          lastError: null,
          createdAt: s.occurredAt,
          deliveredAt: null,
          payload: JSON.stringify({
            type: `partner.signal.${s.kind.toLowerCase()}`,
            timestamp: s.occurredAt.toISOString(),
            data: signalPayload(s),
          }),
        }),
      );
    if (deliveries.length > 0) await m.insert(WebhookDelivery, deliveries);
    return deliveries.length > 0 ? () => this.onOutbox() : undefined;
  }

  /**
   * Takes the next `count` feed numbers and keeps the `signal_head` row locked until commit, so a
   * later number never commits before an earlier one. Every signal writer runs after appendAudit,
   * so this lock comes after the audit lane heads' (one order for all writers: no deadlock).
   * One statement; SQLite writers are serialized anyway.
   */
  private async takeNumbers(m: EntityManager, count: number): Promise<number> {
    if (!this.db.supportsRowLocks) {
      const [row] = await m.query("UPDATE signal_head SET seq = seq + ? WHERE id = 1 RETURNING seq", [count]);
      return Number(row.seq);
    }
    // MySQL/MariaDB: LAST_INSERT_ID(expr) hands the new value back in the statement's own reply.
    const reply = await m.query("UPDATE signal_head SET seq = LAST_INSERT_ID(seq + ?) WHERE id = 1", [count]);
    return Number((reply as { insertId: number }).insertId);
  }

  /** A partner's feed: oldest first, only signals at least the safety lag old, never skipping. */
  async feed(partnerId: string, first: number, after: string | null | undefined, since: Date | null | undefined) {
    checkFirst(first);
    const cursor = decodeNumberCursor("s", after);
    const horizon = new Date(Date.now() - this.config.signalLagMs);
    const m = this.db.manager;
    const query = m
      .getRepository(PartnerSignal)
      .createQueryBuilder("s")
      .where("s.partner_id = :partnerId", { partnerId })
      .andWhere("s.occurred_at <= :horizon", { horizon });
    if (since) query.andWhere("s.occurred_at >= :since", { since });
    const total = await query.clone().getCount();
    if (cursor !== null) query.andWhere("s.seq > :cursor", { cursor });
    const rows = await query
      .orderBy("s.seq", "ASC")
      .take(first + 1)
      .getMany();
    const page = connectionOf(rows, first, cursor !== null, (node) => encodeCursor("s", node.seq));
    // An empty page keeps the caller's place, so polling with endCursor never goes back.
    if (page.edges.length === 0) page.pageInfo.endCursor = after ?? null;
    return { ...page, totalCount: total };
  }

  /** Marks the partner's own signals as acted on; other ids are ignored without a hint. */
  async acknowledge(partnerId: string, actor: string, ids: string[]): Promise<number> {
    if (ids.length > MAX_ACKNOWLEDGE)
      throw new DomainError("LIMIT_EXCEEDED", `At most ${MAX_ACKNOWLEDGE} ids per call`, ["input", "ids"]);
    const raw = ids
      .map((id) => fromGlobalId(id))
      .filter((r) => r?.type === "PartnerSignal")
      .map((r) => r!.id);
    if (raw.length === 0) return 0;
    return this.db.transaction(async (m) => {
      const now = new Date();
      const result = await m.update(
        PartnerSignal,
        { partnerId, id: In(raw), acknowledgedAt: IsNull() },
        { acknowledgedAt: now },
      );
      const count = result.affected ?? 0;
      if (count > 0)
        await appendAudit(
          m,
          [
            {
              actor,
              action: "sharing.acknowledgeSignals",
              entityType: "Partner",
              entityId: partnerId,
              detail: { count },
            },
          ],
          now,
        );
      return count;
    });
  }
}

export function signalPayload(s: PartnerSignal) {
  return {
    id: toGlobalId("PartnerSignal", s.id),
    kind: s.kind,
    subjectRef: s.subjectRef,
    agreement: toGlobalId("SharingAgreement", s.agreementId),
    purpose: s.purposeId ? toGlobalId("Purpose", s.purposeId) : null,
    occurredAt: s.occurredAt.toISOString(),
  };
}
