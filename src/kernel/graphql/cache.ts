import { DirectiveLocation, GraphQLDirective, GraphQLEnumType, GraphQLInt, GraphQLBoolean } from "graphql";

/**
 * Apollo's cache hints. The public catalog types carry `@cacheControl(maxAge: 60)`, so that an
 * anonymous read of only catalog data is `Cache-Control: max-age=60, public` (a CDN may keep it a
 * minute); anything else, or any authenticated answer, is private or not cached at all.
 */
export const CATALOG_CACHE = "@cacheControl(maxAge: 60)";

export const cacheControlDirective = new GraphQLDirective({
  name: "cacheControl",
  locations: [
    DirectiveLocation.FIELD_DEFINITION,
    DirectiveLocation.OBJECT,
    DirectiveLocation.INTERFACE,
    DirectiveLocation.UNION,
  ],
  args: {
    maxAge: { type: GraphQLInt },
    scope: { type: new GraphQLEnumType({ name: "CacheControlScope", values: { PUBLIC: {}, PRIVATE: {} } }) },
    inheritMaxAge: { type: GraphQLBoolean },
  },
});
