import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import type { Context } from "../../kernel/context";
import { AgeBracket } from "../catalog";
import { Channel } from "./consent.enums";
import {
  OptOutOfAllInput,
  RecordGlobalPrivacyControlInput,
  SetPersonalizationLevelInput,
  UpdateConsentsInput,
  UpsertSubjectInput,
} from "./consent.inputs";
import { actorOf, Role } from "../../kernel/principal";
import type { Call, ConsentResult } from "./consent.service";
import type { Subject } from "../people";
import { UpdateConsentsPayload, UpsertSubjectPayload } from "./consent.types";

const call = (
  ctx: Context,
  operation: string,
  input: object,
  channel: Channel,
  idempotencyKey?: string | null,
): Call => ({ principal: ctx.principal, operation, input: { ...input }, channel, idempotencyKey });

/** After a change, this request's loaders must not answer with what they cached before it. */
function forget(ctx: Context, subject: Subject): Subject {
  ctx.loaders.consent.forget(subject.id);
  ctx.loaders.people.remember(subject);
  if (ctx.principal.role === Role.SUBJECT && subject.externalId === ctx.principal.externalId) ctx.remember(subject);
  return subject;
}

/** UNKNOWN is stored as null, as for people never told. */
const bracketOrNull = (bracket: AgeBracket) => (bracket === AgeBracket.UNKNOWN ? null : bracket);

const payload = (ctx: Context, result: ConsentResult) =>
  Object.assign(new UpdateConsentsPayload(), { subject: forget(ctx, result.subject), receipt: result.receipt });

/** Consent changes: thin — who may call is shield's, the rules are ConsentService's. */
@Resolver()
export class ConsentMutationResolver {
  @Mutation(() => UpdateConsentsPayload)
  async updateConsents(@Arg("input") input: UpdateConsentsInput, @Ctx() ctx: Context): Promise<UpdateConsentsPayload> {
    const { consent } = ctx.services;
    const subject = consent.target(ctx.principal, input.subjectExternalId);
    return payload(
      ctx,
      await consent.updateConsents(
        call(ctx, "updateConsents", input, input.channel, input.idempotencyKey),
        subject,
        input.changes,
        input.confirmGpcOverride ?? false,
      ),
    );
  }

  @Mutation(() => UpdateConsentsPayload)
  async setPersonalizationLevel(
    @Arg("input") input: SetPersonalizationLevelInput,
    @Ctx() ctx: Context,
  ): Promise<UpdateConsentsPayload> {
    const { consent } = ctx.services;
    const subject = consent.target(ctx.principal, null);
    return payload(
      ctx,
      await consent.setPersonalizationLevel(
        call(ctx, "setPersonalizationLevel", input, input.channel, input.idempotencyKey),
        subject,
        input.level,
        input.confirmGpcOverride ?? false,
      ),
    );
  }

  @Mutation(() => UpdateConsentsPayload, { description: "Withdraw every purpose that can be refused." })
  async optOutOfAll(@Arg("input") input: OptOutOfAllInput, @Ctx() ctx: Context): Promise<UpdateConsentsPayload> {
    const { consent } = ctx.services;
    const subject = consent.target(ctx.principal, input.subjectExternalId);
    return payload(
      ctx,
      await consent.optOutOfAll(call(ctx, "optOutOfAll", input, input.channel, input.idempotencyKey), subject),
    );
  }

  @Mutation(() => UpdateConsentsPayload)
  async recordGlobalPrivacyControl(
    @Arg("input") input: RecordGlobalPrivacyControlInput,
    @Ctx() ctx: Context,
  ): Promise<UpdateConsentsPayload> {
    const { consent } = ctx.services;
    const subject = consent.target(ctx.principal, input.subjectExternalId);
    return payload(
      ctx,
      await consent.recordGpc(call(ctx, "globalPrivacyControl", input, Channel.API), subject, input.enabled),
    );
  }

  @Mutation(() => UpsertSubjectPayload)
  async upsertSubject(@Arg("input") input: UpsertSubjectInput, @Ctx() ctx: Context): Promise<UpsertSubjectPayload> {
    const { consent } = ctx.services;
    const person = consent.target(ctx.principal, input.externalId);
    const facts = {
      jurisdiction: input.jurisdiction,
      // Null is "not said": UNKNOWN is how to say the age is not known.
      ageBracket:
        input.ageBracket === null || input.ageBracket === undefined ? undefined : bracketOrNull(input.ageBracket),
    };
    const result =
      facts.jurisdiction === undefined && facts.ageBracket === undefined
        ? {
            subject: await ctx.services.people.ensure(
              { externalId: person.externalId, jurisdiction: person.jurisdiction },
              actorOf(ctx.principal),
            ),
          }
        : await consent.setFacts(call(ctx, "upsertSubject", input, Channel.API), person, facts);
    return Object.assign(new UpsertSubjectPayload(), { subject: forget(ctx, result.subject) });
  }
}
