import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { actorOf } from "../../kernel/principal";
import type { Context } from "../../kernel/context";
import { userErrorFrom } from "../../kernel/graphql/user-error";
import { DataCategory, Partner, Purpose, SharingAgreement } from "../catalog";
import { PageArgs } from "../../kernel/graphql/connection";
import { Subject } from "../people";
import { PartnerSignal } from "./partner-signal.entity";
import { SharingEvent } from "./sharing-event.entity";
import {
  AcknowledgePartnerSignalsInput,
  PartnerSignalsArgs,
  RecordSharingEventsInput,
  SetPartnerWebhookInput,
} from "./sharing.inputs";
import {
  AcknowledgePartnerSignalsPayload,
  PartnerSignalConnection,
  Recipient,
  RecordSharingEventsPayload,
  SetPartnerWebhookPayload,
  SharingEventConnection,
  SharingEventResult,
} from "./sharing.types";

const categoriesOf = async (ctx: Context, ids: string[]) =>
  (await ctx.loaders.catalog.dataCategory.loadMany(ids)).filter((c): c is DataCategory => c instanceof DataCategory);

@Resolver()
export class SharingResolver {
  @Mutation(() => RecordSharingEventsPayload, {
    description: "At most 1000 events a call; each is accepted or refused on its own.",
  })
  async recordSharingEvents(
    @Arg("input") input: RecordSharingEventsInput,
    @Ctx() ctx: Context,
  ): Promise<RecordSharingEventsPayload> {
    const outcomes = await ctx.services.sharing.record(ctx.principal, input.events);
    return Object.assign(new RecordSharingEventsPayload(), {
      results: outcomes.map((o) =>
        Object.assign(new SharingEventResult(), {
          index: o.index,
          event: o.event,
          userErrors: o.problems.map(userErrorFrom),
        }),
      ),
    });
  }

  @Query(() => PartnerSignalConnection, {
    description: "Signals about people whose data this partner received, oldest first.",
  })
  partnerSignals(
    @Args() { first, after, since }: PartnerSignalsArgs,
    @Ctx() ctx: Context,
  ): Promise<PartnerSignalConnection> {
    return ctx.services.signals.feed(ctx.principal.partnerId!, first, after, since) as Promise<PartnerSignalConnection>;
  }

  @Mutation(() => AcknowledgePartnerSignalsPayload)
  async acknowledgePartnerSignals(
    @Arg("input") input: AcknowledgePartnerSignalsInput,
    @Ctx() ctx: Context,
  ): Promise<AcknowledgePartnerSignalsPayload> {
    const acknowledged = await ctx.services.signals.acknowledge(
      ctx.principal.partnerId!,
      actorOf(ctx.principal),
      input.ids,
    );
    return Object.assign(new AcknowledgePartnerSignalsPayload(), { acknowledged });
  }

  @Mutation(() => SetPartnerWebhookPayload)
  async setPartnerWebhook(
    @Arg("input") input: SetPartnerWebhookInput,
    @Ctx() ctx: Context,
  ): Promise<SetPartnerWebhookPayload> {
    const { partner, secret } = await ctx.services.webhooks.set(actorOf(ctx.principal), input.partner, input.url);
    return Object.assign(new SetPartnerWebhookPayload(), { partner, secret });
  }
}

@Resolver(() => SharingEvent)
export class SharingEventResolver {
  @FieldResolver(() => Partner)
  async partner(@Root() e: SharingEvent, @Ctx() ctx: Context): Promise<Partner> {
    return (await ctx.loaders.catalog.partner.load(e.partnerId))!;
  }

  @FieldResolver(() => SharingAgreement)
  async agreement(@Root() e: SharingEvent, @Ctx() ctx: Context): Promise<SharingAgreement> {
    return (await ctx.loaders.catalog.sharingAgreement.load(e.agreementId))!;
  }

  @FieldResolver(() => [DataCategory])
  dataCategories(@Root() e: SharingEvent, @Ctx() ctx: Context): Promise<DataCategory[]> {
    return categoriesOf(ctx, e.dataCategoryIds);
  }
}

@Resolver(() => PartnerSignal)
export class PartnerSignalResolver {
  @FieldResolver(() => Purpose, { nullable: true })
  purpose(@Root() s: PartnerSignal, @Ctx() ctx: Context): Promise<Purpose | null> | null {
    return s.purposeId ? ctx.loaders.catalog.purpose.load(s.purposeId) : null;
  }

  @FieldResolver(() => SharingAgreement, {
    nullable: true,
    description: "The agreement under which this partner received the data the signal is about.",
  })
  agreement(@Root() s: PartnerSignal, @Ctx() ctx: Context): Promise<SharingAgreement | null> {
    return ctx.loaders.catalog.sharingAgreement.load(s.agreementId);
  }
}

@Resolver(() => Recipient)
export class RecipientResolver {
  @FieldResolver(() => Partner)
  async partner(@Root() r: Recipient, @Ctx() ctx: Context): Promise<Partner> {
    return (await ctx.loaders.catalog.partner.load(r.partnerId))!;
  }

  @FieldResolver(() => [Purpose])
  async purposes(@Root() r: Recipient, @Ctx() ctx: Context): Promise<Purpose[]> {
    return (await ctx.loaders.catalog.purpose.loadMany(r.purposeIds)).filter((p): p is Purpose => p instanceof Purpose);
  }

  @FieldResolver(() => [DataCategory])
  dataCategories(@Root() r: Recipient, @Ctx() ctx: Context): Promise<DataCategory[]> {
    return categoriesOf(ctx, r.dataCategoryIds);
  }
}

@Resolver(() => Subject)
export class SubjectSharingResolver {
  @FieldResolver(() => SharingEventConnection)
  sharingEvents(
    @Root() subject: Subject,
    @Args() { first, after }: PageArgs,
    @Ctx() ctx: Context,
  ): Promise<SharingEventConnection> {
    return ctx.services.sharingReader.events(subject, first, after);
  }

  @FieldResolver(() => [Recipient], {
    description: "Every partner that received this person's data, with what and why.",
  })
  recipients(@Root() subject: Subject, @Ctx() ctx: Context): Promise<Recipient[]> {
    return ctx.services.sharingReader.recipients(subject, async (ids) => {
      const agreements = await ctx.loaders.catalog.sharingAgreement.loadMany(ids);
      return new Map(
        agreements.filter((a): a is SharingAgreement => a instanceof SharingAgreement).map((a) => [a.id, a.purposeId]),
      );
    });
  }
}
