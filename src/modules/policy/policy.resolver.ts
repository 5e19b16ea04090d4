import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { actorOf } from "../../kernel/principal";
import type { Context } from "../../kernel/context";
import { PolicySection, PrivacyPolicy } from "../catalog";
import { Subject } from "../people";
import { practicesOf } from "./policy-practices";
import { buyersAndAdvertisers, responseTimes } from "./policy-prose";
import { DataPractice, PolicyDiff, PublishPrivacyPolicyInput, PublishPrivacyPolicyPayload } from "./policy.types";

@Resolver(() => PrivacyPolicy)
export class PolicyResolver {
  @Mutation(() => PublishPrivacyPolicyPayload)
  async publishPrivacyPolicy(
    @Arg("input") input: PublishPrivacyPolicyInput,
    @Ctx() ctx: Context,
  ): Promise<PublishPrivacyPolicyPayload> {
    const { policy, warnings } = await ctx.services.policies.publish(actorOf(ctx.principal), input);
    return Object.assign(new PublishPrivacyPolicyPayload(), { privacyPolicy: policy, warnings });
  }

  @FieldResolver(() => [DataPractice], {
    description:
      "Generated from the catalog as it stood when this version was published, so it always matches what the system does under it.",
  })
  async dataPractices(@Root() policy: PrivacyPolicy, @Ctx() ctx: Context): Promise<DataPractice[]> {
    return practicesOf(await ctx.loaders.catalog.catalog(), ctx.services.policies.describes(policy));
  }

  @FieldResolver(() => [PolicySection], {
    description:
      "The sections as published, then those generated from facts kept elsewhere (generated: true): how fast requests are answered, from the jurisdiction table, and who buys the data or gets it for ads, from the agreements this version describes.",
  })
  sections(@Root() policy: PrivacyPolicy, @Ctx() ctx: Context): PolicySection[] {
    const buyers = buyersAndAdvertisers(ctx.services.policies.describes(policy));
    const generated = [responseTimes(), ...(buyers ? [buyers] : [])].map((s) =>
      Object.assign(new PolicySection(), s, { generated: true }),
    );
    return [...policy.sections, ...generated];
  }
}

@Resolver(() => Subject)
export class SubjectPolicyResolver {
  @FieldResolver(() => PolicyDiff, {
    nullable: true,
    description: "What changed in the privacy policy since this person last chose.",
  })
  policyChangesSinceConsent(@Root() subject: Subject, @Ctx() ctx: Context): Promise<PolicyDiff | null> {
    return ctx.services.policies.changesSince(subject);
  }
}
