import type { ApolloServerPlugin } from "@apollo/server";
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isCompositeType,
  isListType,
  type DocumentNode,
  type GraphQLSchema,
} from "graphql";
import { getComplexity, type ComplexityEstimator, type ComplexityEstimatorArgs } from "graphql-query-complexity";
import type { Context } from "../app/context";

/**
 * The cost model (DESIGN §9, "Limits"): a field costs 1 plus what it selects, and a list multiplies
 * what it selects by how many entries it may hold, so a query is priced near the rows and objects
 * it makes Candor build. A paged list holds `first` entries (variables included); an unbounded
 * catalog list is priced at CATALOG_LIST_ESTIMATE entries. That constant is a documented guess,
 * taken above the demo catalog's longest lists (about a dozen purposes, partners, algorithms, and
 * fewer recipients, agreements or categories per entry), so a catalog that grows a little does not
 * make yesterday's queries refused. A connection's `edges`/`nodes` are not multiplied again: the
 * connection field already was, by `first`.
 */
export const CATALOG_LIST_ESTIMATE = 10;

/** What every query may cost at most: the README's richest query (the privacy page) costs about 3600. */
export const MAX_QUERY_COST = 5000;

function isConnectionPage({ type, field }: ComplexityEstimatorArgs): boolean {
  return type.name.endsWith("Connection") && (field.name === "edges" || field.name === "nodes");
}

export const listSizeEstimator: ComplexityEstimator = (options) => {
  const { field, args, childComplexity } = options;
  if (typeof args.first === "number" && args.first > 0) return 1 + args.first * childComplexity;
  const type = getNullableType(field.type);
  // A list of scalars or enums comes in one value; a list of objects builds each one.
  if (!isListType(type) || !isCompositeType(getNamedType(type)) || isConnectionPage(options))
    return 1 + childComplexity;
  return 1 + CATALOG_LIST_ESTIMATE * childComplexity;
};

/** The cost of one operation of `document`, with its variables. */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables?: Record<string, unknown>,
  operationName?: string | null,
): number {
  return getComplexity({
    schema,
    query: document,
    variables,
    operationName: operationName ?? undefined,
    estimators: [listSizeEstimator],
  });
}

/**
 * Prices each operation once Apollo knows which one runs and with which variables (a validation
 * rule cannot: Apollo validates a document once and caches it, variables aside). A query over the
 * limit is refused before it runs, as a validation failure (HTTP 400): outside production the
 * message gives its cost and the limit, in production only that it is too costly.
 */
export function queryCostPlugin(maxCost: number, exposeLimits: boolean): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, operationName }) {
          let cost: number;
          try {
            cost = queryCost(schema, document, request.variables, operationName);
          } catch {
            // Variables that do not fit the operation: execution refuses them, with their path (BAD_USER_INPUT).
            return;
          }
          if (cost <= maxCost) return;
          throw new GraphQLError(
            exposeLimits ? `Query cost ${cost} exceeds the limit of ${maxCost}` : "Query is too costly",
            { extensions: { code: "GRAPHQL_VALIDATION_FAILED", http: { status: 400 } } },
          );
        },
      };
    },
  };
}
