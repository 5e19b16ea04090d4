import { GraphQLError } from "graphql";

/** Bad credentials: HTTP 401 with code UNAUTHENTICATED, never silently anonymous. */
export class AuthenticationError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
  }
}
