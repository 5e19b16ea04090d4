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
 * what it selects by how many entries it may hold, so a query is priced by the objects it makes
 * Candor build. A paged list holds `first` entries (variables included). An unbounded list holds
 * LIST_ESTIMATES entries: for the catalog, about twice the demo catalog's longest list of that
 * field (17 data categories and practices, 10 purposes, 7 partners, 2 agreements per partner, 4
 * categories per agreement, 10 inputs per algorithm, 3 recipients per practice), so a catalog that
 * grows does not make yesterday's queries refused; DEFAULT_LIST_ESTIMATE elsewhere. Products of
 * maxima price nested lists above their real size: the direction that keeps the server safe. A
 * connection's `edges`/`nodes` are not multiplied again (the connection was, by `first`), and
 * `userErrors` are one entry (there are none unless the input was refused).
 */
export const DEFAULT_LIST_ESTIMATE = 10;
export const LIST_ESTIMATES: Readonly<Record<string, number>> = {
  "Query.dataCategories": 40,
  "Query.purposes": 20,
  "Query.partners": 20,
  "Query.algorithms": 20,
  "Query.sharingDisclosures": 20,
  "PrivacyPolicy.dataPractices": 40,
  "DataPractice.purposes": 20,
  "Purpose.dataCategories": 15,
  "AlgorithmCard.inputs": 20,
  "Partner.agreements": 5,
  // A decision's own lists: what engines typically record (a few factors, each with a control or two).
  "Decision.factors": 5,
  "Factor.controls": 3,
  "Explanation.factors": 5,
  "Explanation.decisiveFactors": 5,
  "Explanation.controls": 5,
  "Explanation.dataUsed": 5,
  "Explanation.partnersInvolved": 3,
};

/** What every query may cost at most: the README's richest query (the privacy page) costs about 4500. */
export const MAX_QUERY_COST = 5000;

/** How many entries a list of objects is priced at (1: priced once, as a single object). */
function listEstimate({ type, field }: ComplexityEstimatorArgs): number {
  if (type.name.endsWith("Connection") && (field.name === "edges" || field.name === "nodes")) return 1;
  if (field.name === "userErrors") return 1;
  return LIST_ESTIMATES[`${type.name}.${field.name}`] ?? DEFAULT_LIST_ESTIMATE;
}

export const listSizeEstimator: ComplexityEstimator = (options) => {
  const { field, args, childComplexity } = options;
  if (typeof args.first === "number" && args.first > 0) return 1 + args.first * childComplexity;
  const type = getNullableType(field.type);
  // A list of scalars or enums comes in one value; a list of objects builds each one.
  if (!isListType(type) || !isCompositeType(getNamedType(type))) return 1 + childComplexity;
  return 1 + listEstimate(options) * childComplexity;
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
