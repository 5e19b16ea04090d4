import type { Connection } from "mysql2/promise";
import { post } from "./client";
import { isConsentWrite, personOf } from "./kill-load";

// Reading back what the fault tests wrote: with SQL on a connection of the test's own, and
// through Candor's API, so that neither Candor's reads nor the test's alone vouch for a write.

/** The ids among `ids` that `query` (with one IN (?) placeholder) finds. */
async function idsIn(sql: Connection, query: string, ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const [rows] = await sql.query(query, [ids.slice(i, i + 500)]);
    for (const r of rows as Array<{ id: string }>) found.add(r.id);
  }
  return found;
}

/**
 * Acknowledged writes whose receipt (with its consent event) or decision is not stored, and
 * people with other than exactly one consent event or decision (a retry that wrote twice).
 */
export async function lostAndDoubled(sql: Connection, acknowledged: Map<number, string>) {
  const ids = (consent: boolean) =>
    [...acknowledged].filter(([i]) => isConsentWrite(i) === consent).map(([, id]) => id);
  const receipts = await idsIn(
    sql,
    "SELECT DISTINCT receipt_id AS id FROM consent_event WHERE receipt_id IN (?)",
    ids(true),
  );
  const decisions = await idsIn(sql, "SELECT id FROM decision WHERE id IN (?)", ids(false));
  const lost = [...acknowledged]
    .filter(([i, id]) => !(isConsentWrite(i) ? receipts : decisions).has(id))
    .map(([i]) => i);
  const [doubled] = await sql.query(
    `SELECT s.external_id, COUNT(e.id) + COUNT(d.id) AS n FROM subject s
       LEFT JOIN consent_event e ON e.subject_id = s.id
       LEFT JOIN decision d ON d.subject_id = s.id
      WHERE s.external_id LIKE ? GROUP BY s.external_id HAVING n <> 1`,
    [personOf(0).replace(/0$/, "%")],
  );
  return { lost, doubled: doubled as Array<{ external_id: string; n: number }> };
}

/** Candor's own verification of the audit log's hash chain (the admin query), and the rows it holds. */
export async function verifyAuditLog(url: string, adminToken: string, sql: Connection) {
  const a = await post(url, adminToken, "{ verifyAuditLog { valid checkedEntries firstBrokenSeq } }");
  if (a.status !== 200 || a.body.errors) throw new Error(`verifyAuditLog: HTTP ${a.status} ${JSON.stringify(a.body)}`);
  const [[{ n }]] = (await sql.query("SELECT COUNT(*) AS n FROM audit_log")) as any;
  return {
    ...(a.body.data!.verifyAuditLog as { valid: boolean; checkedEntries: number; firstBrokenSeq: number | null }),
    rows: Number(n),
  };
}

/** The people among `people` whose consent to `purpose` Candor's API does not report as DENIED. */
export async function notDeniedViaApi(url: string, serviceKey: string, people: string[], purpose: string) {
  const query = `query ($people: [String!]!, $purpose: String!) {
    consentChecks(subjectExternalIds: $people, purposes: [$purpose]) { subjectExternalId consents { status } }
  }`;
  const out: string[] = [];
  for (let i = 0; i < people.length; i += 100) {
    const a = await post(url, serviceKey, query, { people: people.slice(i, i + 100), purpose });
    if (a.status !== 200 || a.body.errors) throw new Error(`consentChecks: HTTP ${a.status} ${JSON.stringify(a.body)}`);
    for (const check of a.body.data!.consentChecks as Array<{
      subjectExternalId: string;
      consents: Array<{ status: string }>;
    }>)
      if (check.consents[0]?.status !== "DENIED") out.push(check.subjectExternalId);
  }
  return out;
}

/** What the admin API says of a person's consent to a purpose: its status and how many events. */
export async function consentViaApi(url: string, adminToken: string, person: string, purpose: string) {
  const a = await post(
    url,
    adminToken,
    `query ($person: String!, $purpose: String!) {
      subject(externalId: $person) { consent(purpose: $purpose) { status } consentHistory(first: 1, purpose: $purpose) { totalCount } }
    }`,
    { person, purpose },
  );
  const s = a.body.data?.subject;
  return { status: s?.consent?.status, history: s?.consentHistory?.totalCount, errors: a.body.errors ?? [] };
}
