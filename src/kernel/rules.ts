import { allow, or, rule } from "graphql-shield";
import type { Context } from "./context";
import { Role } from "./principal";

// The vocabulary of access, by ROLE and SCOPE. Ownership is not a rule: services filter by the
// caller's subject (DESIGN §4). Each rule carries a label for the permission snapshot.

export type ShieldRule = Parameters<typeof or>[0];

const labels = new WeakMap<object, string>();

function labelled<R extends ShieldRule>(r: R, label: string): R {
  labels.set(r as object, label);
  return r;
}

export function describeRule(r: ShieldRule): string {
  return labels.get(r as object) ?? "unlabelled";
}

const roleIs = (role: Role, label: string) =>
  labelled(
    rule(`role:${role}`, { cache: "contextual" })((_p, _a, ctx: Context) => ctx.principal.role === role),
    label,
  );

export const anyone = labelled(allow, "anyone");
export const subject = roleIs(Role.SUBJECT, "subject");
export const admin = roleIs(Role.ADMIN, "admin");
export const partner = roleIs(Role.PARTNER, "partner");

export const service = roleIs(Role.SERVICE, "service");

// One rule object per scope: shield refuses two different rules under one name.
const scopes = new Map<string, ShieldRule>();
export const scope = (name: string): ShieldRule => {
  if (!scopes.has(name)) {
    scopes.set(
      name,
      labelled(
        rule(`scope:${name}`, { cache: "contextual" })(
          (_p, _a, ctx: Context) => ctx.principal.role === Role.SERVICE && ctx.principal.scopes.includes(name),
        ),
        `service:${name}`,
      ),
    );
  }
  return scopes.get(name)!;
};

export const anyOf = (...rules: ShieldRule[]) => labelled(or(...rules), rules.map(describeRule).join(" | "));

/** type → a rule for every field, or field → rule. */
export type PermissionMap = Record<string, ShieldRule | Record<string, ShieldRule>>;
