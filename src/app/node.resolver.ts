import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import { Role } from "../kernel/principal";
import { fromGlobalId } from "../kernel/ids";
import type { Context } from "./context";
import { ownedBy } from "../modules/people/ownership";
import { Node } from "../kernel/graphql/node";

/**
 * How each Node type is fetched by id. A domain adds its types here; a loader that filters by
 * owner (the caller's subject) makes another person's object answer null, like a missing one.
 * Field-level shield rules of the type then apply exactly as on its own entry point.
 */
export type NodeFetchers = Record<string, (ctx: Context, id: string) => Promise<Node | null>>;

export const nodeFetchers: NodeFetchers = {
  Purpose: (ctx, id) => ctx.loaders.catalog.purpose.load(id),
  DataCategory: (ctx, id) => ctx.loaders.catalog.dataCategory.load(id),
  Surface: (ctx, id) => ctx.loaders.catalog.surface.load(id),
  AlgorithmCard: (ctx, id) => ctx.loaders.catalog.algorithmCard.load(id),
  Partner: (ctx, id) => ctx.loaders.catalog.partner.load(id),
  SharingAgreement: (ctx, id) => ctx.loaders.catalog.sharingAgreement.load(id),
  PrivacyPolicy: (ctx, id) => ctx.loaders.catalog.privacyPolicy.load(id),
  Subject: async (ctx, id) => ownedBy(ctx, await ctx.loaders.people.subject.load(id), (s) => s.id),
  ConsentEvent: async (ctx, id) => ownedBy(ctx, await ctx.loaders.consent.event.load(id), (e) => e.subjectId),
  Decision: (ctx, id) => ctx.services.decisionReader.visible(ctx.loaders, ctx, id),
  SharingEvent: async (ctx, id) => ownedBy(ctx, await ctx.loaders.sharing.event.load(id), (e) => e.subjectId),
  DataRequest: async (ctx, id) => ownedBy(ctx, await ctx.loaders.rights.request.load(id), (r) => r.subjectId),
  BreachNotice: async (ctx, id) => ownedBy(ctx, await ctx.loaders.breach.notice.load(id), (n) => n.subjectId),
  BreachIncident: async (ctx, id) => {
    const incident = await ctx.loaders.breach.incident.load(id);
    if (!incident || ctx.principal.role === Role.ADMIN) return incident;
    // A person may read an incident only through their own notice of it.
    const me = await ctx.me();
    const notices = me ? await ctx.loaders.breach.noticesBySubject.load(me.id) : [];
    return notices.some((n) => n.incidentId === incident.id) ? incident : null;
  },
  PartnerSignal: async (ctx, id) => {
    const signal = await ctx.loaders.sharing.signal.load(id);
    if (!signal) return null;
    if (ctx.principal.role === Role.ADMIN) return signal;
    return ctx.principal.role === Role.PARTNER && signal.partnerId === ctx.principal.partnerId ? signal : null;
  },
};

@Resolver()
export class NodeResolver {
  @Query(() => Node, {
    nullable: true,
    description: "Fetch any object by global id, subject to the same rules as its own entry point.",
  })
  async node(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Node | null> {
    const ref = fromGlobalId(id);
    const fetch = ref ? nodeFetchers[ref.type] : undefined;
    return ref && fetch ? fetch(ctx, ref.id) : null;
  }
}
