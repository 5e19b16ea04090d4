import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fromGlobalId } from "../../src/kernel/ids";
import { SERVICE_SCOPES } from "../../src/kernel/principal";
import { UPDATE } from "./consent";
import { record, recommendation } from "./decisions";
import { agreementIds, share, SIGNALS } from "./sharing";
import type { TestServer } from "./server";

// Eight kinds of caller with real credentials, and data of their own for each person and partner:
// what the authorization matrix (tests/authorization-matrix.test.ts) calls with and looks for.

export type CallerKind = "anonymous" | "subject" | "service" | "partner" | "admin";

export interface Caller {
  name: string;
  kind: CallerKind;
  /** Service keys only. */
  scopes: string[];
  token?: string;
}

/** What one principal owns: the objects a test passes by id, and every identifier of theirs. */
export interface Owned {
  decision?: string;
  dataRequest?: string;
  consentEvent?: string;
  sharingEvent?: string;
  breachNotice?: string;
  subject?: string;
  signals: string[];
  itemRef?: string;
  externalId?: string;
}

export interface Principals {
  callers: Caller[];
  byName: Record<string, Caller>;
  owned: Record<string, Owned>;
  /** Identifier (global id, raw uuid, external id, pseudonym, secret …) → the principals who may see it. */
  owners: Map<string, Set<string>>;
  close(): Promise<void>;
}

export const SUBJECTS = { A: "authz-subject-a", B: "authz-subject-b" } as const;
export const PARTNERS = { P1: "summit-ad-network", P2: "open-range-data" } as const;
/** The one scope of the narrow service key: it writes consent but may not read it. */
export const ONE_SCOPE = "consent:write";

const SUBMIT = `mutation($input: SubmitDataRequestInput!) { submitDataRequest(input: $input) { dataRequest { id } userErrors { code } } }`;
const REPORT = `mutation($input: ReportBreachIncidentInput!) { reportBreachIncident(input: $input) { notified userErrors { code } } }`;
const WEBHOOK = `mutation($input: SetPartnerWebhookInput!) { setPartnerWebhook(input: $input) { secret userErrors { code } } }`;
const MINE = `{ me { id externalId
  decisions(first: 50) { edges { node { id itemRef } } }
  consentHistory(first: 50) { edges { node { id receipt { id } } } }
  sharingEvents(first: 50) { edges { node { id subjectRef } } }
  dataRequests { id details }
  breachNotices { id } } }`;

function check(r: { body: { errors?: unknown[] } }, what: string): void {
  if (r.body.errors) throw new Error(`${what}: ${JSON.stringify(r.body.errors)}`);
}

