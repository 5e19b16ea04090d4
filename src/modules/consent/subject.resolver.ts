import { Args, Ctx, FieldResolver, Int, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../kernel/context";
import { AgeBracket, Purpose } from "../catalog";
import { Viewer, Subject } from "../people";
import { ConsentEvent } from "./consent-event.entity";
import { ConsentReceipt } from "./consent-receipt.entity";
import { ConsentArgs, ConsentCheckArgs, ConsentChecksArgs, ConsentHistoryArgs, SubjectArgs } from "./consent.inputs";
import { Consent, ConsentCheck, ConsentEventConnection } from "./consent.types";

@Resolver(() => Subject)
export class SubjectResolver {
  @Query(() => Subject, { nullable: true, description: "The calling person; null unless the caller is a subject." })
  me(@Ctx() ctx: Context): Promise<Subject | null> {
    return ctx.me();
  }

  @Query(() => Subject, { nullable: true })
  subject(@Args() { externalId }: SubjectArgs, @Ctx() ctx: Context): Promise<Subject | null> {
    return ctx.loaders.people.subjectByExternalId.load(externalId);
  }

  @Query(() => ConsentCheck, { description: "Effective consent of one person for the given purpose keys." })
  async consentCheck(
    @Args() { subjectExternalId, purposes }: ConsentCheckArgs,
    @Ctx() ctx: Context,
  ): Promise<ConsentCheck> {
    return (await ctx.services.consentReader.check(ctx.loaders, [subjectExternalId], purposes))[0];
  }

  @Query(() => [ConsentCheck], { description: "Batch form, at most 500 people." })
  consentChecks(
    @Args() { subjectExternalIds, purposes }: ConsentChecksArgs,
    @Ctx() ctx: Context,
  ): Promise<ConsentCheck[]> {
    return ctx.services.consentReader.check(ctx.loaders, subjectExternalIds, purposes);
  }

  @FieldResolver(() => String, {
    description: "e.g. US-CA, DE or CA-QC; UNKNOWN when no law in force is known to apply.",
  })
  jurisdiction(@Root() subject: Subject, @Ctx() ctx: Context): string {
    return ctx.services.people.rules(subject).code;
  }

  @FieldResolver(() => AgeBracket, { description: "As the business last told Candor (upsertSubject)." })
  ageBracket(@Root() subject: Subject): AgeBracket {
    return subject.ageBracket ?? AgeBracket.UNKNOWN;
  }

  @FieldResolver(() => [Consent], { description: "Effective consent for every purpose in the catalog." })
  async consents(@Root() subject: Subject, @Ctx() ctx: Context): Promise<Consent[]> {
    return (await ctx.services.consentReader.consentsOf(ctx.loaders, subject)).map(Consent.of);
  }

  @FieldResolver(() => Consent, { nullable: true })
  consent(@Root() subject: Subject, @Args() { purpose }: ConsentArgs, @Ctx() ctx: Context): Promise<Consent> {
    return ctx.services.consentReader.consentFor(ctx.loaders, subject, purpose);
  }

  @FieldResolver(() => ConsentEventConnection, { description: "Every change, newest first." })
  consentHistory(
    @Root() subject: Subject,
    @Args() { first, after, purpose }: ConsentHistoryArgs,
    @Ctx() ctx: Context,
  ): Promise<ConsentEventConnection> {
    return ctx.services.consentReader.history(ctx.loaders, subject, first, after, purpose);
  }

  @FieldResolver(() => Boolean)
  globalPrivacyControl(@Root() subject: Subject): boolean {
    return subject.gpc;
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description: "The level whose purposes are exactly the ones granted; null when none matches.",
  })
  personalizationLevel(@Root() subject: Subject, @Ctx() ctx: Context): Promise<number | null> {
    return ctx.services.consentReader.personalizationLevel(ctx.loaders, subject);
  }

  @FieldResolver(() => String, {
    description:
      "IAB Global Privacy Platform string. For people in the US or whose place is unknown: the usnat section with its GPC sub-section; for people elsewhere, whom usnat does not cover: the header alone, DBAA (no section applies).",
  })
  gppString(@Root() subject: Subject, @Ctx() ctx: Context): Promise<string> {
    return ctx.services.consentReader.gppString(ctx.loaders, subject);
  }
}

@Resolver(() => Consent)
export class ConsentResolver {
  @FieldResolver(() => Purpose)
  async purpose(@Root() consent: Consent, @Ctx() ctx: Context): Promise<Purpose> {
    return (await ctx.loaders.catalog.purpose.load(consent.purposeId))!;
  }
}

@Resolver(() => ConsentEvent)
export class ConsentEventResolver {
  @FieldResolver(() => Purpose)
  async purpose(@Root() event: ConsentEvent, @Ctx() ctx: Context): Promise<Purpose> {
    return (await ctx.loaders.catalog.purpose.load(event.purposeId))!;
  }

  @FieldResolver(() => ConsentReceipt, { nullable: true })
  receipt(@Root() event: ConsentEvent, @Ctx() ctx: Context): Promise<ConsentReceipt | null> | null {
    return event.receiptId ? ctx.loaders.consent.receipt.load(event.receiptId) : null;
  }
}

@Resolver(() => Viewer)
export class ViewerSubjectResolver {
  @FieldResolver(() => Subject, { nullable: true, description: "The calling person, for a subject." })
  subject(@Ctx() ctx: Context): Promise<Subject | null> {
    return ctx.me();
  }
}
