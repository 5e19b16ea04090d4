import type { EntityManager } from "typeorm";
import { DataRequestKind } from "../../modules/rights";

// Figures on data requests for one calendar year (PrivacyPolicy.requestMetrics), as 11 CCR 7102
// asks large businesses to publish. One statement, whatever the number of requests: counts per
// kind and the median days to respond, both computed in the database (DESIGN §9: metrics are read
// models and live here).

export interface RequestMetricsRow {
  year: number;
  kind: DataRequestKind;
  received: number;
  compliedInWhole: number;
  compliedInPart: number;
  denied: number;
  medianDaysToRespond: number | null;
}

/** Days between two datetime columns, as a fraction, in the database's own dialect. */
const daysBetween = (m: EntityManager, from: string, to: string): string =>
  m.connection.driver.options.type === "better-sqlite3"
    ? `(julianday(${to}) - julianday(${from}))`
    : `(TIMESTAMPDIFF(MICROSECOND, ${from}, ${to}) / 86400000000.0)`;

// The median without dialect-specific functions (neither SQLite nor MariaDB shares one): number the
// closed requests of each kind by days taken; the middle one (odd count) or the two middle ones
// (even count) are those whose 2 × row number lies between the count and the count + 2.
const sql = (m: EntityManager) => `
WITH asked AS (
  SELECT kind, status, ${daysBetween(m, "received_at", "completed_at")} AS days
  FROM data_request WHERE received_at >= ? AND received_at < ?
), ranked AS (
  SELECT kind, days, ROW_NUMBER() OVER (PARTITION BY kind ORDER BY days) AS n, COUNT(*) OVER (PARTITION BY kind) AS total
  FROM asked WHERE status IN ('COMPLETED', 'DENIED') AND days IS NOT NULL
), medians AS (
  SELECT kind, AVG(days) AS median FROM ranked WHERE 2 * n BETWEEN total AND total + 2 GROUP BY kind
)
SELECT asked.kind AS kind, COUNT(*) AS received,
  SUM(CASE WHEN asked.status = 'COMPLETED' THEN 1 ELSE 0 END) AS whole,
  SUM(CASE WHEN asked.status = 'IN_PROGRESS' THEN 1 ELSE 0 END) AS part,
  SUM(CASE WHEN asked.status = 'DENIED' THEN 1 ELSE 0 END) AS denied,
  MAX(ROUND(medians.median, 2)) AS median
FROM asked LEFT JOIN medians ON medians.kind = asked.kind
GROUP BY asked.kind`;

/** UTC midnight of 1 January, as both dialects compare it with their stored datetimes. */
const yearStart = (year: number) => `${String(year).padStart(4, "0")}-01-01 00:00:00`;

/** Every kind, in the enum's order; a kind nobody asked for answers zeros and a null median. */
export async function requestMetricsOf(m: EntityManager, year: number): Promise<RequestMetricsRow[]> {
  const rows = (await m.query(sql(m), [yearStart(year), yearStart(year + 1)])) as Array<{
    kind: string;
    received: number | string;
    whole: number | string | null;
    part: number | string | null;
    denied: number | string | null;
    median: number | string | null;
  }>;
  const byKind = new Map(rows.map((r) => [r.kind, r]));
  return Object.values(DataRequestKind).map((kind) => {
    const r = byKind.get(kind);
    return {
      year,
      kind,
      received: Number(r?.received ?? 0),
      compliedInWhole: Number(r?.whole ?? 0),
      compliedInPart: Number(r?.part ?? 0),
      denied: Number(r?.denied ?? 0),
      medianDaysToRespond: r?.median === null || r?.median === undefined ? null : Number(r.median),
    };
  });
}
