import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { fromGlobalId } from "../../kernel/ids";
import type { Context } from "../../kernel/context";
import { userErrorFrom } from "../../kernel/graphql/user-error";
import { AlgorithmCard, DataCategory, Partner, Purpose, Surface } from "../catalog";
import { ConsentCheck } from "../consent";
import { Subject } from "../people";
import { Decision } from "./decision.entity";
import {
  DecisionArgs,
  DecisionsArgs,
  ExplanationArgs,
  RecordDecisionsInput,
  SetRecommenderModeInput,
  WhyAmISeeingArgs,
  HideSponsorInput,
} from "./decisions.inputs";
import {
  Control,
  DecisionConnection,
  DecisionResult,
  Explanation,
  Factor,
  RecordDecisionsPayload,
  SetRecommenderModePayload,
  Sponsor,
  SurfaceMode,
  HideSponsorPayload,
} from "./decisions.types";

@Resolver(() => Decision)
export class DecisionResolver {
  @Mutation(() => RecordDecisionsPayload, {
    description: "At most 1000 decisions a call; each is accepted or refused on its own.",
  })
  async recordDecisions(
    @Arg("input") input: RecordDecisionsInput,
    @Ctx() ctx: Context,
  ): Promise<RecordDecisionsPayload> {
    const outcomes = await ctx.services.decisions.record(ctx.principal, input.decisions);
    return Object.assign(new RecordDecisionsPayload(), {
      results: outcomes.map((o) =>
        Object.assign(new DecisionResult(), {
          index: o.index,
          decision: o.decision,
          userErrors: o.problems.map(userErrorFrom),
        }),
      ),
    });
  }

  @Mutation(() => HideSponsorPayload, {
    description:
      "Stop seeing ads from a sponsor (hidden: false shows them again); later ads on its behalf are refused.",
  })
  async hideSponsor(@Arg("input") input: HideSponsorInput, @Ctx() ctx: Context): Promise<HideSponsorPayload> {
    const subject = await ctx.services.decisions.hideSponsor(
      ctx.principal,
      input.sponsor,
      input.hidden ?? true,
      input.idempotencyKey,
    );
    ctx.loaders.decisions.forget(subject.id);
    return Object.assign(new HideSponsorPayload(), { subject });
  }

  @Mutation(() => SetRecommenderModePayload)
  async setRecommenderMode(
    @Arg("input") input: SetRecommenderModeInput,
    @Ctx() ctx: Context,
  ): Promise<SetRecommenderModePayload> {
    const subject = await ctx.services.decisions.setRecommenderMode(
      ctx.principal,
      input.surface,
      input.mode,
      input.idempotencyKey,
    );
    if (subject) ctx.loaders.decisions.forget(subject.id);
    return Object.assign(new SetRecommenderModePayload(), { subject });
  }

  @Query(() => Decision, {
    nullable: true,
    description: "A subject's own decision (another person's answers null), or any for an admin.",
  })
  async decision(@Args() { id }: DecisionArgs, @Ctx() ctx: Context): Promise<Decision | null> {
    const ref = fromGlobalId(id);
    return ref?.type === "Decision" ? ctx.services.decisionReader.visible(ctx.loaders, ctx, ref.id) : null;
  }

  @Query(() => Decision, {
    nullable: true,
    description: "The latest decision that showed this item to the caller on this surface.",
  })
  async whyAmISeeing(@Args() { surface, itemRef }: WhyAmISeeingArgs, @Ctx() ctx: Context): Promise<Decision | null> {
    const me = await ctx.me();
    return me ? ctx.services.decisionReader.latest(ctx.loaders, me, surface, itemRef) : null;
  }

  @FieldResolver(() => Surface)
  async surface(@Root() d: Decision, @Ctx() ctx: Context): Promise<Surface> {
    return (await ctx.loaders.catalog.surface.load(d.surfaceId))!;
  }

