import { LessThanOrEqual, type EntityManager } from "typeorm";
import type { Database } from "../../kernel/db/database";
import { newId } from "../../kernel/ids";
import { DomainError } from "../../kernel/errors";
import { fleschKincaidGrade } from "../../kernel/text/readability";
import { byTranslatedLocale, type Locale, type Translations } from "../../kernel/text/locale";
import { appendAudit } from "../../kernel/audit/audit-log";
import { snapshotCatalog, type CatalogSnapshot, PrivacyPolicy, DataCategory, Partner, Purpose } from "../catalog";
import type { ConsentReader } from "../consent";
import type { Subject } from "../people";
import {
  DataPractice,
  PolicyChange,
  PolicyChangeKind,
  PolicyDiff,
  PolicyEntity,
  type PublishPrivacyPolicyInput,
} from "./policy.types";

const MAX_GRADE = 8;
const EMPTY: CatalogSnapshot = { purposes: [], dataCategories: [], partners: [] };

const change = (kind: PolicyChangeKind, entity: PolicyEntity, key: string, text: string) =>
  Object.assign(new PolicyChange(), { kind, entity, key, text });

/** Compares two lists by key: what was added, removed, or changed (per `differs`). */
function compare<T extends { key: string }>(
  before: T[],
  after: T[],
  entity: PolicyEntity,
  label: (t: T) => string,
  differs: (a: T, b: T) => boolean,
): PolicyChange[] {
  const old = new Map(before.map((x) => [x.key, x]));
  const now = new Map(after.map((x) => [x.key, x]));
  return [
    ...after
      .filter((x) => !old.has(x.key))
      .map((x) => change(PolicyChangeKind.ADDED, entity, x.key, `New: ${label(x)}.`)),
    ...before
      .filter((x) => !now.has(x.key))
      .map((x) => change(PolicyChangeKind.REMOVED, entity, x.key, `No longer: ${label(x)}.`)),
    ...after
      .filter((x) => old.has(x.key) && differs(old.get(x.key)!, x))
      .map((x) => change(PolicyChangeKind.CHANGED, entity, x.key, `Changed: ${label(x)}.`)),
  ];
}

const days = (d: number | null) => (d === null ? "while you have an account" : `${d} days`);

/**
 * The summary and each section in every supported locale besides English, as `translations`:
 * a policy a person cannot read whole in their language is refused, as `catalog apply` does.
 */
function policyTranslations(input: PublishPrivacyPolicyInput): {
  summary: Translations<"summary">;
  sections: Array<Translations<"heading" | "body">>;
} {
  const check = <T extends { locale: string }>(given: T[] | null | undefined, path: string[]) => {
    const result = byTranslatedLocale(given);
    if ("problem" in result) {
      const at = result.index === null ? path : [...path, String(result.index), "locale"];
      throw new DomainError("INVALID", result.problem, ["input", ...at]);
    }
    return Object.entries(result.byLocale) as Array<[Exclude<Locale, "en">, T]>;
  };
  const summary = check(input.summaryTranslations, ["summaryTranslations"]);
  return {
    summary: Object.fromEntries(summary.map(([l, t]) => [l, { summary: t.text }])),
    sections: input.sections.map((s, i) =>
      Object.fromEntries(
        check(s.translations, ["sections", String(i), "translations"]).map(([l, t]) => [
          l,
          { heading: t.heading, body: t.body },
        ]),
      ),
    ),
  };
}

/** The privacy policy: versions published by admins, their data practices, and what changed. */
export class PolicyService {
  constructor(
    private readonly db: Database,
    private readonly consent: ConsentReader,
  ) {}

  async publish(
    actor: string,
    input: PublishPrivacyPolicyInput,
  ): Promise<{ policy: PrivacyPolicy; warnings: string[] }> {
    const keys = input.sections.map((s) => s.key);
    const dup = keys.find((k, i) => keys.indexOf(k) !== i);
    if (dup)
      throw new DomainError("INVALID", `Section "${dup}" appears more than once`, [
        "input",
        "sections",
        String(keys.lastIndexOf(dup)),
        "key",
      ]);
    const translated = policyTranslations(input);
    const warnings = [
      ...(fleschKincaidGrade(input.summary) > MAX_GRADE
        ? [`The summary reads at grade ${fleschKincaidGrade(input.summary)}; aim for ${MAX_GRADE} or below`]
        : []),
      ...input.sections
        .map((s) => [s.key, fleschKincaidGrade(`${s.heading}. ${s.body}`)] as const)
        .filter(([, grade]) => grade > MAX_GRADE)
        .map(([key, grade]) => `Section "${key}" reads at grade ${grade}; aim for ${MAX_GRADE} or below`),
    ];
    const policy = await this.retryOnRace(() =>
      this.db.transaction(async (m) => {
        const now = new Date();
        const [latest] = await m.find(PrivacyPolicy, { order: { version: "DESC" }, take: 1 });
        const row = Object.assign(new PrivacyPolicy(), {
          id: newId(),
          version: (latest?.version ?? 0) + 1,
          effectiveAt: input.effectiveAt ?? now,
          summary: input.summary,
          translations: translated.summary,
          sectionData: input.sections.map((s, i) => ({
            key: s.key,
            heading: s.heading,
            body: s.body,
            translations: translated.sections[i],
          })),
          publishedAt: now,
          catalogSnapshot: await snapshotCatalog(m),
        });
        await m.insert(PrivacyPolicy, row as never);
        await appendAudit(
          m,
          [
            {
              actor,
              action: "policy.publish",
              entityType: "PrivacyPolicy",
              entityId: row.id,
              detail: { version: row.version },
            },
          ],
          now,
        );
        return row;
      }),
    );
    return { policy, warnings };
  }

