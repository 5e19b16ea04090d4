import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { In, MoreThan, type EntityManager } from "typeorm";
import type { Database } from "../../kernel/db/database";
import { newId, toGlobalId } from "../../kernel/ids";
import { UserError } from "../../kernel/graphql/user-error";
import { DataCategory } from "../catalog/data-category.entity";
import { SharingAgreement } from "../catalog/sharing-agreement.entity";
import { DecisionFactor } from "../decisions/decision-factor.entity";
import { Decision } from "../decisions/decision.entity";
import { SharingEvent } from "../sharing/sharing-event.entity";
import { AuditLog } from "../../kernel/audit/audit-log.entity";
import { appendAudit } from "../../kernel/audit/audit-log";

export enum AuditFindingKind {
  PAST_RETENTION = "PAST_RETENTION",
  UNDECLARED_DATA_USE = "UNDECLARED_DATA_USE",
  SHARING_WITHOUT_AGREEMENT = "SHARING_WITHOUT_AGREEMENT",
  DECISION_WITHOUT_CONSENT = "DECISION_WITHOUT_CONSENT",
}
registerEnumType(AuditFindingKind, { name: "AuditFindingKind" });

@ObjectType()
export class AuditFinding {
  @Field(() => AuditFindingKind)
  kind: AuditFindingKind;

  @Field(() => Int)
  count: number;

  @Field()
  detail: string;
}

@ObjectType()
export class DataAudit {
  @Field(() => ID)
  id: string;

  @Field(() => Date)
  ranAt: Date;

  @Field(() => [AuditFinding])
  findings: AuditFinding[];

  @Field(() => Int)
  purgedRecords: number;
}

@ObjectType()
export class RunDataAuditPayload {
  @Field(() => DataAudit, { nullable: true })
  dataAudit?: DataAudit | null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

const DAY = 24 * 3600_000;
const PAGE = 1000;
const BATCH = 200;
const finding = (kind: AuditFindingKind, count: number, detail: string) => Object.assign(new AuditFinding(), { kind, count, detail });

/**
 * The data audit: purges data past its retention in small batches (each its own short
 * transaction, so no table is locked for long) — whole decisions when the shortest retention among
 * their categories has lapsed, and sharing events — then compares practice with policy.
 */
export class DataAuditService {
  constructor(private readonly db: Database) {}

  async run(actor: string): Promise<DataAudit> {
    const ranAt = new Date();
    const categories = await this.db.manager.find(DataCategory);
    const retention = new Map(categories.map((c) => [c.id, c.retentionDays]));
    const decisions = await this.purge(actor, ranAt, "decision", await this.expiredDecisions(retention, ranAt));
    const events = await this.purge(actor, ranAt, "sharing_event", await this.expiredEvents(retention, ranAt));
    const findings = [
      finding(AuditFindingKind.PAST_RETENTION, decisions + events, `Removed ${decisions} decision(s) and ${events} sharing event(s) kept past their retention.`),
      await this.undeclaredUse(),
      await this.sharingWithoutAgreement(),
      await this.decisionsWithoutConsent(),
    ];
    const audit = Object.assign(new DataAudit(), { id: toGlobalId("DataAudit", newId()), ranAt, findings, purgedRecords: decisions + events });
    await this.db.transaction((m) => appendAudit(m, [{
      actor, action: "audit.run", entityType: "DataAudit", entityId: audit.id,
      detail: { findings: findings.map((f) => ({ kind: f.kind, count: f.count })), purged: audit.purgedRecords },
    }], ranAt));
    return audit;
  }

  /** Pages through all rows by id; `visit` sees each page. */
  private async pages<T extends { id: string }>(fetch: (after: string) => Promise<T[]>, visit: (rows: T[]) => void): Promise<void> {
    let after = "";
    for (;;) {
      const rows = await fetch(after);
      visit(rows);
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1].id;
    }
  }

  private async expiredDecisions(retention: Map<string, number | null>, now: Date): Promise<string[]> {
    const out: string[] = [];
    const m = this.db.manager;
    await this.pages(
      async (after) => {
        const rows = await m.find(Decision, { where: { id: MoreThan(after) }, select: { id: true, occurredAt: true }, order: { id: "ASC" }, take: PAGE });
        if (rows.length === 0) return [];
        const factors = await m.find(DecisionFactor, { where: { decisionId: In(rows.map((r) => r.id)) }, select: { decisionId: true, dataCategoryId: true } });
        return rows.map((r) => ({ ...r, days: factors.filter((f) => f.decisionId === r.id).map((f) => retention.get(f.dataCategoryId)).filter((d): d is number => typeof d === "number") }));
      },
      (rows) => {
        for (const r of rows) if (r.days.length > 0 && r.occurredAt.getTime() + Math.min(...r.days) * DAY < now.getTime()) out.push(r.id);
      },
    );
    return out;
  }

