import { registerEnumType } from "type-graphql";
import { andList } from "../../kernel/text/lists";
import type { CatalogSnapshot, SnapshotAgreement } from "./catalog-snapshot";
import { placeName } from "./place-names";
import { LegalBasis, PartnerRole, RegulatedUse } from "./catalog.enums";

// Every difference between two snapshots of what a policy describes, each as one plain sentence
// that says what it was and what it is now. Used for "what changed since you chose" and by
// `catalog apply`, which refuses to change a published version's practices.

export enum PolicyChangeKind {
  ADDED = "ADDED",
  REMOVED = "REMOVED",
  CHANGED = "CHANGED",
}
export enum PolicyEntity {
  PURPOSE = "PURPOSE",
  DATA_CATEGORY = "DATA_CATEGORY",
  PARTNER = "PARTNER",
  RETENTION = "RETENTION",
  SECTION = "SECTION",
  AGREEMENT = "AGREEMENT",
  LEGAL_BASIS = "LEGAL_BASIS",
  REGULATED_USE = "REGULATED_USE",
  PARTNER_COUNTRY = "PARTNER_COUNTRY",
}
registerEnumType(PolicyChangeKind, { name: "PolicyChangeKind" });
registerEnumType(PolicyEntity, { name: "PolicyEntity" });

export interface PracticeChange {
  kind: PolicyChangeKind;
  entity: PolicyEntity;
  /** The purpose, data category, partner (or partner/agreement) or section concerned. */
  key: string;
  text: string;
}

const BASIS: Record<LegalBasis, string> = {
  CONSENT: "your consent",
  LEGITIMATE_INTEREST: "our legitimate interest",
  CONTRACT: "our contract with you",
  LEGAL_OBLIGATION: "a legal duty",
};
const USE: Record<RegulatedUse, string> = {
  SALE: "a sale of your data",
  CROSS_CONTEXT_BEHAVIORAL_ADVERTISING: "ads based on what you do on other sites and apps",
  TARGETED_ADVERTISING: "targeted ads",
  PROFILING: "profiling",
  SENSITIVE_DATA: "a use of sensitive data",
};
const ROLE: Record<PartnerRole, string> = {
  SERVICE_PROVIDER: "a service provider",
  CONTRACTOR: "a contractor",
  THIRD_PARTY: "a third party",
  DATA_BROKER: "a data broker",
  ADVERTISER: "an advertiser",
};

/** 365 → "1 year", 730 → "2 years", 30 → "30 days", null → "as long as you have an account". */
export function duration(days: number | null): string {
  if (days === null) return "as long as you have an account";
  if (days % 365 === 0) return days === 365 ? "1 year" : `${days / 365} years`;
  return days === 1 ? "1 day" : `${days} days`;
}
const forDuration = (days: number | null) => (days === null ? duration(days) : `for ${duration(days)}`);

/** Items of `after` not in `before`, and the other way round. */
const gained = <T>(before: T[] = [], after: T[] = []) => after.filter((x) => !before.includes(x));

type Change = (kind: PolicyChangeKind, entity: PolicyEntity, key: string, text: string) => void;

export function diffSnapshots(a: CatalogSnapshot, b: CatalogSnapshot): PracticeChange[] {
  const out: PracticeChange[] = [];
  const add: Change = (kind, entity, key, text) => out.push({ kind, entity, key, text });
  const categoryName = (key: string) =>
    (b.dataCategories.find((c) => c.key === key) ?? a.dataCategories.find((c) => c.key === key))?.name.toLowerCase() ??
    key;
  const categories = (keys: string[]) => andList(keys.map(categoryName));
  const partnerName = (key: string) =>
    (b.partners.find((p) => p.key === key) ?? a.partners.find((p) => p.key === key))?.name ?? key;
  const purposeName = (key: string) =>
    (b.purposes.find((p) => p.key === key) ?? a.purposes.find((p) => p.key === key))?.name ?? key;

  diffCategories(a, b, add);
  diffPurposes(a, b, add, categories);
  diffPartners(a, b, add);
  diffAgreements(a.agreements, b.agreements, add, { categories, partnerName, purposeName });
  return out;
}

