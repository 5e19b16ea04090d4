import { appendAudit } from "../../kernel/audit/audit-log";
import { newId, toGlobalId } from "../../kernel/ids";
import { AuditLog } from "../../kernel/audit/audit-log.entity";
import type { Database } from "../../kernel/db/database";
import type { RetentionHolder } from "../../kernel/personal-data";
import type { CatalogService } from "../catalog";
import type { DecisionService } from "../decisions/decisions.service";
import type { SharingService } from "../sharing/sharing.service";
import { AuditFinding, AuditFindingKind, DataAudit } from "./audit.types";

const finding = (kind: AuditFindingKind, count: number, detail: string) =>
  Object.assign(new AuditFinding(), { kind, count, detail });

/**
 * The data audit: asks each domain to purge what is past its retention (whole decisions when the
 * shortest retention among their categories has lapsed, and sharing events; each in small
 * transactions of its own, so no table is locked for long), then compares practice with policy.
 */
export class DataAuditService {
  constructor(
    private readonly db: Database,
    private readonly catalog: CatalogService,
    private readonly decisions: DecisionService,
    private readonly sharing: SharingService,
  ) {}

  private get retentionHolders(): RetentionHolder[] {
    return [this.decisions, this.sharing];
  }

  async run(actor: string): Promise<DataAudit> {
    const ranAt = new Date();
    const retention = new Map((await this.catalog.dataCategories()).map((c) => [c.id, c.retentionDays]));
    const purged: Record<string, number> = {};
    for (const holder of this.retentionHolders)
      Object.assign(purged, await holder.purgeExpired(retention, ranAt, actor));
    const decisions = purged.decisions ?? 0;
    const events = purged.sharingEvents ?? 0;
    const findings = [
      finding(
        AuditFindingKind.PAST_RETENTION,
        decisions + events,
        `Removed ${decisions} decision(s) and ${events} sharing event(s) kept past their retention.`,
      ),
      await this.undeclaredUse(),
      await this.sharingWithoutAgreement(),
      await this.decisionsWithoutConsent(),
      await this.profilingOnNonProfilingSurfaces(),
      await this.undescribedPractice(),
    ];
    const audit = Object.assign(new DataAudit(), {
      id: toGlobalId("DataAudit", newId()),
      ranAt,
      findings,
      purgedRecords: decisions + events,
    });
    await this.db.transaction((m) =>
      appendAudit(
        m,
        [
          {
            actor,
            action: "audit.run",
            entityType: "DataAudit",
            entityId: audit.id,
            detail: { findings: findings.map((f) => ({ kind: f.kind, count: f.count })), purged: audit.purgedRecords },
          },
        ],
        ranAt,
      ),
    );
    return audit;
  }

  private async undeclaredUse(): Promise<AuditFinding> {
    const n = await this.decisions.countUndeclaredDataUse();
    return finding(
      AuditFindingKind.UNDECLARED_DATA_USE,
      n,
      n === 0
        ? "Every decision used only data its purpose declares."
        : `${n} decision factor(s) used data that their purpose does not declare.`,
    );
  }

  /**
   * Practice against the policy in force at its time: each version describes from its
   * effectiveAt until the next one's; before the first, nothing is described. A few statements
   * per version, aggregated in the database.
   */
  private async undescribedPractice(): Promise<AuditFinding> {
    const versions = await this.catalog.policyVersions();
    const categoryKey = new Map((await this.catalog.dataCategories()).map((c) => [c.id, c.key]));
    const periods = [null, ...versions].map((v, i) => ({
      snapshot: v?.catalogSnapshot ?? null,
      from: v?.effectiveAt ?? null,
      to: versions[i]?.effectiveAt ?? null,
    }));
    let decisions = 0;
    let events = 0;
    for (const { snapshot, from, to } of periods) {
      if (from && to && from >= to) continue;
      const uses = new Set(snapshot?.purposes.flatMap((p) => p.dataCategories.map((c) => `${p.key}|${c}`)) ?? []);
      const agreements = new Map((snapshot?.agreements ?? []).map((a) => [a.key, new Set(a.dataCategories)]));
      for (const u of await this.decisions.usesBetween(from, to)) {
        if (!uses.has(`${u.purpose}|${u.category}`)) decisions += u.n;
      }
      for (const e of await this.sharing.sharesBetween(from, to)) {
        const described = agreements.get(e.agreement);
        // A snapshot from before agreements were recorded cannot say; only a missing policy or agreement counts.
        const known = snapshot !== null && snapshot.agreements === undefined;
        if (!known && (!described || !e.categoryIds.every((id) => described.has(categoryKey.get(id) ?? id))))
          events += e.n;
      }
    }
    return finding(
      AuditFindingKind.UNDESCRIBED_PRACTICE,
      decisions + events,
      decisions + events === 0
        ? "Every decision and sharing event was described by the privacy policy in force at its time."
        : `${decisions} decision factor(s) and ${events} sharing event(s) were not described by the privacy policy in force at their time.`,
    );
  }

  private async profilingOnNonProfilingSurfaces(): Promise<AuditFinding> {
    const n = await this.decisions.countProfilingOnNonProfiling();
    return finding(
      AuditFindingKind.PROFILING_ON_NON_PROFILING_SURFACE,
      n,
      n === 0
        ? "Every decision on a surface in NON_PROFILING mode used only data that says nothing about the person."
        : `${n} decision(s) on a surface in NON_PROFILING mode relied on data about the person.`,
    );
  }

  private async sharingWithoutAgreement(): Promise<AuditFinding> {
    const n = await this.sharing.countOutsideAgreements();
    return finding(
      AuditFindingKind.SHARING_WITHOUT_AGREEMENT,
      n,
      n === 0
        ? "Every sharing event is covered by an agreement in force."
        : `${n} sharing event(s) are not covered by an agreement in force.`,
    );
  }

  /** The CONSENT_REQUIRED refusals found in the decision batches' audit entries. */
  private async decisionsWithoutConsent(): Promise<AuditFinding> {
    let n = 0;
    const entries = await this.db.manager.find(AuditLog, {
      where: { action: "decisions.record" },
      select: { seq: true, detail: true },
    });
    for (const e of entries)
      for (const r of (e.detail.refused as Array<{ codes: string[] }> | undefined) ?? [])
        if (r.codes.includes("CONSENT_REQUIRED")) n += 1;
    return finding(
      AuditFindingKind.DECISION_WITHOUT_CONSENT,
      n,
      n === 0
        ? "The engine sent no decision without consent."
        : `The engine tried ${n} decision(s) without consent; Candor refused them.`,
    );
  }
}
