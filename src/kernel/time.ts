/** How far ahead of the server's clock a reported `occurredAt` may be (clock skew), for every domain. */
export const MAX_FUTURE_MS = 5 * 60_000;

export const isTooFarAhead = (at: Date, now: Date) => at.getTime() > now.getTime() + MAX_FUTURE_MS;

export const DAY_MS = 24 * 3600_000;
