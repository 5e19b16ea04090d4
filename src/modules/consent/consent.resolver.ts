import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import type { Context } from "../../graphql/context";
import { Channel } from "./consent.enums";
import { OptOutOfAllInput, RecordGlobalPrivacyControlInput, SetPersonalizationLevelInput, UpdateConsentsInput, UpsertSubjectInput } from "./consent.inputs";
import type { Call } from "./consent.service";
import { UpdateConsentsPayload, UpsertSubjectPayload } from "./consent.types";

const call = (ctx: Context, operation: string, input: object, channel: Channel, idempotencyKey?: string | null): Call =>
  ({ principal: ctx.principal, operation, input: { ...input }, channel, idempotencyKey });

const payload = (result: { subject: UpdateConsentsPayload["subject"]; receipt?: UpdateConsentsPayload["receipt"] }) =>
  Object.assign(new UpdateConsentsPayload(), { subject: result.subject, receipt: result.receipt ?? null });

/** Consent changes: thin — who may call is shield's, the rules are ConsentService's. */
@Resolver()
export class ConsentMutationResolver {
  @Mutation(() => UpdateConsentsPayload)
  async updateConsents(@Arg("input") input: UpdateConsentsInput, @Ctx() ctx: Context): Promise<UpdateConsentsPayload> {
    const { consent } = ctx.services;
    const subject = await consent.target(ctx.principal, input.subjectExternalId);
    return payload(await consent.updateConsents(call(ctx, "updateConsents", input, input.channel, input.idempotencyKey), subject, input.changes, input.confirmGpcOverride ?? false));
  }

  @Mutation(() => UpdateConsentsPayload)
  async setPersonalizationLevel(@Arg("input") input: SetPersonalizationLevelInput, @Ctx() ctx: Context): Promise<UpdateConsentsPayload> {
    const { consent } = ctx.services;
    const subject = await consent.target(ctx.principal, null);
    return payload(await consent.setPersonalizationLevel(call(ctx, "setPersonalizationLevel", input, input.channel, input.idempotencyKey), subject, input.level, input.confirmGpcOverride ?? false));
  }

  @Mutation(() => UpdateConsentsPayload, { description: "Withdraw every purpose that can be refused." })
  async optOutOfAll(@Arg("input") input: OptOutOfAllInput, @Ctx() ctx: Context): Promise<UpdateConsentsPayload> {
    const { consent } = ctx.services;
    const subject = await consent.target(ctx.principal, input.subjectExternalId);
    return payload(await consent.optOutOfAll(call(ctx, "optOutOfAll", input, input.channel, input.idempotencyKey), subject));
  }

  @Mutation(() => UpdateConsentsPayload)
  async recordGlobalPrivacyControl(@Arg("input") input: RecordGlobalPrivacyControlInput, @Ctx() ctx: Context): Promise<UpdateConsentsPayload> {
    const { consent } = ctx.services;
    const subject = await consent.target(ctx.principal, input.subjectExternalId);
    return payload(await consent.recordGpc(call(ctx, "globalPrivacyControl", input, Channel.API), subject, input.enabled));
  }

  @Mutation(() => UpsertSubjectPayload)
  async upsertSubject(@Arg("input") input: UpsertSubjectInput, @Ctx() ctx: Context): Promise<UpsertSubjectPayload> {
    const { consent } = ctx.services;
    const subject = await consent.target(ctx.principal, input.externalId);
    const result = input.jurisdiction === undefined
      ? { subject }
      : await consent.setJurisdiction(call(ctx, "upsertSubject", input, Channel.API), subject, input.jurisdiction);
    return Object.assign(new UpsertSubjectPayload(), { subject: result.subject });
  }
}
