// @candor/client: the typed documents and types generated from Candor's schema, and a tiny client.
export * from "./client";
export * from "./generated/graphql";
/** Every type of the schema, e.g. Schema.Decision (the operations' own types are above). */
export type * as Schema from "./generated/schema";
