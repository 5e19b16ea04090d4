import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { actorOf } from "../../kernel/principal";
import type { Context } from "../../kernel/context";
import { PrivacyPolicy } from "../catalog";
import { Subject } from "../people";
import { practicesOf } from "./policy.service";
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
    description: "Generated from the catalog, so it always matches what the system does.",
  })
  async dataPractices(@Root() policy: PrivacyPolicy, @Ctx() ctx: Context): Promise<DataPractice[]> {
    return practicesOf(ctx.services.db.manager, await ctx.services.policies.describes(policy));
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
