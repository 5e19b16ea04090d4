import { HeaderMap } from "@apollo/server";
import { GraphQLError } from "graphql";
import { isDatabaseUnavailable } from "../kernel/db/unavailable";

// Issue 12, defect 6: while the database is out of reach every request that needs it answers
// HTTP 503 with Retry-After and `extensions.code: "UNAVAILABLE"`, and is logged once with its
// request id; Candor keeps running and serves again as soon as the database is back.

export const RETRY_AFTER_SECONDS = 5;
export const UNAVAILABLE_MESSAGE = "The service is temporarily unavailable; retry later";

/** What the request-context lookup throws when the database is down: Apollo answers it with its http head. */
export class UnavailableError extends GraphQLError {
  constructor() {
    super(UNAVAILABLE_MESSAGE, {
      extensions: {
        code: "UNAVAILABLE",
        http: { status: 503, headers: new HeaderMap([["retry-after", String(RETRY_AFTER_SECONDS)]]) },
      },
    });
  }
}

export const isUnavailable = (err: unknown): boolean => err instanceof UnavailableError || isDatabaseUnavailable(err);
