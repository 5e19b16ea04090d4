import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import type { DecisionFactor } from "./decision-factor.entity";
import type { Decision } from "./decision.entity";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * SHA-256 (hex) over the RFC 8785 canonical JSON of the decision as recorded, factors included:
 * recomputable from the stored rows alone, and different if any recorded field changes.
 */
export function decisionIntegrityHash(
  d: Omit<Decision, "integrityHash" | "globalId">,
  factors: DecisionFactor[],
): string {
  const body = {
    id: d.id,
    subjectId: d.subjectId,
    surfaceId: d.surfaceId,
    algorithmCardId: d.algorithmCardId,
    kind: d.kind,
    itemRef: d.itemRef,
    itemLabel: d.itemLabel,
    occurredAt: iso(d.occurredAt),
    recordedAt: iso(d.recordedAt),
    channel: d.channel,
    mode: d.mode,
    score: d.score,
    baseScore: d.baseScore,
    // Only when given: decisions recorded before thresholds existed keep their hashes.
    ...(d.threshold !== null && d.threshold !== undefined ? { threshold: d.threshold } : {}),
    ...(d.itemLabels ? { itemLabels: d.itemLabels } : {}),
    sponsor: d.sponsorOnBehalfOf === null ? null : { onBehalfOf: d.sponsorOnBehalfOf, paidBy: d.sponsorPaidBy },
    recordedBy: d.recordedBy,
    factors: [...factors]
      .sort((a, b) => a.position - b.position)
      .map((f) => ({
        position: f.position,
        kind: f.kind,
        purposeId: f.purposeId,
        dataCategoryId: f.dataCategoryId,
        sourceClass: f.sourceClass,
        sourcePartnerId: f.sourcePartnerId,
        share: f.share,
        contribution: f.contribution,
        observedFrom: iso(f.observedFrom),
        observedTo: iso(f.observedTo),
        evidence: f.evidence,
      })),
  };
  return createHash("sha256")
    .update(canonicalize(body) ?? "")
    .digest("hex");
}
