import { Args, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../kernel/context";
import { AlgorithmCard } from "./algorithm-card.entity";
import { DataCategory } from "./data-category.entity";
import { Jurisdiction } from "./jurisdiction";
import { Partner } from "./partner.entity";
import { PersonalizationLevel } from "./personalization-level.entity";
import { PrivacyPolicy } from "./privacy-policy.entity";
import { Purpose } from "./purpose.entity";
import { SharingAgreement } from "./sharing-agreement.entity";
import { Surface } from "./surface.entity";
import { JurisdictionArgs, PrivacyPolicyArgs, SharingDisclosuresArgs } from "./catalog.inputs";

@Resolver()
export class CatalogQueryResolver {
  @Query(() => [Purpose])
  purposes(@Ctx() ctx: Context): Promise<Purpose[]> {
    return ctx.services.catalog.purposes();
  }

  @Query(() => [DataCategory])
  dataCategories(@Ctx() ctx: Context): Promise<DataCategory[]> {
    return ctx.services.catalog.dataCategories();
  }

  @Query(() => [PersonalizationLevel])
  personalizationLevels(@Ctx() ctx: Context): Promise<PersonalizationLevel[]> {
    return ctx.services.catalog.personalizationLevels();
  }

  @Query(() => Jurisdiction, {
    nullable: true,
    description:
      "The rules applied to people in this place today; null for an unknown code. UNKNOWN shows the strict defaults.",
  })
  jurisdiction(@Args() { code }: JurisdictionArgs, @Ctx() ctx: Context): Jurisdiction | null {
    return ctx.services.catalog.jurisdiction(code);
  }

  @Query(() => PrivacyPolicy, { nullable: true, description: "The current policy when version is omitted." })
  privacyPolicy(@Args() { version }: PrivacyPolicyArgs, @Ctx() ctx: Context): Promise<PrivacyPolicy | null> {
    return ctx.services.catalog.privacyPolicy(version);
  }

  @Query(() => [Surface])
  surfaces(@Ctx() ctx: Context): Promise<Surface[]> {
    return ctx.services.catalog.surfaces();
  }

  @Query(() => [AlgorithmCard])
  algorithms(@Ctx() ctx: Context): Promise<AlgorithmCard[]> {
    return ctx.services.catalog.algorithms();
  }

  @Query(() => [Partner])
  partners(@Ctx() ctx: Context): Promise<Partner[]> {
    return ctx.services.catalog.partners();
  }

  @Query(() => [SharingAgreement], {
    description: "Standing disclosures in force, optionally for one partner or purpose key.",
  })
  sharingDisclosures(
    @Args() { partner, purpose }: SharingDisclosuresArgs,
    @Ctx() ctx: Context,
  ): Promise<SharingAgreement[]> {
    return ctx.services.catalog.sharingDisclosures(partner, purpose);
  }
}

@Resolver(() => Purpose)
export class PurposeResolver {
  @FieldResolver(() => [DataCategory])
  dataCategories(@Root() purpose: Purpose, @Ctx() ctx: Context): Promise<DataCategory[]> {
    return ctx.loaders.catalog.purposeDataCategories.load(purpose.id);
  }
}

@Resolver(() => PersonalizationLevel)
export class PersonalizationLevelResolver {
  @FieldResolver(() => [Purpose])
  purposes(@Root() level: PersonalizationLevel, @Ctx() ctx: Context): Promise<Purpose[]> {
    return ctx.loaders.catalog.levelPurposes.load(level.id);
  }
}

@Resolver(() => AlgorithmCard)
export class AlgorithmCardResolver {
  @FieldResolver(() => [DataCategory])
  inputs(@Root() card: AlgorithmCard, @Ctx() ctx: Context): Promise<DataCategory[]> {
    return ctx.loaders.catalog.algorithmInputs.load(card.id);
  }

  @FieldResolver(() => [Purpose])
  purposes(@Root() card: AlgorithmCard, @Ctx() ctx: Context): Promise<Purpose[]> {
    return ctx.loaders.catalog.algorithmPurposes.load(card.id);
  }
}

@Resolver(() => Partner)
export class PartnerResolver {
  @FieldResolver(() => [SharingAgreement])
  agreements(@Root() partner: Partner, @Ctx() ctx: Context): Promise<SharingAgreement[]> {
    return ctx.loaders.catalog.partnerAgreements.load(partner.id);
  }
}

@Resolver(() => SharingAgreement)
export class SharingAgreementResolver {
  @FieldResolver(() => Partner)
  async partner(@Root() agreement: SharingAgreement, @Ctx() ctx: Context): Promise<Partner> {
    return (await ctx.loaders.catalog.partner.load(agreement.partnerId))!;
  }

  @FieldResolver(() => Purpose)
  async purpose(@Root() agreement: SharingAgreement, @Ctx() ctx: Context): Promise<Purpose> {
    return (await ctx.loaders.catalog.purpose.load(agreement.purposeId))!;
  }

  @FieldResolver(() => [DataCategory])
  dataCategories(@Root() agreement: SharingAgreement, @Ctx() ctx: Context): Promise<DataCategory[]> {
    return ctx.loaders.catalog.agreementDataCategories.load(agreement.id);
  }
}
