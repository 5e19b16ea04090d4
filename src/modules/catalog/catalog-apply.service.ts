import { createHash } from "node:crypto";
import type { EntityManager, EntityTarget, ObjectLiteral } from "typeorm";
import type { Database } from "../../kernel/db/database";
import { newId } from "../../kernel/ids";
import { appendAudit } from "../../kernel/audit/audit-log";
import { AlgorithmCard } from "./algorithm-card.entity";
import { CatalogFileError, parseCatalogFile, type CatalogFile } from "./catalog-file";
import { snapshotCatalog } from "./catalog-snapshot";
import { diffSnapshots } from "./policy-diff";
import { sectionsMissingSummary } from "./privacy-policy.entity";
import { DataCategory } from "./data-category.entity";
import { CONTROLLER_KEY, DataController } from "./data-controller.entity";
import { Partner } from "./partner.entity";
import { PersonalizationLevel } from "./personalization-level.entity";
import { PrivacyPolicy } from "./privacy-policy.entity";
import { bumpCatalogVersion, CATALOG_CHANGED } from "./catalog-version";
import { Purpose } from "./purpose.entity";
import { SharingAgreement } from "./sharing-agreement.entity";
import { Surface } from "./surface.entity";

export interface ApplyResult {
  added: number;
  changed: number;
  unchanged: number;
}

type Row = ObjectLiteral & { id: string };

/** Comparable form of a row: dates as ISO strings, undefined as null. */
const normalize = (value: unknown): unknown =>
  value instanceof Date
    ? value.toISOString()
    : value === undefined
      ? null
      : Array.isArray(value)
        ? value.map(normalize)
        : value;
const same = (a: Row, fields: Record<string, unknown>) =>
  Object.entries(fields).every(([k, v]) => JSON.stringify(normalize(a[k])) === JSON.stringify(normalize(v)));

/**
 * `candor catalog apply`: upserts the whole file in one transaction. Entries are matched by key;
 * only what differs is written, so applying the same file twice changes nothing. Entries absent
 * from the file are kept (decisions and events refer to them): retire them with validTo/endedAt.
 */
export class CatalogApplyService {
  constructor(private readonly db: Database) {}

  async applyFile(file: string, source: string, actor: string): Promise<ApplyResult> {
    const catalog = parseCatalogFile(file, source);
    const digest = createHash("sha256").update(source).digest("hex");
    const result = await this.db.transaction(async (m) => {
      const run = new ApplyRun(m);
      await run.apply(catalog, file);
      if (run.result.added + run.result.changed > 0) {
        await bumpCatalogVersion(m);
        await appendAudit(m, [
          {
            actor,
            action: "catalog.apply",
            entityType: "Catalog",
            entityId: digest.slice(0, 16),
            detail: { sha256: digest, ...run.result },
          },
        ]);
      }
      return run.result;
    });
    if (result.added + result.changed > 0) await this.db.committed(CATALOG_CHANGED);
    return result;
  }
}

class ApplyRun {
  private readonly addedIds = new Set<string>();
  private readonly changedIds = new Set<string>();
  private readonly seenIds = new Set<string>();

  /** Each entry counts once: added, changed (itself or its relations), or unchanged. */
  get result(): ApplyResult {
    return {
      added: this.addedIds.size,
      changed: this.changedIds.size,
      unchanged: this.seenIds.size - this.addedIds.size - this.changedIds.size,
    };
  }

  constructor(private readonly m: EntityManager) {}