  @FieldResolver(() => AlgorithmCard)
  async algorithm(@Root() d: Decision, @Ctx() ctx: Context): Promise<AlgorithmCard> {
    return (await ctx.loaders.catalog.algorithmCard.load(d.algorithmCardId))!;
  }

  @FieldResolver(() => [Factor], { description: "Every factor that influenced this decision, largest share first." })
  factors(@Root() d: Decision, @Ctx() ctx: Context): Promise<Factor[]> {
    return ctx.services.decisionReader.factors(ctx.loaders, d);
  }

  @FieldResolver(() => Sponsor, { nullable: true })
  sponsor(@Root() d: Decision): Sponsor | null {
    return d.sponsorOnBehalfOf === null
      ? null
      : Object.assign(new Sponsor(), { onBehalfOf: d.sponsorOnBehalfOf, paidBy: d.sponsorPaidBy });
  }

  @FieldResolver(() => Explanation)
  explanation(@Root() d: Decision, @Args() { locale }: ExplanationArgs, @Ctx() ctx: Context): Promise<Explanation> {
    return ctx.services.decisionReader.explain(ctx.loaders, d, locale);
  }
}

@Resolver(() => Factor)
export class FactorResolver {
  @FieldResolver(() => Purpose)
  async purpose(@Root() f: Factor, @Ctx() ctx: Context): Promise<Purpose> {
    return (await ctx.loaders.catalog.purpose.load(f.row.purposeId))!;
  }

  @FieldResolver(() => DataCategory)
  async dataCategory(@Root() f: Factor, @Ctx() ctx: Context): Promise<DataCategory> {
    return (await ctx.loaders.catalog.dataCategory.load(f.row.dataCategoryId))!;
  }

  @FieldResolver(() => Partner, { nullable: true })
  sourcePartner(@Root() f: Factor, @Ctx() ctx: Context): Promise<Partner | null> | null {
    return f.row.sourcePartnerId ? ctx.loaders.catalog.partner.load(f.row.sourcePartnerId) : null;
  }

  @FieldResolver(() => [Control])
  controls(@Root() f: Factor, @Ctx() ctx: Context): Promise<Control[]> {
    return ctx.services.decisionReader.controls(ctx.loaders, f);
  }
}

@Resolver(() => Control)
export class ControlResolver {
  @FieldResolver(() => Purpose, { nullable: true })
  purpose(@Root() c: Control, @Ctx() ctx: Context): Promise<Purpose | null> | null {
    return c.purposeId ? ctx.loaders.catalog.purpose.load(c.purposeId) : null;
  }
}

@Resolver(() => Subject)
export class SubjectDecisionsResolver {
  @FieldResolver(() => DecisionConnection)
  decisions(
    @Root() subject: Subject,
    @Args() { first, after, surface }: DecisionsArgs,
    @Ctx() ctx: Context,
  ): Promise<DecisionConnection> {
    return ctx.services.decisionReader.page(ctx.loaders, subject, first, after, surface);
  }

  @FieldResolver(() => [String], { description: "Sponsors (onBehalfOf) this person chose not to see ads from." })
  hiddenSponsors(@Root() subject: Subject, @Ctx() ctx: Context): Promise<string[]> {
    return ctx.loaders.decisions.hiddenSponsors.load(subject.id);
  }

  @FieldResolver(() => [SurfaceMode], { description: "The person's recommender mode on every surface." })
  recommenderModes(@Root() subject: Subject, @Ctx() ctx: Context): Promise<SurfaceMode[]> {
    return ctx.services.decisionReader.modesOf(ctx.loaders, subject);
  }
}

@Resolver(() => ConsentCheck)
export class ConsentCheckModesResolver {
  @FieldResolver(() => [SurfaceMode], {
    description: "The person's recommender mode on every surface, so the engine can comply before it decides.",
  })
  async recommenderModes(@Root() check: ConsentCheck, @Ctx() ctx: Context): Promise<SurfaceMode[]> {
    return ctx.services.decisionReader.modesOf(
      ctx.loaders,
      await ctx.loaders.people.subjectByExternalId.load(check.subjectExternalId),
    );
  }
}
