import { Role } from "../../kernel/principal";
import type { Caller } from "../../kernel/context";

/**
 * Ownership is a data filter (DESIGN §4): a person's own object for a subject, any for an admin,
 * null for everyone else — exactly what a missing object answers, so nothing leaks that it exists.
 */
export async function ownedBy<T>(ctx: Caller, object: T | null, ownerId: (o: T) => string): Promise<T | null> {
  if (!object) return null;
  if (ctx.principal.role === Role.ADMIN) return object;
  const me = await ctx.me();
  return me && ownerId(object) === me.id ? object : null;
}