  async apply(c: CatalogFile, file: string): Promise<void> {
    const { controller } = c;
    await this.upsert(DataController, () => CONTROLLER_KEY, [
      {
        key: CONTROLLER_KEY,
        ...controller,
        phone: controller.phone ?? null,
        processingLocations: controller.processingLocations ?? null,
      },
    ]);
    const categories = await this.upsert(
      DataCategory,
      (r) => r.key,
      c.dataCategories.map((d, position) => ({
        key: d.key,
        position,
        name: d.name,
        description: d.description,
        sensitive: d.sensitive,
        usableWithoutProfiling: d.usableWithoutProfiling,
        translations: d.translations,
        retentionDays: d.retentionDays ?? null,
        dpvIri: d.dpvIri ?? null,
        gppSensitiveSlot: d.gppSensitiveSlot ?? null,
      })),
    );
    const purposes = await this.upsert(
      Purpose,
      (r) => r.key,
      c.purposes.map((p, position) => ({
        key: p.key,
        position,
        name: p.name,
        description: p.description,
        benefit: p.benefit,
        translations: p.translations,
        legalBasis: p.legalBasis,
        defaultMode: p.defaultMode,
        regulatedUses: p.regulatedUses,
        dpvIri: p.dpvIri ?? null,
      })),
    );
    const ids = (map: Map<string, Row>, keys: string[]) => keys.map((k) => map.get(k)!.id);
    await this.link(
      Purpose,
      "dataCategories",
      c.purposes.map((p) => [purposes.get(p.key)!.id, ids(categories, p.dataCategories)]),
    );

    const levels = await this.upsert(
      PersonalizationLevel,
      (r) => String(r.level),
      c.personalizationLevels.map((l) => ({
        level: l.level,
        name: l.name,
        description: l.description,
        translations: l.translations,
      })),
    );
    await this.link(
      PersonalizationLevel,
      "purposes",
      c.personalizationLevels.map((l) => [levels.get(String(l.level))!.id, ids(purposes, l.purposes)]),
    );

    await this.upsert(
      Surface,
      (r) => r.key,
      c.surfaces.map((s, position) => ({
        key: s.key,
        position,
        name: s.name,
        description: s.description,
        mainParameters: s.mainParameters,
        translations: s.translations,
        modes: s.modes,
      })),
    );

    const versions = c.algorithms.flatMap((a, position) => a.versions.map((v) => ({ a, v, position })));
    const cards = await this.upsert(
      AlgorithmCard,
      (r) => `${r.key}@${r.version}`,
      versions.map(({ a, v, position }) => ({
        key: a.key,
        version: v.version,
        position,
        name: v.name,
        decisionKinds: v.decisionKinds,
        plainLanguageLogic: v.plainLanguageLogic,
        translations: v.translations,
        humanInvolvement: v.humanInvolvement,
        evaluation: v.evaluation ?? null,
        lastReviewedAt: v.lastReviewedAt ?? null,
        validFrom: v.validFrom,
        validTo: v.validTo ?? null,
      })),
    );
    const cardId = (key: string, version: string) => cards.get(`${key}@${version}`)!.id;
    await this.link(
      AlgorithmCard,
      "inputs",
      versions.map(({ a, v }) => [cardId(a.key, v.version), ids(categories, v.inputs)]),
    );
    await this.link(
      AlgorithmCard,
      "purposes",
      versions.map(({ a, v }) => [cardId(a.key, v.version), ids(purposes, v.purposes)]),
    );

    const partners = await this.upsert(
      Partner,
      (r) => r.key,
      c.partners.map((p, position) => ({
        key: p.key,
        position,
        name: p.name,
        role: p.role,
        website: p.website ?? null,
        privacyPolicyUrl: p.privacyPolicyUrl ?? null,
        country: p.country,
        iabVendorId: p.iabVendorId ?? null,
      })),
    );
    const agreementRows = c.partners.flatMap((p) =>
      p.agreements.map((a) => ({ p, a, partnerId: partners.get(p.key)!.id })),
    );
    const agreements = await this.upsert(
      SharingAgreement,
      (r) => `${r.partnerId}/${r.key}`,
      agreementRows.map(({ a, partnerId }) => ({
        key: a.key,
        partnerId,
        purposeId: purposes.get(a.purpose)!.id,
        reason: a.reason,
        translations: a.translations,
        isSale: a.isSale,
        isSharingForAdvertising: a.isSharingForAdvertising,
        retentionDays: a.retentionDays ?? null,
        safeguards: a.safeguards,
        startedAt: a.startedAt,
        endedAt: a.endedAt ?? null,
      })),
    );
    await this.link(
      SharingAgreement,
      "dataCategories",
      agreementRows.map(({ a, partnerId }) => [
        agreements.get(`${partnerId}/${a.key}`)!.id,
        ids(categories, a.dataCategories),
      ]),
    );

    await this.publishPolicy(c.policy, file);
  }

  /** Inserts new rows and updates changed ones; returns every row of the file by its key. */
  private async upsert<T extends Row>(
    target: EntityTarget<T>,
    keyOf: (r: ObjectLiteral) => string,
    desired: Array<Record<string, unknown>>,
  ): Promise<Map<string, Row>> {
    const existing = new Map((await this.m.find(target)).map((r) => [keyOf(r), r as Row]));
    const out = new Map<string, Row>();
    const inserts: Row[] = [];
    for (const fields of desired) {
      const current = existing.get(keyOf(fields));
      if (!current) {
        const row = { id: newId(), ...fields } as Row;
        inserts.push(row);
        this.addedIds.add(row.id);
        this.seenIds.add(row.id);
        out.set(keyOf(fields), row);
      } else if (same(current, fields)) {
        this.seenIds.add(current.id);
        out.set(keyOf(fields), current);
      } else {
        await this.m.update(target, { id: current.id } as never, fields as never);
        this.seenIds.add(current.id);
        this.changedIds.add(current.id);
        out.set(keyOf(fields), { ...current, ...fields });
      }
    }
    if (inserts.length > 0) await this.m.insert(target, inserts as never);
    return out;
  }