  private async expiredEvents(retention: Map<string, number | null>, now: Date): Promise<string[]> {
    const out: string[] = [];
    await this.pages(
      (after) => this.db.manager.find(SharingEvent, { where: { id: MoreThan(after) }, select: { id: true, occurredAt: true, dataCategoryIds: true }, order: { id: "ASC" }, take: PAGE }),
      (rows) => {
        for (const r of rows) {
          const days = r.dataCategoryIds.map((c) => retention.get(c)).filter((d): d is number => typeof d === "number");
          if (days.length > 0 && r.occurredAt.getTime() + Math.min(...days) * DAY < now.getTime()) out.push(r.id);
        }
      },
    );
    return out;
  }

  private async purge(actor: string, at: Date, table: "decision" | "sharing_event", ids: string[]): Promise<number> {
    for (let i = 0; i < ids.length; i += BATCH) {
      const part = ids.slice(i, i + BATCH);
      await this.db.transaction(async (m: EntityManager) => {
        if (table === "decision") {
          await m.delete(DecisionFactor, { decisionId: In(part) });
          await m.delete(Decision, { id: In(part) });
        } else {
          await m.delete(SharingEvent, { id: In(part) });
        }
        await appendAudit(m, [{ actor, action: "audit.purge", entityType: table, entityId: part[0], detail: { ids: part } }], at);
      });
    }
    return ids.length;
  }

  /** Factors whose purpose no longer declares their data category. */
  private async undeclaredUse(): Promise<AuditFinding> {
    const rows = await this.db.manager.query(
      "SELECT COUNT(*) AS n FROM decision_factor f WHERE NOT EXISTS (SELECT 1 FROM purpose_data_category j WHERE j.purpose_id = f.purpose_id AND j.data_category_id = f.data_category_id)",
    );
    const n = Number(rows[0].n);
    return finding(AuditFindingKind.UNDECLARED_DATA_USE, n, n === 0 ? "Every decision used only data its purpose declares." : `${n} decision factor(s) used data that their purpose does not declare.`);
  }

  /** Sharing events outside their agreement's time in force, or of categories it does not cover. */
  private async sharingWithoutAgreement(): Promise<AuditFinding> {
    const m = this.db.manager;
    const agreements = new Map((await m.find(SharingAgreement)).map((a) => [a.id, a]));
    const links = await m.createQueryBuilder().select(["j.sharing_agreement_id AS owner", "j.data_category_id AS target"]).from("sharing_agreement_data_category", "j").getRawMany<{ owner: string; target: string }>();
    let n = 0;
    await this.pages(
      (after) => m.find(SharingEvent, { where: { id: MoreThan(after) }, select: { id: true, agreementId: true, occurredAt: true, dataCategoryIds: true }, order: { id: "ASC" }, take: PAGE }),
      (rows) => {
        for (const e of rows) {
          const a = agreements.get(e.agreementId);
          const covered = a && e.dataCategoryIds.every((c) => links.some((l) => l.owner === a.id && l.target === c));
          if (!a || !covered || e.occurredAt < a.startedAt || (a.endedAt && e.occurredAt >= a.endedAt)) n += 1;
        }
      },
    );
    return finding(AuditFindingKind.SHARING_WITHOUT_AGREEMENT, n, n === 0 ? "Every sharing event is covered by an agreement in force." : `${n} sharing event(s) are not covered by an agreement in force.`);
  }

  /** The CONSENT_REQUIRED refusals found in the decision batches' audit entries. */
  private async decisionsWithoutConsent(): Promise<AuditFinding> {
    let n = 0;
    const entries = await this.db.manager.find(AuditLog, { where: { action: "decisions.record" }, select: { seq: true, detail: true } });
    for (const e of entries) for (const r of (e.detail.refused as Array<{ codes: string[] }> | undefined) ?? []) if (r.codes.includes("CONSENT_REQUIRED")) n += 1;
    return finding(AuditFindingKind.DECISION_WITHOUT_CONSENT, n, n === 0 ? "The engine sent no decision without consent." : `The engine tried ${n} decision(s) without consent; Candor refused them.`);
  }
}