function diffCategories(a: CatalogSnapshot, b: CatalogSnapshot, add: Change): void {
  const before = new Map(a.dataCategories.map((c) => [c.key, c]));
  const after = new Map(b.dataCategories.map((c) => [c.key, c]));
  for (const c of b.dataCategories) {
    const old = before.get(c.key);
    const name = c.name.toLowerCase();
    if (!old) {
      add(PolicyChangeKind.ADDED, PolicyEntity.DATA_CATEGORY, c.key, `We now collect ${name}.`);
      continue;
    }
    if (old.name !== c.name) {
      add(
        PolicyChangeKind.CHANGED,
        PolicyEntity.DATA_CATEGORY,
        c.key,
        `What we called ${old.name.toLowerCase()} we now call ${name}.`,
      );
    }
    if (old.retentionDays !== c.retentionDays) {
      add(
        PolicyChangeKind.CHANGED,
        PolicyEntity.RETENTION,
        c.key,
        `We now keep ${name} ${forDuration(c.retentionDays)} instead of ${duration(old.retentionDays)}.`,
      );
    }
    if (old.sensitive !== undefined && c.sensitive !== undefined && old.sensitive !== c.sensitive) {
      add(
        PolicyChangeKind.CHANGED,
        PolicyEntity.DATA_CATEGORY,
        c.key,
        c.sensitive ? `We now treat ${name} as sensitive data.` : `We no longer treat ${name} as sensitive data.`,
      );
    }
  }
  for (const c of a.dataCategories.filter((x) => !after.has(x.key))) {
    add(PolicyChangeKind.REMOVED, PolicyEntity.DATA_CATEGORY, c.key, `We no longer collect ${c.name.toLowerCase()}.`);
  }
}

function diffPurposes(a: CatalogSnapshot, b: CatalogSnapshot, add: Change, categories: (k: string[]) => string): void {
  const before = new Map(a.purposes.map((p) => [p.key, p]));
  const after = new Map(b.purposes.map((p) => [p.key, p]));
  for (const p of b.purposes) {
    const old = before.get(p.key);
    const name = `"${p.name}"`;
    if (!old) {
      add(PolicyChangeKind.ADDED, PolicyEntity.PURPOSE, p.key, `We now use data for ${name}: ${p.description}`);
      continue;
    }
    if (old.name !== p.name) {
      add(PolicyChangeKind.CHANGED, PolicyEntity.PURPOSE, p.key, `What we called "${old.name}" we now call ${name}.`);
    }
    if (old.description !== p.description) {
      add(
        PolicyChangeKind.CHANGED,
        PolicyEntity.PURPOSE,
        p.key,
        `For ${name} we now say: "${p.description}" We said: "${old.description}"`,
      );
    }
    if (old.benefit !== p.benefit) {
      add(
        PolicyChangeKind.CHANGED,
        PolicyEntity.PURPOSE,
        p.key,
        `What you get from ${name} is now: "${p.benefit}" It was: "${old.benefit}"`,
      );
    }
    const more = gained(old.dataCategories, p.dataCategories);
    const less = gained(p.dataCategories, old.dataCategories);
    if (more.length > 0) {
      add(PolicyChangeKind.CHANGED, PolicyEntity.PURPOSE, p.key, `For ${name} we now also use ${categories(more)}.`);
    }
    if (less.length > 0) {
      add(PolicyChangeKind.CHANGED, PolicyEntity.PURPOSE, p.key, `For ${name} we no longer use ${categories(less)}.`);
    }
    if (old.legalBasis && p.legalBasis && old.legalBasis !== p.legalBasis) {
      add(
        PolicyChangeKind.CHANGED,
        PolicyEntity.LEGAL_BASIS,
        p.key,
        `For ${name} we now rely on ${BASIS[p.legalBasis]} instead of ${BASIS[old.legalBasis]}.`,
      );
    }
    if (old.regulatedUses && p.regulatedUses) {
      for (const use of gained(old.regulatedUses, p.regulatedUses)) {
        add(
          PolicyChangeKind.ADDED,
          PolicyEntity.REGULATED_USE,
          p.key,
          `${name} now counts as ${USE[use]}; before, it did not.`,
        );
      }
      for (const use of gained(p.regulatedUses, old.regulatedUses)) {
        add(PolicyChangeKind.REMOVED, PolicyEntity.REGULATED_USE, p.key, `${name} no longer counts as ${USE[use]}.`);
      }
    }
  }
  for (const p of a.purposes.filter((x) => !after.has(x.key))) {
    add(PolicyChangeKind.REMOVED, PolicyEntity.PURPOSE, p.key, `We no longer use data for "${p.name}".`);
  }
}

