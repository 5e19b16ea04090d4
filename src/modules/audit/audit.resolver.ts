import { Args, Ctx, Query, Resolver } from "type-graphql";
import { PageArgs } from "../../graphql/connection";
import type { Context } from "../../graphql/context";
import { AuditLogConnection, AuditLogHead, AuditLogVerification } from "./audit.types";

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

  @Query(() => AuditLogHead)
  auditLogHead(@Ctx() ctx: Context): Promise<AuditLogHead> {
    return ctx.services.auditReader.head();
  }
}
