import type { TestServer } from "./server";

/** Row counts of everything a consent call may write: "nothing written" made checkable. */
export async function writes(t: TestServer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of [
    "subject",
    "consent_state",
    "consent_event",
    "consent_receipt",
    "idempotency_record",
    "audit_log",
  ]) {
    out[table] = Number((await t.services.db.manager.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  }
  return out;
}

export const UPDATE = `mutation Update($input: UpdateConsentsInput!) {
  updateConsents(input: $input) {
    subject { externalId consents { purpose { key } status source gpcOverridden policyVersion } }
    receipt { id issuedAt jws }
    userErrors { field message code }
  }
}`;

export const SCREEN = `query ConsentScreen { me { consents { purpose { key name description benefit } status source } } }`;

export type Consents = Array<{ purpose: { key: string }; status: string; source: string; gpcOverridden?: boolean }>;

export const statusOf = (consents: Consents, key: string) => {
  const c = consents.find((x) => x.purpose.key === key);
  if (!c) throw new Error(`no consent for ${key}`);
  return `${c.status}/${c.source}`;
};

export async function myConsents(t: TestServer, token: string): Promise<Consents> {
  const r = await t.gql("{ me { consents { purpose { key } status source gpcOverridden } } }", {}, { token });
  return r.body.data!.me.consents;
}
