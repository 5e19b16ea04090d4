import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { actorOf } from "../../kernel/principal";
import type { Context } from "../../kernel/context";
import { DataCategory } from "../catalog";
import { Subject } from "../people";
import { BreachIncident, BreachNotice } from "./breach.entity";
import { AcknowledgeBreachNoticeInput, ReportBreachIncidentInput, UpdateBreachIncidentInput } from "./breach.inputs";
import { AcknowledgeBreachNoticePayload, BreachIncidentPayload } from "./breach.types";

const categories = async (ctx: Context, ids: string[]) =>
  (await ctx.loaders.catalog.dataCategory.loadMany(ids)).filter((c): c is DataCategory => c instanceof DataCategory);

@Resolver(() => BreachIncident)
export class BreachIncidentResolver {
  @Mutation(() => BreachIncidentPayload)
  async reportBreachIncident(
    @Arg("input") input: ReportBreachIncidentInput,
    @Ctx() ctx: Context,
  ): Promise<BreachIncidentPayload> {
    const { incident, notified } = await ctx.services.breaches.report(actorOf(ctx.principal), input);
    return Object.assign(new BreachIncidentPayload(), { incident, notified });
  }

  @Mutation(() => BreachIncidentPayload)
  async updateBreachIncident(
    @Arg("input") input: UpdateBreachIncidentInput,
    @Ctx() ctx: Context,
  ): Promise<BreachIncidentPayload> {
    const incident = await ctx.services.breaches.update(actorOf(ctx.principal), input);
    ctx.loaders.breach.incident.clear(incident.id).prime(incident.id, incident);
    return Object.assign(new BreachIncidentPayload(), { incident, notified: 0 });
  }

  @FieldResolver(() => [DataCategory])
  dataCategories(@Root() incident: BreachIncident, @Ctx() ctx: Context): Promise<DataCategory[]> {
    return categories(ctx, incident.dataCategoryIds);
  }
}

@Resolver(() => BreachNotice)
export class BreachNoticeResolver {
  @Mutation(() => AcknowledgeBreachNoticePayload)
  async acknowledgeBreachNotice(
    @Arg("input") input: AcknowledgeBreachNoticeInput,
    @Ctx() ctx: Context,
  ): Promise<AcknowledgeBreachNoticePayload> {
    const me = await ctx.me();
    const breachNotice = me ? await ctx.services.breaches.acknowledge(actorOf(ctx.principal), me.id, input.id) : null;
    return Object.assign(new AcknowledgeBreachNoticePayload(), { breachNotice });
  }

  @FieldResolver(() => BreachIncident)
  async incident(@Root() notice: BreachNotice, @Ctx() ctx: Context): Promise<BreachIncident> {
    return (await ctx.loaders.breach.incident.load(notice.incidentId))!;
  }

  @FieldResolver(() => [DataCategory], { description: "The categories of this person's data that were exposed." })
  affectedDataCategories(@Root() notice: BreachNotice, @Ctx() ctx: Context): Promise<DataCategory[]> {
    return categories(ctx, notice.affectedCategoryIds);
  }
}

@Resolver(() => Subject)
export class SubjectBreachResolver {
  @FieldResolver(() => [BreachNotice])
  breachNotices(@Root() subject: Subject, @Ctx() ctx: Context): Promise<BreachNotice[]> {
    return ctx.loaders.breach.noticesBySubject.load(subject.id);
  }
}
