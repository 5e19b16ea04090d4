import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import { fromGlobalId } from "../db/ids";
import type { Context } from "./context";
import { Node } from "./node";

/**
 * How each Node type is fetched by id. A domain adds its types here; a loader that filters by
 * owner (the caller's subject) makes another person's object answer null, like a missing one.
 * Field-level shield rules of the type then apply exactly as on its own entry point.
 */
export type NodeFetchers = Record<string, (ctx: Context, id: string) => Promise<Node | null>>;

export const nodeFetchers: NodeFetchers = {
  Purpose: (ctx, id) => ctx.loaders.catalog.purpose.load(id),
  DataCategory: (ctx, id) => ctx.loaders.catalog.dataCategory.load(id),
  Surface: (ctx, id) => ctx.loaders.catalog.surface.load(id),
  AlgorithmCard: (ctx, id) => ctx.loaders.catalog.algorithmCard.load(id),
  Partner: (ctx, id) => ctx.loaders.catalog.partner.load(id),
  SharingAgreement: (ctx, id) => ctx.loaders.catalog.sharingAgreement.load(id),
  PrivacyPolicy: (ctx, id) => ctx.loaders.catalog.privacyPolicy.load(id),
};

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: "Fetch any object by global id, subject to the same rules as its own entry point." })
  async node(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Node | null> {
    const ref = fromGlobalId(id);
    const fetch = ref ? nodeFetchers[ref.type] : undefined;
    return ref && fetch ? fetch(ctx, ref.id) : null;
  }
}
