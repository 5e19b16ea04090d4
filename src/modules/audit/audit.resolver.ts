import { Args, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { actorOf } from "../../kernel/principal";
import { PageArgs } from "../../kernel/graphql/connection";
import type { Context } from "../../kernel/context";
import { AuditLogConnection, AuditLogHead, AuditLogVerification, RunDataAuditPayload } from "./audit.types";

@Resolver()
export class AuditResolver {
  @Query(() => AuditLogConnection, { description: "Newest first." })
  auditLog(@Args() { first, after }: PageArgs, @Ctx() ctx: Context): Promise<AuditLogConnection> {
    return ctx.services.auditReader.page(first, after);
  }

  @Query(() => AuditLogVerification)
  verifyAuditLog(@Ctx() ctx: Context): Promise<AuditLogVerification> {
    return ctx.services.auditReader.verify();
  }

  @Mutation(() => RunDataAuditPayload, {
    description: "Purges data past its retention, then compares practice with policy.",
  })
  async runDataAudit(@Ctx() ctx: Context): Promise<RunDataAuditPayload> {
    return Object.assign(new RunDataAuditPayload(), {
      dataAudit: await ctx.services.dataAudit.run(actorOf(ctx.principal)),
    });
  }

  @Query(() => AuditLogHead)
  auditLogHead(@Ctx() ctx: Context): Promise<AuditLogHead> {
    return ctx.services.auditReader.head();
  }
}