function diffPartners(a: CatalogSnapshot, b: CatalogSnapshot, add: Change): void {
  const before = new Map(a.partners.map((p) => [p.key, p]));
  const after = new Map(b.partners.map((p) => [p.key, p]));
  for (const p of b.partners) {
    const old = before.get(p.key);
    const where = p.country ? ` in ${placeName(p.country)}` : "";
    if (!old) {
      add(PolicyChangeKind.ADDED, PolicyEntity.PARTNER, p.key, `We now share data with ${p.name}${where}.`);
      continue;
    }
    if (old.country && p.country && old.country !== p.country) {
      add(
        PolicyChangeKind.CHANGED,
        PolicyEntity.PARTNER_COUNTRY,
        p.key,
        `${p.name} now handles your data in ${placeName(p.country)} instead of ${placeName(old.country)}.`,
      );
    }
    if (old.role !== p.role) {
      add(
        PolicyChangeKind.CHANGED,
        PolicyEntity.PARTNER,
        p.key,
        `${p.name} is now ${ROLE[p.role as PartnerRole] ?? p.role} instead of ${ROLE[old.role as PartnerRole] ?? old.role}.`,
      );
    }
    if (old.name !== p.name) {
      add(
        PolicyChangeKind.CHANGED,
        PolicyEntity.PARTNER,
        p.key,
        `The partner we called ${old.name} is now called ${p.name}.`,
      );
    }
  }
  for (const p of a.partners.filter((x) => !after.has(x.key))) {
    add(PolicyChangeKind.REMOVED, PolicyEntity.PARTNER, p.key, `We no longer share data with ${p.name}.`);
  }
}

interface Names {
  categories: (keys: string[]) => string;
  partnerName: (key: string) => string;
  purposeName: (key: string) => string;
}

/** Agreements: what each partner gets, why, whether it buys it or uses it for ads, how long it keeps it. */
function diffAgreements(
  before: SnapshotAgreement[] | undefined,
  after: SnapshotAgreement[] | undefined,
  add: Change,
  n: Names,
): void {
  // A snapshot from before agreements were recorded cannot be compared agreement by agreement.
  if (!before || !after) return;
  const old = new Map(before.map((x) => [x.key, x]));
  const now = new Map(after.map((x) => [x.key, x]));
  const kept = (x: SnapshotAgreement) =>
    x.retentionDays === null ? "" : `, and it keeps it ${forDuration(x.retentionDays)}`;
  for (const x of after) {
    const partner = n.partnerName(x.partner);
    const was = old.get(x.key);
    if (!was) {
      const how = x.isSale ? "We now sell" : "We now share";
      const ads = x.isSharingForAdvertising ? " for ads" : "";
      add(
        PolicyChangeKind.ADDED,
        PolicyEntity.AGREEMENT,
        x.key,
        `${how} ${n.categories(x.dataCategories)} ${x.isSale ? "to" : "with"} ${partner}${ads}, for "${n.purposeName(x.purpose)}"${kept(x)}.`,
      );
      continue;
    }
    const more = gained(was.dataCategories, x.dataCategories);
    const less = gained(x.dataCategories, was.dataCategories);
    if (more.length > 0)
      add(
        PolicyChangeKind.CHANGED,
        PolicyEntity.AGREEMENT,
        x.key,
        `We now also share ${n.categories(more)} with ${partner}.`,
      );
    if (less.length > 0)
      add(
        PolicyChangeKind.CHANGED,
        PolicyEntity.AGREEMENT,
        x.key,
        `We no longer share ${n.categories(less)} with ${partner}.`,
      );
    if (was.isSale !== x.isSale) {
      add(
        PolicyChangeKind.CHANGED,
        PolicyEntity.AGREEMENT,
        x.key,
        x.isSale
          ? `We now sell your data to ${partner}; before, we did not.`
          : `We no longer sell your data to ${partner}.`,
      );
    }
    if (was.isSharingForAdvertising !== x.isSharingForAdvertising) {
      add(
        PolicyChangeKind.CHANGED,
        PolicyEntity.AGREEMENT,
        x.key,
        x.isSharingForAdvertising
          ? `${partner} now uses your data for ads; before, it did not.`
          : `${partner} no longer uses your data for ads.`,
      );
    }
    if (was.retentionDays !== x.retentionDays) {
      add(
        PolicyChangeKind.CHANGED,
        PolicyEntity.AGREEMENT,
        x.key,
        `${partner} now keeps your data ${forDuration(x.retentionDays)} instead of ${duration(was.retentionDays)}.`,
      );
    }
    if (was.purpose !== x.purpose) {
      add(
        PolicyChangeKind.CHANGED,
        PolicyEntity.AGREEMENT,
        x.key,
        `We now share data with ${partner} for "${n.purposeName(x.purpose)}" instead of "${n.purposeName(was.purpose)}".`,
      );
    }
  }
  for (const x of before.filter((y) => !now.has(y.key))) {
    add(
      PolicyChangeKind.REMOVED,
      PolicyEntity.AGREEMENT,
      x.key,
      `We no longer ${x.isSale ? "sell" : "share"} ${n.categories(x.dataCategories)} ${x.isSale ? "to" : "with"} ${n.partnerName(x.partner)}.`,
    );
  }
}
