import { IsNull, type EntityManager } from "typeorm";
import { appendAudit } from "../../kernel/audit/audit-log";
import { chunks } from "../../kernel/db/chunks";
import type { Database } from "../../kernel/db/database";
import { DomainError } from "../../kernel/errors";
import { fromGlobalId, newId } from "../../kernel/ids";
import type { PersonalDataHolder } from "../../kernel/personal-data";
import type { CatalogService } from "../catalog";
import type { DecisionService } from "../decisions/decisions.service";
import type { SharingService } from "../sharing/sharing.service";
import { BreachIncident, BreachNotice, BreachStatus } from "./breach.entity";
import type { ReportBreachIncidentInput, UpdateBreachIncidentInput } from "./breach.inputs";

/**
 * Breach incidents: Candor finds every person whose data in the exposed categories it held in the
 * window (used in a decision, or shared with a partner, then) and gives each a notice naming
 * their own affected categories.
 */
export class BreachService implements PersonalDataHolder {
  constructor(
    private readonly db: Database,
    private readonly catalog: CatalogService,
    private readonly decisions: DecisionService,
    private readonly sharing: SharingService,
  ) {}

  async report(
    actor: string,
    input: ReportBreachIncidentInput,
  ): Promise<{ incident: BreachIncident; notified: number }> {
    if (input.occurredFrom > input.occurredTo)
      throw new DomainError("INVALID", "occurredFrom is after occurredTo", ["input", "occurredFrom"]);
    const categories = (await this.catalog.dataCategories())
      .filter((c) => input.dataCategories.includes(c.key))
      // By key, as the incident has always listed them.
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    input.dataCategories.forEach((key, i) => {
      if (!categories.some((c) => c.key === key))
        throw new DomainError("NOT_FOUND", `No data category with key "${key}"`, [
          "input",
          "dataCategories",
          String(i),
        ]);
    });
    const categoryIds = categories.map((c) => c.id);
    return this.db.transaction(async (m) => {
      const now = new Date();
      const incident = Object.assign(new BreachIncident(), {
        id: newId(),
        title: input.title,
        description: input.description,
        discoveredAt: input.discoveredAt,
        containedAt: null,
        occurredFrom: input.occurredFrom,
        occurredTo: input.occurredTo,
        dataCategoryIds: categoryIds,
        whatWeAreDoing: input.whatWeAreDoing,
        whatYouCanDo: input.whatYouCanDo,
        status: BreachStatus.INVESTIGATING,
        createdAt: now,
        updatedAt: now,
      });
      await m.insert(BreachIncident, incident);
      const affected = await this.affected(m, categoryIds, input.occurredTo);
      const notices = [...affected].map(([subjectId, ids]) =>
        Object.assign(new BreachNotice(), {
          id: newId(),
          subjectId,
          incidentId: incident.id,
          affectedCategoryIds: [...ids],
          notifiedAt: now,
          acknowledgedAt: null,
        }),
      );
      for (const part of chunks(notices, 500)) await m.insert(BreachNotice, part);
      await appendAudit(
        m,
        [
          {
            actor,
            action: "breach.report",
            entityType: "BreachIncident",
            entityId: incident.id,
            detail: { categories: categoryIds, notified: notices.length },
          },
        ],
        now,
      );
      return { incident, notified: notices.length };
    });
  }

  /** Each person's categories among `categoryIds` that Candor held in the window. */
  private async affected(m: EntityManager, categoryIds: string[], to: Date): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>();
    const add = (subjectId: string, categoryId: string) =>
      out.set(subjectId, (out.get(subjectId) ?? new Set()).add(categoryId));
    // Held during the window: recorded before its end (what retention removed earlier is gone).
    const used = await this.decisions.categoriesUsedBy(m, categoryIds, to);
    const shared = await this.sharing.categoriesSharedBy(m, categoryIds, to);
    for (const { subjectId, categoryId } of [...used, ...shared]) add(subjectId, categoryId);
    return out;
  }

  async update(actor: string, input: UpdateBreachIncidentInput): Promise<BreachIncident> {
    const ref = fromGlobalId(input.id);
    return this.db.transaction(async (m) => {
      const incident = ref?.type === "BreachIncident" ? await m.findOneBy(BreachIncident, { id: ref.id }) : null;
      if (!incident) throw new DomainError("NOT_FOUND", "No breach incident with this id", ["input", "id"]);
      const now = new Date();
      const changes: Partial<BreachIncident> = {
        ...(input.status ? { status: input.status } : {}),
        ...(input.containedAt
          ? { containedAt: input.containedAt }
          : input.status === BreachStatus.CONTAINED && !incident.containedAt
            ? { containedAt: now }
            : {}),
        ...(input.whatWeAreDoing ? { whatWeAreDoing: input.whatWeAreDoing } : {}),
        ...(input.whatYouCanDo ? { whatYouCanDo: input.whatYouCanDo } : {}),
      };
      if (Object.keys(changes).length === 0) return incident;
      await m.update(BreachIncident, { id: incident.id }, { ...changes, updatedAt: now });
      await appendAudit(
        m,
        [
          {
            actor,
            action: "breach.update",
            entityType: "BreachIncident",
            entityId: incident.id,
            detail: { fields: Object.keys(changes) },
          },
        ],
        now,
      );
      return Object.assign(incident, changes, { updatedAt: now });
    });
  }

  /** A person's own notice, acknowledged once; another person's answers null, as a missing one. */
  async acknowledge(actor: string, subjectId: string, globalId: string): Promise<BreachNotice | null> {
    const ref = fromGlobalId(globalId);
    if (ref?.type !== "BreachNotice") return null;
    return this.db.transaction(async (m) => {
      const notice = await m.findOneBy(BreachNotice, { id: ref.id, subjectId });
      if (!notice) return null;
      if (notice.acknowledgedAt) return notice;
      const now = new Date();
      await m.update(BreachNotice, { id: notice.id, acknowledgedAt: IsNull() }, { acknowledgedAt: now });
      await appendAudit(
        m,
        [{ actor, action: "breach.acknowledge", entityType: "BreachNotice", entityId: notice.id, detail: {} }],
        now,
      );
      return Object.assign(notice, { acknowledgedAt: now });
    });
  }

  /** Deletion: the person's notices go with the rest of their data. */
  async forgetPerson(m: EntityManager, subjectId: string): Promise<void> {
    await m.delete(BreachNotice, { subjectId });
  }
}
