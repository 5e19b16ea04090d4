import { Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../kernel/context";
import { Partner } from "../catalog";
import { Viewer } from "./viewer.types";

@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer, { description: "Who is calling." })
  viewer(@Ctx() ctx: Context): Viewer {
    return Object.assign(new Viewer(), {
      role: ctx.principal.role,
      scopes: ctx.principal.scopes,
      partnerId: ctx.principal.partnerId,
    });
  }

  @FieldResolver(() => Partner, { nullable: true, description: "The partner a partner key is bound to." })
  partner(@Root() viewer: Viewer, @Ctx() ctx: Context): Promise<Partner | null> | null {
    return viewer.partnerId ? ctx.loaders.catalog.partner.load(viewer.partnerId) : null;
  }
}
