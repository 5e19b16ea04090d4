import type { EntityManager } from "typeorm";

// What Candor's records show a person's data was used for (Subject.dataUse). A read model across
// the decisions and sharing tables, aggregated in the database: three statements, whatever the
// number of decisions (DESIGN §9: read models that join several domains' tables live here).

export interface DataUseRow {
  dataCategoryId: string;
  purposeIds: string[];
  decisions: number;
  firstUsedAt: Date;
  lastUsedAt: Date;
  sourcePartnerIds: string[];
  sharedWithIds: string[];
}

/** SQLite hands back datetimes as UTC text, MariaDB as Dates. */
export const asDate = (value: string | Date): Date =>
  value instanceof Date ? value : new Date(`${value.replace(" ", "T")}${/[Zz+]/.test(value.slice(10)) ? "" : "Z"}`);

const parseIds = (value: unknown): string[] =>
  Array.isArray(value) ? (value as string[]) : typeof value === "string" ? (JSON.parse(value) as string[]) : [];

export async function dataUseOf(m: EntityManager, subjectId: string): Promise<DataUseRow[]> {
  const [used, links, shared] = await Promise.all([
    m.query(
      "SELECT f.data_category_id AS category, COUNT(DISTINCT f.decision_id) AS n, MIN(d.occurred_at) AS first_at, " +
        "MAX(d.occurred_at) AS last_at FROM decision_factor f INNER JOIN decision d ON d.id = f.decision_id " +
        "WHERE f.subject_id = ? GROUP BY f.data_category_id",
      [subjectId],
    ) as Promise<Array<{ category: string; n: number | string; first_at: string | Date; last_at: string | Date }>>,
    m.query(
      "SELECT DISTINCT data_category_id AS category, purpose_id AS purpose, source_partner_id AS partner " +
        "FROM decision_factor WHERE subject_id = ?",
      [subjectId],
    ) as Promise<Array<{ category: string; purpose: string; partner: string | null }>>,
    m.query(
      "SELECT partner_id AS partner, data_category_ids AS categories, MIN(occurred_at) AS first_at, " +
        "MAX(occurred_at) AS last_at FROM sharing_event WHERE subject_id = ? GROUP BY partner_id, data_category_ids",
      [subjectId],
    ) as Promise<Array<{ partner: string; categories: unknown; first_at: string | Date; last_at: string | Date }>>,
  ]);
  const rows = new Map<string, DataUseRow>();
  const rowOf = (category: string, first: Date, last: Date) => {
    const row = rows.get(category) ?? {
      dataCategoryId: category,
      purposeIds: [],
      decisions: 0,
      firstUsedAt: first,
      lastUsedAt: last,
      sourcePartnerIds: [],
      sharedWithIds: [],
    };
    if (first < row.firstUsedAt) row.firstUsedAt = first;
    if (last > row.lastUsedAt) row.lastUsedAt = last;
    rows.set(category, row);
    return row;
  };
  const add = (list: string[], id: string | null) => {
    if (id && !list.includes(id)) list.push(id);
  };
  for (const u of used) rowOf(u.category, asDate(u.first_at), asDate(u.last_at)).decisions = Number(u.n);
  for (const l of links) {
    const row = rows.get(l.category);
    if (!row) continue;
    add(row.purposeIds, l.purpose);
    add(row.sourcePartnerIds, l.partner);
  }
  for (const s of shared) {
    for (const category of parseIds(s.categories))
      add(rowOf(category, asDate(s.first_at), asDate(s.last_at)).sharedWithIds, s.partner);
  }
  return [...rows.values()].sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime());
}
