import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import { GraphQLError, type GraphQLSchema, type ValidationContext } from "graphql";
import { Role } from "../kernel/principal";
import { MAX_QUERY_COST, queryCostPlugin } from "./query-cost";
import type { Config } from "../config";
import type { Context } from "../app/context";
import { formatError, isApqRefusal } from "./format-error";
import { isUnavailable, RETRY_AFTER_SECONDS } from "./unavailable";
import { DomainError, ForbiddenError } from "../kernel/errors";
import type { Metrics } from "./metrics";

/**
 * Query limits: deep enough for every contract query (the contract's own queries reach depth 8
 * to 10), small enough that an abusive query is refused before it runs.
 */
export const QUERY_LIMITS = { depth: 12, aliases: 20, cost: MAX_QUERY_COST, tokens: 2000, directives: 20 } as const;

type Limit = "depth" | "aliases" | "directives";

/** What a refused query is told: the limit and what the query came to, or (production) only which limit. */
const SAID: Record<Limit, [exposed: string, hidden: string]> = {
  depth: ["Query depth {found} exceeds the limit of {limit}", "Query is too deep"],
  aliases: ["Query has {found} aliases, over the limit of {limit}", "Query has too many aliases"],
  directives: ["Query has {found} directives, over the limit of {limit}", "Query has too many directives"],
};

/**
 * armor words every refusal "Syntax Error: … limit of N exceeded, found M." (or, with exposeLimits off,
 * "Syntax Error: Query validation error."). Instead of its default reporter, each rule reports our
 * own wording to the validation context, which Apollo answers as GRAPHQL_VALIDATION_FAILED (HTTP 400).
 */
function refuse(limit: Limit, exposeLimits: boolean) {
  return {
    exposeLimits,
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        const [exposed, hidden] = SAID[limit];
        const [, max, found] = /limit of (\d+) exceeded, found (\d+)/.exec(error.message) ?? [];
        const said = exposeLimits && found ? exposed.replace("{limit}", max).replace("{found}", found) : hidden;
        context?.reportError(new GraphQLError(said));
      },
    ],
  };
}

export function armor(config: Config) {
  const exposeLimits = config.nodeEnv !== "production";
  return new ApolloArmor({
    maxDepth: { n: QUERY_LIMITS.depth, flattenFragments: true, ...refuse("depth", exposeLimits) },
    maxAliases: { n: QUERY_LIMITS.aliases, ...refuse("aliases", exposeLimits) },
    // Cost counts list sizes (query-cost.ts), which armor's cost rule cannot: it is off here.
    costLimit: { enabled: false },
    // armor's Apollo token plugin throws from parsingDidStart, which Apollo answers with HTTP 500;
    // graphql-js enforces the same limit while parsing (parseOptions below), answered with 400.
    maxTokens: { enabled: false },
    maxDirectives: { n: QUERY_LIMITS.directives, ...refuse("directives", exposeLimits) },
    blockFieldSuggestion: { enabled: config.nodeEnv === "production" },
  }).protect();
}

/** Counts and times every operation; logs faults with the request id before they are masked. */
function observabilityPlugin(metrics: Metrics): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async didEncounterErrors({ errors, contextValue, response }) {
          // The database out of reach: 503 with Retry-After, one log line for the whole request.
          if (errors.some((error) => isUnavailable(error.originalError))) {
            contextValue.log?.warn(
              { err: errors.find((e) => isUnavailable(e.originalError))?.originalError },
              "database unavailable",
            );
            response.http.status = 503;
            response.http.headers.set("retry-after", String(RETRY_AFTER_SECONDS));
          }
          for (const error of errors) {
            if (isUnavailable(error.originalError)) continue;
            // The caller's mistakes (refusals, bad input) are answered, not logged as faults.
            if (error.originalError instanceof DomainError || error.originalError instanceof ForbiddenError) continue;
            const code = error.extensions?.code;
            if ((code === undefined && !isApqRefusal(error.message)) || code === "INTERNAL_SERVER_ERROR") {
              contextValue.log?.error({ err: error.originalError ?? error, path: error.path }, "internal error");
            }
          }
        },
        async willSendResponse({ operationName, response, errors }) {
          const label = metrics.operationLabel(operationName);
          const failed =
            (errors?.length ?? 0) > 0 ||
            (response.body.kind === "single" && (response.body.singleResult.errors?.length ?? 0) > 0);
          metrics.requests.inc({ operation: label, outcome: failed ? "error" : "ok" });
          metrics.latency.observe({ operation: label }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}

/** A signed-in caller's answer is theirs alone: never a shared (public) cache entry. */
const privateWhenSignedIn: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async executionDidStart({ contextValue, overallCachePolicy }) {
        if (contextValue.principal.role !== Role.ANONYMOUS) overallCachePolicy.restrict({ scope: "PRIVATE" as never });
      },
    };
  },
};

export function createApollo(config: Config, schema: GraphQLSchema, metrics: Metrics): ApolloServer<Context> {
  const limits = armor(config);
  return new ApolloServer<Context>({
    schema,
    nodeEnv: config.nodeEnv,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: config.nodeEnv === "production",
    csrfPrevention: true,
    // main.ts owns shutdown (HTTP, Apollo, then the database): Apollo must not re-raise signals.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    formatError,
    validationRules: limits.validationRules,
    parseOptions: { maxTokens: QUERY_LIMITS.tokens },
    plugins: [
      ...(limits.plugins as ApolloServerPlugin<Context>[]),
      queryCostPlugin(QUERY_LIMITS.cost, config.nodeEnv !== "production"),
      observabilityPlugin(metrics),
      privateWhenSignedIn,
      config.nodeEnv === "production"
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ footer: false }),
    ],
  });
}