  /** Makes a many-to-many relation hold exactly the given targets for each owner. */
  private async link(
    owner: EntityTarget<ObjectLiteral>,
    relation: string,
    wanted: Array<[string, string[]]>,
  ): Promise<void> {
    const junction = this.m.connection
      .getMetadata(owner)
      .findRelationWithPropertyPath(relation)!.junctionEntityMetadata!;
    const ownerColumn = junction.ownerColumns[0].databaseName;
    const targetColumn = junction.inverseColumns[0].databaseName;
    const current = new Set(
      (
        (await this.m
          .createQueryBuilder()
          .select([`j.${ownerColumn} AS o`, `j.${targetColumn} AS t`])
          .from(junction.tableName, "j")
          .getRawMany()) as Array<{ o: string; t: string }>
      ).map((r) => `${r.o}|${r.t}`),
    );
    const desired = new Set(wanted.flatMap(([o, targets]) => targets.map((t) => `${o}|${t}`)));
    const owners = new Set(wanted.map(([o]) => o));
    const toInsert = [...desired].filter((pair) => !current.has(pair));
    const toDelete = [...current].filter((pair) => owners.has(pair.split("|")[0]) && !desired.has(pair));
    if (toInsert.length > 0) {
      await this.m
        .createQueryBuilder()
        .insert()
        .into(junction.tableName)
        .values(
          toInsert.map((pair) => {
            const [o, t] = pair.split("|");
            return { [ownerColumn]: o, [targetColumn]: t };
          }),
        )
        .execute();
    }
    for (const pair of toDelete) {
      const [o, t] = pair.split("|");
      await this.m
        .createQueryBuilder()
        .delete()
        .from(junction.tableName)
        .where(`${ownerColumn} = :o AND ${targetColumn} = :t`, { o, t })
        .execute();
    }
    // A changed relation changes its owner (unless the owner is new in this run).
    for (const pair of [...toInsert, ...toDelete]) {
      const o = pair.split("|")[0];
      if (!this.addedIds.has(o)) this.changedIds.add(o);
    }
  }

  /**
   * Published versions never change: the same version with other content is refused, and so is a
   * change to what the latest version describes (purposes, categories, retention, partners,
   * agreements, legal bases, regulated uses) unless the file publishes a new version with it.
   */
  private async publishPolicy(p: CatalogFile["policy"], file: string): Promise<void> {
    const fields = {
      version: p.version,
      effectiveAt: p.effectiveAt,
      summary: p.summary,
      translations: p.translations,
      sectionData: p.sections,
    };
    const [latest] = await this.m.find(PrivacyPolicy, { order: { version: "DESC" }, take: 1 });
    const practices = await snapshotCatalog(this.m);
    if (latest && p.version <= latest.version) {
      const existing =
        latest.version === p.version ? latest : await this.m.findOneBy(PrivacyPolicy, { version: p.version });
      if (!existing) {
        throw new CatalogFileError(file, [
          `policy: version ${p.version} was never published; the next version is ${latest.version + 1}`,
        ]);
      }
      if (!same(existing, fields)) {
        throw new CatalogFileError(file, [
          `policy: version ${p.version} is already published with other content; publish the change as version ${latest.version + 1}`,
        ]);
      }
      const changes = latest.catalogSnapshot ? diffSnapshots(latest.catalogSnapshot, practices) : [];
      if (changes.length > 0) {
        throw new CatalogFileError(file, [
          `policy: version ${latest.version} is published and describes the catalog as it was; these changes need a new version (${latest.version + 1}) in this file, with its summary and sections:`,
          ...changes.map((c) => `policy: ${c.text}`),
        ]);
      }
      this.seenIds.add(existing.id);
      return;
    }
    const missing = latest ? sectionsMissingSummary(latest.sectionData, p.sections) : [];
    if (missing.length > 0) {
      throw new CatalogFileError(
        file,
        missing.map(
          (i) =>
            `policy.sections[${i}] (${p.sections[i].key}).changeSummary: the body changed since version ${latest!.version}; say what changed in one sentence`,
        ),
      );
    }
    const id = newId();
    await this.m.insert(PrivacyPolicy, { id, ...fields, publishedAt: new Date(), catalogSnapshot: practices } as never);
    this.addedIds.add(id);
    this.seenIds.add(id);
  }
}
