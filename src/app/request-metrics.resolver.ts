import { Arg, Ctx, Field, FieldResolver, Float, Int, ObjectType, Resolver, Root } from "type-graphql";
import type { Context } from "../kernel/context";
import { DomainError } from "../kernel/errors";
import { PrivacyPolicy } from "../modules/catalog";
import { DataRequestKind } from "../modules/rights";
import { requestMetricsOf } from "./queries/request-metrics";

@ObjectType({
  description:
    "Figures on data requests for one calendar year and kind, as CCPA regulations (11 CCR 7102) ask large businesses to publish.",
})
export class RequestMetrics {
  @Field(() => Int)
  year: number;

  @Field(() => DataRequestKind)
  kind: DataRequestKind;

  @Field(() => Int, { description: "Requests received in the year (UTC), whatever their status now." })
  received: number;

  @Field(() => Int, { description: "Of those, requests completed (status COMPLETED)." })
  compliedInWhole: number;

  @Field(() => Int, {
    description:
      "Of those, requests answered in part: extended with a reason and a new deadline, the rest still under way (status IN_PROGRESS). Candor has no status for a partial final answer; such a request moves to compliedInWhole or denied when closed.",
  })
  compliedInPart: number;

  @Field(() => Int, { description: "Of those, requests denied with a reason (status DENIED)." })
  denied: number;

  @Field(() => Float, {
    nullable: true,
    description:
      "Median days from receipt to completion or denial; null when none was closed. Fractional days, to two decimals.",
  })
  medianDaysToRespond: number | null;
}

/** Years a business could have received requests in; anything else is a caller's mistake. */
const FIRST_YEAR = 2000;
const LAST_YEAR = 9998;

@Resolver(() => PrivacyPolicy)
export class PolicyRequestMetricsResolver {
  @FieldResolver(() => [RequestMetrics], {
    description: "Figures on data requests for one calendar year (UTC), one entry per request kind. Public.",
  })
  async requestMetrics(
    @Root() _policy: PrivacyPolicy,
    @Arg("year", () => Int) year: number,
    @Ctx() ctx: Context,
  ): Promise<RequestMetrics[]> {
    if (year < FIRST_YEAR || year > LAST_YEAR)
      throw new DomainError("INVALID", `A year from ${FIRST_YEAR} to ${LAST_YEAR}`, ["year"]);
    const rows = await requestMetricsOf(ctx.services.db.manager, year);
    return rows.map((r) => Object.assign(new RequestMetrics(), r));
  }
}