/** A webhook receiver that accepts everything, so deliveries to the seeded partners end at once. */
async function receiver(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => req.resume().on("end", () => res.writeHead(204).end()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function seedPrincipals(t: TestServer): Promise<Principals> {
  const callers: Caller[] = [
    { name: "anonymous", kind: "anonymous", scopes: [] },
    { name: "A", kind: "subject", scopes: [], token: await t.subjectToken(SUBJECTS.A) },
    { name: "B", kind: "subject", scopes: [], token: await t.subjectToken(SUBJECTS.B) },
    { name: "service-one", kind: "service", scopes: [ONE_SCOPE], token: await t.serviceKey([ONE_SCOPE], "authz-one") },
    {
      name: "service-all",
      kind: "service",
      scopes: [...SERVICE_SCOPES],
      token: await t.serviceKey([...SERVICE_SCOPES], "authz-all"),
    },
    { name: "P1", kind: "partner", scopes: [], token: await t.partnerKey(PARTNERS.P1) },
    { name: "P2", kind: "partner", scopes: [], token: await t.partnerKey(PARTNERS.P2) },
    { name: "admin", kind: "admin", scopes: [], token: await t.adminToken() },
  ];
  const byName = Object.fromEntries(callers.map((c) => [c.name, c]));
  const engine = byName["service-all"].token!;
  const admin = byName.admin.token!;
  const owners = new Map<string, Set<string>>();
  const own = (id: string | null | undefined, ...who: string[]) => {
    if (!id) return;
    const raw = fromGlobalId(id)?.id;
    for (const token of raw ? [id, raw] : [id]) {
      const set = owners.get(token) ?? new Set<string>();
      for (const w of who) set.add(w);
      owners.set(token, set);
    }
  };

  // People: consent to everything shared, a decision each, then data shared with both partners.
  const purposes = ["personalized-recommendations", "targeted-advertising", "sale-to-data-partners"];
  for (const name of ["A", "B"] as const) {
    const changes = purposes.map((purpose) => ({ purpose, granted: true }));
    check(await t.gql(UPDATE, { input: { channel: "WEB", changes } }, { token: byName[name].token }), "consent");
  }
  const decided = await record(t, engine, [
    recommendation(SUBJECTS.A, { itemRef: "sku-authz-a", itemLabel: "Item for A" }),
    recommendation(SUBJECTS.B, { itemRef: "sku-authz-b", itemLabel: "Item for B" }),
  ]);
  if (decided.payload.results.some((r) => r.userErrors.length)) throw new Error(JSON.stringify(decided.payload));
  const agreements = await agreementIds(t);
  const shared = await share(
    t,
    engine,
    Object.values(SUBJECTS).flatMap((person) => [
      {
        subjectExternalId: person,
        agreement: agreements["retargeting-ads"],
        dataCategories: ["user.device.identifiers"],
      },
      {
        subjectExternalId: person,
        agreement: agreements["audience-data-sale"],
        dataCategories: ["user.behavior.purchase_history"],
      },
    ]),
  );
  if (shared.payload.results.some((r) => r.userErrors.length)) throw new Error(JSON.stringify(shared.payload));
  // Withdrawing after sharing gives each partner a signal about each person.
  for (const name of ["A", "B"] as const) {
    const changes = purposes.slice(1).map((purpose) => ({ purpose, granted: false }));
    check(await t.gql(UPDATE, { input: { channel: "WEB", changes } }, { token: byName[name].token }), "withdraw");
    for (const input of [{ kind: "ACCESS" }, { kind: "CORRECT", details: `authz-details-${name}-${Date.now()}` }])
      check(await t.gql(SUBMIT, { input }, { token: byName[name].token }), "request");
  }
  const hour = 3600_000;
  const report = await t.gql(
    REPORT,
    {
      input: {
        title: "Authz matrix incident",
        description: "A test incident.",
        whatWeAreDoing: "Testing.",
        whatYouCanDo: "Nothing.",
        dataCategories: ["user.behavior.browsing_history"],
        discoveredAt: new Date().toISOString(),
        occurredFrom: new Date(Date.now() - hour).toISOString(),
        occurredTo: new Date(Date.now() + hour).toISOString(),
      },
    },
    { token: admin },
  );
  check(report, "breach");

  // Partners: a webhook each (URL and secret are theirs), and their signals.
  const hooks = await receiver();
  for (const name of ["P1", "P2"] as const) {
    const url = `${hooks.url}/hooks/authz-${name.toLowerCase()}-${Date.now()}`;
    const set = await t.gql(WEBHOOK, { input: { partner: PARTNERS[name], url } }, { token: admin });
    check(set, "webhook");
    own(url, name, "admin");
    own(set.body.data!.setPartnerWebhook.secret, name);
    own(byName[name].token, name);
  }
  own(byName["service-one"].token, "service-one");
  own(engine, "service-all");

  const owned: Record<string, Owned> = {};
  /** A partner's pseudonym of a person → that person: a signal about them is theirs too (their access export lists it). */
  const personOf = new Map<string, string>();
  for (const name of ["A", "B"] as const) {
    const me = (await t.gql(MINE, {}, { token: byName[name].token })).body.data!.me;
    const ids = {
      decisions: me.decisions.edges.map((e: any) => e.node.id),
      events: me.consentHistory.edges.map((e: any) => e.node.id),
      receipts: me.consentHistory.edges.map((e: any) => e.node.receipt?.id),
      sharing: me.sharingEvents.edges.map((e: any) => e.node.id),
      requests: me.dataRequests.map((r: any) => r.id),
      notices: me.breachNotices.map((n: any) => n.id),
    };
    for (const id of [me.id, me.externalId, ...Object.values(ids).flat()]) own(id, name, "admin");
    for (const r of me.dataRequests) own(r.details, name, "admin");
    for (const e of me.sharingEvents.edges) {
      own(e.node.subjectRef, name, "admin");
      personOf.set(e.node.subjectRef, name);
    }
    for (const [kind, list] of Object.entries(ids))
      if (list.filter(Boolean).length === 0) throw new Error(`seeding gave ${name} no ${kind}`);
    owned[name] = {
      subject: me.id,
      externalId: me.externalId,
      decision: ids.decisions[0],
      itemRef: me.decisions.edges[0].node.itemRef,
      consentEvent: ids.events[0],
      sharingEvent: ids.sharing[0],
      dataRequest: ids.requests[0],
      breachNotice: ids.notices[0],
      signals: [],
    };
  }
  for (const name of ["P1", "P2"] as const) {
    const feed = (await t.gql(SIGNALS, { first: 50 }, { token: byName[name].token })).body.data!.partnerSignals;
    const signals = feed.edges.map((e: any) => e.node);
    if (signals.length < 2) throw new Error(`seeding gave ${name} ${signals.length} signals`);
    for (const s of signals) {
      const person = personOf.get(s.subjectRef);
      if (!person) throw new Error(`signal ${s.id} names no seeded person`);
      own(s.id, name, person, "admin");
      own(s.subjectRef, name, person, "admin");
    }
    owned[name] = { signals: signals.map((s: any) => s.id) };
  }
  return { callers, byName, owned, owners, close: () => new Promise((r) => hooks.server.close(() => r())) };
}