  /** Two admins publishing at once both read the same latest version: the loser takes the next one. */
  private async retryOnRace<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (err) {
        const code = (err as { driverError?: { code?: string } }).driverError?.code ?? "";
        if (!["ER_DUP_ENTRY", "SQLITE_CONSTRAINT_UNIQUE"].includes(code) || attempt >= attempts) throw err;
      }
    }
  }

  /** The version in force now. */
  current(m: EntityManager = this.db.manager): Promise<PrivacyPolicy | null> {
    return m.findOne(PrivacyPolicy, {
      where: { effectiveAt: LessThanOrEqual(new Date()) },
      order: { version: "DESC" },
    });
  }

  /** What a version describes: the live catalog for the version in force, else its own snapshot. */
  async describes(policy: PrivacyPolicy): Promise<CatalogSnapshot> {
    const current = await this.current();
    return current?.id === policy.id ? snapshotCatalog(this.db.manager) : (policy.catalogSnapshot ?? EMPTY);
  }

  diff(from: PrivacyPolicy, to: PrivacyPolicy, toCatalog: CatalogSnapshot): PolicyDiff {
    const a = from.catalogSnapshot ?? EMPTY;
    const b = toCatalog;
    const retention = b.dataCategories
      .filter((c) => {
        const old = a.dataCategories.find((x) => x.key === c.key);
        return old && old.retentionDays !== c.retentionDays;
      })
      .map((c) =>
        change(
          PolicyChangeKind.CHANGED,
          PolicyEntity.RETENTION,
          c.key,
          `We now keep ${c.name.toLowerCase()} ${days(c.retentionDays)} (before: ${days(a.dataCategories.find((x) => x.key === c.key)!.retentionDays)}).`,
        ),
      );
    return Object.assign(new PolicyDiff(), {
      fromVersion: from.version,
      toVersion: to.version,
      changes: [
        ...compare(
          a.purposes,
          b.purposes,
          PolicyEntity.PURPOSE,
          (p) => `we use data for "${p.name}"`,
          (x, y) =>
            x.name !== y.name ||
            x.description !== y.description ||
            x.benefit !== y.benefit ||
            x.dataCategories.join() !== y.dataCategories.join(),
        ),
        ...compare(
          a.dataCategories,
          b.dataCategories,
          PolicyEntity.DATA_CATEGORY,
          (c) => `we collect ${c.name.toLowerCase()}`,
          (x, y) => x.name !== y.name,
        ),
        ...compare(
          a.partners,
          b.partners,
          PolicyEntity.PARTNER,
          (p) => `we share data with ${p.name}`,
          (x, y) => x.dataCategories.join() !== y.dataCategories.join() || x.purposes.join() !== y.purposes.join(),
        ),
        ...retention,
        ...compare(
          from.sections.map((s) => ({ ...s })),
          to.sections.map((s) => ({ ...s })),
          PolicyEntity.SECTION,
          (s) => `the part "${s.heading}"`,
          (x, y) => x.heading !== y.heading || x.body !== y.body,
        ),
      ],
    });
  }

  /** What changed between the version in force at the person's last choice and now; null if never chosen. */
  async changesSince(subject: Subject): Promise<PolicyDiff | null> {
    const m = this.db.manager;
    const version = await this.consent.policyVersionOfLastChoice(subject.id);
    if (version === null) return null;
    const [from, to] = await Promise.all([m.findOneBy(PrivacyPolicy, { version }), this.current()]);
    if (!from || !to) return null;
    return this.diff(from, to, await this.describes(to));
  }
}

/** Entities named in a snapshot, by key: three statements whatever the size. */
export async function practicesOf(m: EntityManager, snapshot: CatalogSnapshot): Promise<DataPractice[]> {
  const [categories, purposes, partners] = await Promise.all([m.find(DataCategory), m.find(Purpose), m.find(Partner)]);
  const byKey = <T extends { key: string }>(rows: T[]) => new Map(rows.map((r) => [r.key, r]));
  const [c, p, r] = [byKey(categories), byKey(purposes), byKey(partners)];
  return snapshot.dataCategories
    .filter((d) => c.has(d.key))
    .map((d) =>
      Object.assign(new DataPractice(), {
        dataCategory: c.get(d.key)!,
        purposes: snapshot.purposes
          .filter((x) => x.dataCategories.includes(d.key))
          .map((x) => p.get(x.key)!)
          .filter(Boolean),
        recipients: snapshot.partners
          .filter((x) => x.dataCategories.includes(d.key))
          .map((x) => r.get(x.key)!)
          .filter(Boolean),
        retentionDays: d.retentionDays,
      }),
    );
}
