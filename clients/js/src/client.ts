import type { TypedDocumentString, UserErrorCode } from "./generated/graphql";

// A tiny fetch-based client for Candor: no framework, no dependencies. Every call answers a
// typed result instead of throwing, so a caller can tell "sign in again" (unauthenticated),
// "try again" (network), "the server refused the request" (graphql) and "the input was refused"
// (userErrors, from a mutation's payload) apart and show each where it belongs.

/** A mutation payload's refusal of its input, as every payload in the schema has them. */
export interface UserError {
  code: UserErrorCode;
  field: string[] | null;
  message: string;
}

export interface GraphQLErrorShape {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

export type CandorResult<T> =
  | { ok: true; data: T }
  /** The token was missing, expired or refused: the person must sign in again. */
  | { ok: false; kind: "unauthenticated"; message: string; errors: GraphQLErrorShape[] }
  /** Nothing usable came back (offline, DNS, CORS, 5xx, not JSON): worth a retry. */
  | { ok: false; kind: "network"; message: string; status?: number }
  /** The server answered with GraphQL errors (a bad document, a forbidden field, a limit). */
  | { ok: false; kind: "graphql"; message: string; errors: GraphQLErrorShape[] }
  /** A mutation's payload refused its input; `data` is the payload as answered. */
  | { ok: false; kind: "userErrors"; message: string; userErrors: UserError[]; data: T };

export type Token = string | null | undefined;

export interface CandorClientOptions {
  /** The GraphQL endpoint, e.g. https://candor.example.com/graphql. */
  endpoint: string;
  /** Called before every request; the client never keeps what it returns. */
  getToken?: () => Token | Promise<Token>;
  /** Automatic persisted queries: send the SHA-256 first and the document only when asked. */
  persistedQueries?: boolean;
  /** For tests or other runtimes; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface CandorClient {
  request<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    variables?: TVariables,
  ): Promise<CandorResult<TResult>>;
}

interface Answer {
  status: number;
  body?: { data?: unknown; errors?: GraphQLErrorShape[] };
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

const operationName = (query: string) => /(?:query|mutation)\s+(\w+)/.exec(query)?.[1];

/** The payload of a one-field mutation with userErrors, when it has any. */
function userErrorsOf(data: unknown): UserError[] {
  if (!data || typeof data !== "object") return [];
  const [payload] = Object.values(data as Record<string, unknown>);
  const errors = (payload as { userErrors?: UserError[] } | null)?.userErrors;
  return Array.isArray(errors) ? errors : [];
}

export function createClient(options: CandorClientOptions): CandorClient {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));

  async function post(payload: Record<string, unknown>): Promise<Answer | string> {
    const token = options.getToken ? await options.getToken() : undefined;
    let response: Response;
    try {
      response = await doFetch(options.endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/graphql-response+json, application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(payload),
      });
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    try {
      return { status: response.status, body: (await response.json()) as Answer["body"] };
    } catch {
      return { status: response.status };
    }
  }

  async function send(query: string, variables: unknown): Promise<Answer | string> {
    const base = { operationName: operationName(query), variables: variables ?? {} };
    if (!options.persistedQueries) return post({ ...base, query });
    const persistedQuery = { version: 1, sha256Hash: await sha256Hex(query) };
    const first = await post({ ...base, extensions: { persistedQuery } });
    const notFound =
      typeof first !== "string" && first.body?.errors?.some((e) => e.extensions?.code === "PERSISTED_QUERY_NOT_FOUND");
    return notFound ? post({ ...base, query, extensions: { persistedQuery } }) : first;
  }

  return {
    async request<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, variables?: TVariables) {
      const answer = await send(document.toString(), variables);
      if (typeof answer === "string") return { ok: false, kind: "network", message: answer };
      const { status, body } = answer;
      const errors = body?.errors ?? [];
      if (status === 401 || errors.some((e) => e.extensions?.code === "UNAUTHENTICATED")) {
        return { ok: false, kind: "unauthenticated", message: errors[0]?.message ?? "Unauthenticated", errors };
      }
      if (!body || status >= 500) return { ok: false, kind: "network", message: `HTTP ${status}`, status };
      if (errors.length > 0) return { ok: false, kind: "graphql", message: errors[0].message, errors };
      const data = body.data as TResult;
      const userErrors = userErrorsOf(data);
      if (userErrors.length > 0)
        return { ok: false, kind: "userErrors", message: userErrors[0].message, userErrors, data };
      return { ok: true, data };
    },
  };
}
