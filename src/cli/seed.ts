import { In, type EntityManager } from "typeorm";
import { appendAudit } from "../kernel/audit/audit-log";
import { chunks } from "../kernel/db/chunks";
import type { Database } from "../kernel/db/database";
import { newId } from "../kernel/ids";
import { DecisionKind, RecommenderMode } from "../modules/catalog/catalog.enums";
import { AlgorithmCard } from "../modules/catalog/algorithm-card.entity";
import { DataCategory } from "../modules/catalog/data-category.entity";
import { Purpose } from "../modules/catalog/purpose.entity";
import { Surface } from "../modules/catalog/surface.entity";
import { Channel } from "../modules/consent/consent.enums";
import { DecisionFactor } from "../modules/decisions/decision-factor.entity";
import { Decision } from "../modules/decisions/decision.entity";
import { FactorKind, SourceClass } from "../modules/decisions/decisions.enums";
import { decisionIntegrityHash } from "../modules/decisions/integrity";
import { Subject } from "../modules/people/subject.entity";

// `candor seed`: a large database for benchmarks and for EXPLAIN, written into the real tables
// with valid data (catalog keys that exist, factors whose purposes declare their categories,
// integrity hashes that verify). People are `seed-person-<n>` (US-CA), n from 0; each gets
// decisions/people decisions spread over the last 25 days. It is resumable: people come in
// batches of BATCH, each batch one transaction with its people, decisions, factors and ONE audit
// entry (`seed.batch`, the range it wrote), so the hash chain stays whole and verifyAuditLog
// passes. A run writes only the people of its range that do not exist yet (one lookup per
// batch), so an interrupted run, run again, continues where it stopped. It never goes through
// the API: no consent events, no idempotency records, no per-person audit entries.

export const SEED_PREFIX = "seed-person-";
const BATCH = 500;
const DAY_MS = 24 * 3600 * 1000;

export interface SeedOptions {
  people: number;
  decisions: number;
  /**
   * Decisions fall in the `spreadDays` days before `daysAgo` days ago (default: the last 25 days,
   * inside the 30-day retention of the shortest category used, so a data audit keeps them all).
   */
  spreadDays?: number;
  daysAgo?: number;
  /** Progress, once per batch written. */
  onBatch?: (done: number, total: number) => void;
}

interface Template {
  surface: Surface;
  card: AlgorithmCard;
  factors: Array<{
    kind: FactorKind;
    purpose: Purpose;
    category: DataCategory;
    sourceClass: SourceClass;
    share: number;
  }>;
}

/** The demo catalog's home-feed recommendation: the catalog must have been applied first. */
async function template(m: EntityManager): Promise<Template> {
  const surface = await m.findOneBy(Surface, { key: "home-feed" });
  const card = await m.findOneBy(AlgorithmCard, { key: "product-recommender", version: "2" });
  const purpose = (key: string) => m.findOneByOrFail(Purpose, { key });
  const category = (key: string) => m.findOneByOrFail(DataCategory, { key });
  if (!surface || !card)
    throw new Error("seed needs the demo catalog (surface home-feed, product-recommender v2): apply catalog/demo.yaml");
  return {
    surface,
    card,
    factors: [
      {
        kind: FactorKind.BEHAVIORAL,
        purpose: await purpose("personalized-recommendations"),
        category: await category("user.behavior.browsing_history"),
        sourceClass: SourceClass.OBSERVED,
        share: 0.7,
      },
      {
        kind: FactorKind.POPULARITY,
        purpose: await purpose("store-operation"),
        category: await category("user.behavior.current_visit"),
        sourceClass: SourceClass.CONTEXTUAL,
        share: 0.3,
      },
    ],
  };
}

