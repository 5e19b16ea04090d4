import { LessThanOrEqual, type EntityManager } from "typeorm";
import type { Database } from "../../kernel/db/database";
import { newId } from "../../kernel/ids";
import { DomainError } from "../../kernel/errors";
import { fleschKincaidGrade } from "../../kernel/text/readability";
import { byTranslatedLocale, type Locale, type Translations } from "../../kernel/text/locale";
import { appendAudit } from "../../kernel/audit/audit-log";
import {
  bumpCatalogVersion,
  CATALOG_CHANGED,
  diffSnapshots,
  EMPTY_SNAPSHOT,
  PolicyChangeKind,
  PolicyEntity,
  PrivacyPolicy,
  sectionsMissingSummary,
  snapshotCatalog,
  type CatalogSnapshot,
  type PolicySectionData,
} from "../catalog";
import type { ConsentReader } from "../consent";
import type { Subject } from "../people";
import { PolicyChange, PolicyDiff, type PublishPrivacyPolicyInput } from "./policy.types";

const MAX_GRADE = 8;

const change = (c: Omit<PolicyChange, never>) => Object.assign(new PolicyChange(), c);

/** Sections, by key: added, removed, renamed, and rewritten (in the publisher's own summary). */
function sectionChanges(before: PolicySectionData[], after: PolicySectionData[]): PolicyChange[] {
  const old = new Map(before.map((x) => [x.key, x]));
  const now = new Map(after.map((x) => [x.key, x]));
  const out: PolicyChange[] = [];
  const add = (kind: PolicyChangeKind, key: string, text: string) =>
    out.push(change({ kind, entity: PolicyEntity.SECTION, key, text }));
  for (const s of after) {
    const was = old.get(s.key);
    if (!was) {
      add(PolicyChangeKind.ADDED, s.key, `We added the part "${s.heading}".`);
      continue;
    }
    if (was.heading !== s.heading)
      add(PolicyChangeKind.CHANGED, s.key, `The part "${was.heading}" is now called "${s.heading}".`);
    if (was.body !== s.body) {
      const summary = s.changeSummary?.trim();
      add(
        PolicyChangeKind.CHANGED,
        s.key,
        summary
          ? `In "${s.heading}": ${/[.!?]$/.test(summary) ? summary : `${summary}.`}`
          : `We rewrote the part "${s.heading}".`,
      );
    }
  }
  for (const s of before.filter((x) => !now.has(x.key)))
    add(PolicyChangeKind.REMOVED, s.key, `We removed the part "${s.heading}".`);
  return out;
}

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
        const [missing] = latest ? sectionsMissingSummary(latest.sectionData, input.sections) : [];
        if (missing !== undefined) {
          throw new DomainError(
            "INVALID",
            `The body of "${input.sections[missing].key}" changed since version ${latest!.version}: say what changed in one sentence`,
            ["input", "sections", String(missing), "changeSummary"],
          );
        }
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
            ...(s.changeSummary?.trim() ? { changeSummary: s.changeSummary.trim() } : {}),
            translations: translated.sections[i],
          })),
          publishedAt: now,
          catalogSnapshot: await snapshotCatalog(m),
        });
        await m.insert(PrivacyPolicy, row as never);
        await bumpCatalogVersion(m);
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
    await this.db.committed(CATALOG_CHANGED);
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

  /** What a version describes: its snapshot, forever (published versions never change). */
  describes(policy: PrivacyPolicy): CatalogSnapshot {
    return policy.catalogSnapshot ?? EMPTY_SNAPSHOT;
  }

  /** Every difference between two versions, each one plain sentence. */
  diff(from: PrivacyPolicy, to: PrivacyPolicy): PolicyDiff {
    return Object.assign(new PolicyDiff(), {
      fromVersion: from.version,
      toVersion: to.version,
      changes: [
        ...diffSnapshots(this.describes(from), this.describes(to)).map(change),
        ...sectionChanges(from.sectionData, to.sectionData),
      ],
    });
  }

  /**
   * What changed since the version in force when the person last chose; null when they never
   * chose, or chose under the version in force now.
   */
  async changesSince(subject: Subject): Promise<PolicyDiff | null> {
    const m = this.db.manager;
    const version = await this.consent.policyVersionOfLastChoice(subject.id);
    if (version === null) return null;
    const [from, to] = await Promise.all([m.findOneBy(PrivacyPolicy, { version }), this.current()]);
    if (!from || !to || to.version <= from.version) return null;
    return this.diff(from, to);
  }
}
