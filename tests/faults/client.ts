import { fromGlobalId } from "../../src/kernel/ids";

// The client side of the fault tests: one POST to Candor, and a tally of what Candor answered.
// An answer is "acknowledged" only when it is HTTP 200 with no error and no user error: that is
// the promise the tests hold Candor to after the database died.

export interface Answer {
  status: number;
  retryAfter: string | null;
  body: { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
}

/** A POST to /graphql; a refused connection (Candor itself down) is status 0. */
export async function post(url: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    return { status: 0, retryAfter: null, body: { errors: [{ message: String(err) }] } } satisfies Answer;
  }
  const text = await response.text();
  let body: Answer["body"];
  try {
    body = JSON.parse(text);
  } catch {
    body = { errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] };
  }
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body } satisfies Answer;
}

/** The answer Candor owes a request it could not serve because the database was out of reach. */
export function isUnavailableAnswer(a: Answer): boolean {
  const errors = a.body.errors ?? [];
  return (
    a.status === 503 &&
    a.retryAfter !== null &&
    Number(a.retryAfter) > 0 &&
    errors.length > 0 &&
    errors.every((e) => e.extensions?.code === "UNAVAILABLE")
  );
}

/** What a run of writes got back, for the assertions and for the figures printed at the end. */
export class Tally {
  /** Writes answered OK (each counted once, whatever it took). */
  acknowledged = 0;
  /** Answers 503 + Retry-After + UNAVAILABLE (a write may get several before it is answered OK). */
  unavailable = 0;
  /** Answers 500 (or any 5xx that is not the UNAVAILABLE 503). */
  serverErrors = 0;
  /** Every answer that was neither OK nor UNAVAILABLE: what went wrong, for the failure message. */
  readonly unexpected: Array<{ write: string; status: number; errors: unknown; data: unknown }> = [];

  record(write: string, a: Answer, ok: boolean): "ok" | "retry" | "give-up" {
    if (ok) {
      this.acknowledged++;
      return "ok";
    }
    if (isUnavailableAnswer(a)) {
      this.unavailable++;
      return "retry";
    }
    if (a.status >= 500) this.serverErrors++;
    this.unexpected.push({ write, status: a.status, errors: a.body.errors, data: a.body.data });
    return "give-up";
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work(i)` for i in 0..count-1 with `concurrency` in flight. */
export async function pool(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/** Reads an integer knob from the environment. */
export function knob(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number; got "${raw}"`);
  return value;
}

/** The row id behind an id Candor answered with (a Node's id is a global id with the row's id inside). */
export const rowId = (id: string): string => fromGlobalId(id)?.id ?? id;
