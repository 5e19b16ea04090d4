import { GraphQLError } from "graphql";
import { deny, shield } from "graphql-shield";
import { describeRule, type PermissionMap, type ShieldRule } from "../kernel/rules";
import { catalogPermissions } from "../modules/catalog/catalog.rules";
import { consentPermissions } from "../modules/consent/consent.rules";
import { decisionPermissions } from "../modules/decisions/decisions.rules";
import { sharingPermissions } from "../modules/sharing/sharing.rules";
import { auditPermissions } from "../modules/audit/audit.rules";
import { breachPermissions } from "../modules/breach/breach.rules";
import { policyPermissions } from "../modules/policy/policy.rules";
import { rightsPermissions } from "../modules/rights/rights.rules";
import { viewerPermissions } from "../modules/people/viewer.rules";
import { admin, anyOf, anyone, subject } from "../kernel/rules";

/** The read models assembled here (src/app/queries). */
const appPermissions: PermissionMap = {
  Subject: { dataUse: anyOf(subject, admin) },
  DataUse: anyOf(subject, admin),
  // Published figures (11 CCR 7102): anyone may read them, like the policy they belong to.
  RequestMetrics: anyone,
};

/** Every domain's rules, merged. A field missing here is denied (fallbackRule: deny). */
export function permissionMap(): PermissionMap {
  const merged: PermissionMap = {};
  for (const part of [
    appPermissions,
    catalogPermissions,
    viewerPermissions,
    consentPermissions,
    decisionPermissions,
    sharingPermissions,
    auditPermissions,
    breachPermissions,
    policyPermissions,
    rightsPermissions,
  ]) {
    for (const [type, rules] of Object.entries(part)) {
      const existing = merged[type];
      if (existing !== undefined && (isRule(existing) || isRule(rules)))
        throw new Error(`Permission for ${type} declared twice`);
      merged[type] = isRule(rules) ? rules : { ...(existing as Record<string, ShieldRule> | undefined), ...rules };
    }
  }
  return merged;
}

function isRule(value: unknown): value is ShieldRule {
  return typeof value === "object" && value !== null && ("resolve" in value || "getRules" in value);
}

/** The map as labels, for the reviewed snapshot of who may call what. */
export function describePermissions(
  map: PermissionMap = permissionMap(),
): Record<string, string | Record<string, string>> {
  const out: Record<string, string | Record<string, string>> = {};
  for (const type of Object.keys(map).sort()) {
    const rules = map[type];
    out[type] = isRule(rules)
      ? describeRule(rules)
      : Object.fromEntries(
          Object.keys(rules)
            .sort()
            .map((field) => [field, describeRule(rules[field])]),
        );
  }
  return out;
}

export const shieldOptions = {
  fallbackRule: deny,
  fallbackError: new GraphQLError("You may not do this", { extensions: { code: "FORBIDDEN" } }),
  // Resolvers' own errors (validation, not found, internal) pass through unchanged.
  allowExternalErrors: true,
};

export function permissionsMiddleware(map: PermissionMap = permissionMap()) {
  return shield(map as never, shieldOptions);
}