/** Person n's decisions: `count` of them, a day apart, going back from `end` (mod `spread` days). */
function decisionsOf(t: Template, subjectId: string, n: number, count: number, end: Date, spread: number) {
  const decisions: Decision[] = [];
  const factors: DecisionFactor[] = [];
  for (let i = 0; i < count; i++) {
    const occurredAt = new Date(end.getTime() - ((n + i) % spread) * DAY_MS - i * 1000);
    const decision = Object.assign(new Decision(), {
      id: newId(),
      subjectId,
      surfaceId: t.surface.id,
      algorithmCardId: t.card.id,
      kind: DecisionKind.RECOMMENDATION,
      itemRef: `sku-${(n * 7 + i) % 1000}`,
      itemLabel: `Seed item ${(n * 7 + i) % 1000}`,
      itemLabels: null,
      occurredAt,
      recordedAt: end,
      channel: Channel.WEB,
      mode: RecommenderMode.PERSONALIZED,
      score: null,
      baseScore: null,
      threshold: null,
      sponsorOnBehalfOf: null,
      sponsorPaidBy: null,
      recordedBy: "cli:seed",
    });
    const own = t.factors.map((f, position) =>
      Object.assign(new DecisionFactor(), {
        decisionId: decision.id,
        position,
        subjectId,
        kind: f.kind,
        purposeId: f.purpose.id,
        dataCategoryId: f.category.id,
        sourceClass: f.sourceClass,
        sourcePartnerId: null,
        share: f.share,
        contribution: null,
        observedFrom: null,
        observedTo: null,
        evidence: [],
      }),
    );
    decision.integrityHash = decisionIntegrityHash(decision, own);
    decisions.push(decision);
    factors.push(...own);
  }
  return { decisions, factors };
}

/** Writes what is missing; answers how many batches it wrote and how many it found done. */
export async function seed(db: Database, options: SeedOptions): Promise<{ written: number; skipped: number }> {
  const t = await template(db.manager);
  let written = 0;
  let skipped = 0;
  for (let from = 0; from < options.people; from += BATCH) {
    const to = Math.min(options.people, from + BATCH);
    const wanted = Array.from({ length: to - from }, (_, i) => `${SEED_PREFIX}${from + i}`);
    // Each batch is one transaction: a person exists with all their decisions, or not at all.
    const existing = new Set(
      (await db.manager.find(Subject, { where: { externalId: In(wanted) }, select: { externalId: true } })).map(
        (p) => p.externalId,
      ),
    );
    if (existing.size === wanted.length) {
      skipped += 1;
      continue;
    }
    await db.transaction(async (m) => {
      const now = new Date();
      const people: Subject[] = [];
      const decisions: Decision[] = [];
      const factors: DecisionFactor[] = [];
      for (let n = from; n < to; n++) {
        if (existing.has(`${SEED_PREFIX}${n}`)) continue;
        const subject = Object.assign(new Subject(), {
          id: newId(),
          externalId: `${SEED_PREFIX}${n}`,
          jurisdictionCode: "US-CA",
          ageBracket: null,
          gpc: false,
          gpcAt: null,
          createdAt: now,
          updatedAt: now,
        });
        people.push(subject);
        // decisions/people each, the remainder spread over the first people.
        const count = Math.floor(options.decisions / options.people) + (n < options.decisions % options.people ? 1 : 0);
        const end = new Date(now.getTime() - (options.daysAgo ?? 0) * DAY_MS);
        const own = decisionsOf(t, subject.id, n, count, end, options.spreadDays ?? 25);
        decisions.push(...own.decisions);
        factors.push(...own.factors);
      }
      for (const part of chunks(people, 500)) await m.insert(Subject, part);
      for (const part of chunks(decisions, 500)) await m.insert(Decision, part);
      for (const part of chunks(factors, 1000)) await m.insert(DecisionFactor, part);
      const detail = { from, to, people: people.length, decisions: decisions.length };
      await appendAudit(
        m,
        [{ actor: "cli:seed", action: "seed.batch", entityType: "SeedBatch", entityId: `${from}-${to}`, detail }],
        now,
      );
    });
    written += 1;
    options.onBatch?.(to, options.people);
  }
  return { written, skipped };
}
