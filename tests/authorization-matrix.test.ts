import { recordFigures } from "./helpers/figures";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSchema, getNullableType, isInputObjectType, type GraphQLField } from "graphql";
import { SignJWT } from "jose";
import { newId, toGlobalId } from "../src/kernel/ids";
import { argumentsOf, deepDocument } from "./helpers/deep-documents";
import { contractPresent, CONTRACT_PATH, fieldRoles, fixtureText, parseFieldRoles } from "./helpers/field-roles";
import { seedPrincipals, type Caller, type Principals } from "./helpers/principals";
import { rowCounter, shapeOf } from "./helpers/mutations";
import { startTestServer, type GqlResult, type TestServer } from "./helpers/server";
import { SIGNALS } from "./helpers/sharing";

// Who may call what, as the contract says: EVERY Query and Mutation field of the emitted schema,
// called through the real HTTP server by eight kinds of caller with real credentials, allowed or
// denied exactly as the field's [role] annotations say. Then: no answer to anyone names another
// person's or partner's identifiers, and reaching for them by id answers as if they did not exist.

const schema = buildSchema(readFileSync(join(__dirname, "..", "schema", "schema.graphql"), "utf8"));
const roles = fieldRoles();
const AUTH_CODES = new Set(["FORBIDDEN", "UNAUTHENTICATED"]);
const FORBIDDEN = new Set(["FORBIDDEN"]);
/** Inputs that would be accepted if they named the caller: what a subject naming another person tries. */
const VALID_INPUTS: Record<string, Record<string, unknown>> = {
  updateConsents: { channel: "WEB", changes: [{ purpose: "email-offers", granted: true }] },
  submitDataRequest: { kind: "CORRECT", details: "not mine" },
  upsertSubject: { jurisdiction: "DE" },
  optOutOfAll: { channel: "WEB" },
};
const ROOTS = [
  ["query", schema.getQueryType()!],
  ["mutation", schema.getMutationType()!],
] as const;

/** Whether a contract annotation lets the caller in (the header of contract.graphql). */
export function contractAllows(caller: Caller, fieldRoles: string[]): boolean {
  return fieldRoles.some(
    (role) =>
      role === "anyone" ||
      role === caller.kind ||
      (caller.kind === "service" && role.startsWith("service:") && caller.scopes.includes(role.slice(8))),
  );
}

/** An auth error of the whole field: at the field itself, or of the request. */
function denial(r: GqlResult, field: string, codes = AUTH_CODES) {
  return (r.body.errors ?? []).find(
    (e) => codes.has(String(e.extensions?.code)) && (e.path === undefined || e.path.join(".") === field),
  );
}

describe("The roles fixture is the contract's", () => {
  it("names at least one role for every Query and Mutation field of the emitted schema", () => {
    const missing = ROOTS.flatMap(([, type]) =>
      Object.keys(type.getFields())
        .filter((f) => !(roles[type.name as "Query" | "Mutation"][f]?.length > 0))
        .map((f) => `${type.name}.${f}`),
    );
    expect(missing).toEqual([]);
  });

  (contractPresent() ? it : it.skip)("matches the [role] annotations of ../shared/design/contract.graphql", () => {
    const fromContract = fixtureText(parseFieldRoles(readFileSync(CONTRACT_PATH, "utf8")));
    // On failure: npx ts-node --transpile-only tests/helpers/field-roles.ts
    expect(fixtureText(roles)).toBe(fromContract);
  });

  it("reads notes and several roles from an annotation", () => {
    const sdl = `type Query {
      "[subject: own decisions only] [admin]" a: Int
      "[service:consent:read] Effective consent." b: Int
      "No annotation." c: Int }`;
    expect(parseFieldRoles(sdl).Query).toEqual({ a: ["admin", "subject"], b: ["service:consent:read"], c: [] });
  });
});

describe("Authorization matrix: every field, every kind of caller, through the real server", () => {
  let t: TestServer;
  let p: Principals;
  let rows: () => Promise<Record<string, number>>;
  /** Every answer each caller received, as text. */
  const answers = new Map<string, Array<{ call: string; text: string }>>();
  const counts = { calls: 0, allowed: 0, denied: 0, unauthenticated: 0, attempts: 0, absences: 0 };

  beforeAll(async () => {
    t = await startTestServer({ env: { CANDOR_SIGNAL_LAG_MS: "0", CANDOR_WEBHOOK_POLL_MS: "3600000" } });
    p = await seedPrincipals(t);
    const count = await rowCounter(t);
    // The webhook dispatcher delivers the seeded signals in the background: not a write of any call.
    rows = async () =>
      Object.fromEntries(Object.entries(await count()).filter(([table]) => !table.startsWith("webhook")));
  });
  afterAll(async () => {
    await p?.close();
    await t?.close();
    process.stdout.write(
      `authorization matrix: ${counts.calls} calls (${counts.allowed} allowed, ${counts.denied} denied, ` +
        `${counts.unauthenticated} with bad credentials); ` +
        `${counts.attempts} cross-principal attempts; ${counts.absences} checks that an answer names no other principal\n`,
    );
    // The assertions fail the run on any wrong answer or leak: a green run recorded 0 of each.
    recordFigures("authorization matrix", { ...counts });
  });

  const call = async (
    caller: Caller,
    label: string,
    query: string,
    variables?: Record<string, unknown>,
    token = caller.token,
  ) => {
    const r = await t.gql(query, variables, { token });
    counts.calls += 1;
    const list = answers.get(caller.name) ?? [];
    list.push({ call: label, text: JSON.stringify(r.body) });
    answers.set(caller.name, list);
    return r;
  };

  /** A global id nobody owns. */
  const nobodys = (type: string) => toGlobalId(type, newId());

  describe("reaching for another principal's objects answers as if they did not exist", () => {
    const NODE = `query($id: ID!) { node(id: $id) { __typename id } }`;
    const expectNull = async (caller: Caller, label: string, query: string, variables: Record<string, unknown>) => {
      const r = await call(caller, label, query, variables);
      counts.attempts += 1;
      expect({ label, errors: r.body.errors, data: r.body.data }).toEqual({
        label,
        errors: undefined,
        data: Object.fromEntries(Object.keys(r.body.data ?? { x: 0 }).map((k) => [k, null])),
      });
    };
    const countOf = async (externalId: string, what: string) =>
      (
        await t.gql(
          `query($e: String!) { subject(externalId: $e) { ${what} } }`,
          { e: externalId },
          {
            token: p.byName.admin.token,
          },
        )
      ).body.data!.subject;

    it.each([
      ["A", "B"],
      ["B", "A"],
    ])("subject %s cannot read or change subject %s's data", async (me, other) => {
      const caller = p.byName[me];
      const theirs = p.owned[other];
      for (const [kind, id] of Object.entries({
        decision: theirs.decision,
        dataRequest: theirs.dataRequest,
        consentEvent: theirs.consentEvent,
        sharingEvent: theirs.sharingEvent,
        breachNotice: theirs.breachNotice,
        subject: theirs.subject,
        signal: p.owned.P1.signals[0],
      }))
        await expectNull(caller, `node(${other}'s ${kind})`, NODE, { id });
      await expectNull(caller, `decision(${other}'s)`, `query($id: ID!) { decision(id: $id) { id } }`, {
        id: theirs.decision,
      });
      await expectNull(
        caller,
        `whyAmISeeing(${other}'s item)`,
        `query($i: String!) { whyAmISeeing(surface: "home-feed", itemRef: $i) { id } }`,
        { i: theirs.itemRef },
      );

      // Naming the other person in any write a subject may make answers exactly as naming nobody,
      // and changes nothing of theirs. The writes that name a person are found in the schema.
      const state = `jurisdiction consents { status source } consentHistory(first: 1) { totalCount }
        dataRequests { id } breachNotices { acknowledgedAt }`;
      const before = await countOf(theirs.externalId!, state);
      const writes = [
        {
          field: "acknowledgeBreachNotice",
          type: "AcknowledgeBreachNoticeInput!",
          base: {},
          key: "id",
          theirId: theirs.breachNotice,
          nobodysId: nobodys("BreachNotice"),
        },
      ];
      for (const field of Object.values(schema.getMutationType()!.getFields())) {
        const input = field.args[0]?.type;
        const named = input && getNullableType(input);
        const key = isInputObjectType(named) && ["subjectExternalId", "externalId"].find((f) => f in named.getFields());
        if (key && roles.Mutation[field.name].includes("subject"))
          writes.push({
            field: field.name,
            type: String(input),
            base: { ...(shapeOf(input) as object), ...VALID_INPUTS[field.name] },
            key,
            theirId: theirs.externalId,
            nobodysId: "authz-nobody",
          });
      }
      expect(writes.map((w) => w.field).sort()).toEqual([
        "acknowledgeBreachNotice",
        "optOutOfAll",
        "submitDataRequest",
        "updateConsents",
        "upsertSubject",
      ]);
      for (const { field, type, base, key, theirId, nobodysId } of writes) {
        const query = `mutation($input: ${type}) { ${field}(input: $input) { userErrors { field code message } } }`;
        const asTheirs = await call(caller, `${field}(${other}'s)`, query, { input: { ...base, [key]: theirId } });
        const asNobodys = await call(caller, `${field}(nobody's)`, query, { input: { ...base, [key]: nobodysId } });
        counts.attempts += 1;
        expect({ field, ...asTheirs.body }).toEqual({ field, ...asNobodys.body });
      }
      expect(await countOf(theirs.externalId!, state)).toEqual(before);
    });

    it.each([
      ["P1", "P2"],
      ["P2", "P1"],
    ])("partner %s sees only its own signals, never %s's", async (me, other) => {
      const caller = p.byName[me];
      const feed = (await call(caller, "partnerSignals", SIGNALS, { first: 50 })).body.data!.partnerSignals;
      counts.attempts += 1;
      expect(feed.edges.map((e: any) => e.node.id).sort()).toEqual([...p.owned[me].signals].sort());
      for (const id of p.owned[other].signals) await expectNull(caller, `node(${other}'s signal)`, NODE, { id });
      const ack = await call(
        caller,
        `acknowledgePartnerSignals(${other}'s)`,
        `mutation($ids: [ID!]!) { acknowledgePartnerSignals(input: { ids: $ids }) { userErrors { code } } }`,
        { ids: p.owned[other].signals },
      );
      counts.attempts += 1;
      expect(ack.body.errors).toBeUndefined();
      const theirs = (await t.gql(SIGNALS, { first: 50 }, { token: p.byName[other].token })).body.data!.partnerSignals;
      expect(theirs.edges.map((e: any) => e.node.acknowledgedAt)).toEqual(theirs.edges.map(() => null));
    });

    it.each(["anonymous", "service-one", "service-all"])("%s cannot read a person's objects by id", async (name) => {
      const caller = p.byName[name];
      const a = p.owned.A;
      for (const id of [
        a.decision,
        a.dataRequest,
        a.consentEvent,
        a.sharingEvent,
        a.breachNotice,
        a.subject,
        p.owned.P1.signals[0],
      ])
        await expectNull(caller, "node(A's)", NODE, { id });
    });
  });

  it("answers every field to bad credentials with HTTP 401 UNAUTHENTICATED, never as anonymous", async () => {
    const forged = await new SignJWT({ role: "admin" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("authz-forger")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("not-the-secret-of-this-server-0123456789"));
    const wrong: string[] = [];
    for (const [operation, root] of ROOTS)
      for (const field of Object.values(root.getFields())) {
        const r = await call(
          p.byName.anonymous,
          `forged ${field.name}`,
          deepDocument(schema, operation, field.name, argumentsOf(field)),
          undefined,
          forged,
        );
        counts.unauthenticated += 1;
        if (r.status !== 401 || !denial(r, field.name, new Set(["UNAUTHENTICATED"])) || r.body.data)
          wrong.push(`${field.name}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      }
    expect(wrong).toEqual([]);
  });

  describe.each(ROOTS)("every %s field", (operation, root) => {
    const fields = Object.values(root.getFields()).sort((a, b) => a.name.localeCompare(b.name));

    /** Per-field ids where a valid call needs real ones: the caller's own object, else one nobody owns. */
    const overrides = (field: GraphQLField<unknown, unknown>, caller: Caller): Record<string, unknown> => {
      const mine = p.owned[caller.name];
      const decision = mine?.decision ?? (caller.kind === "admin" ? p.owned.A.decision : nobodys("Decision"));
      switch (`${operation}.${field.name}`) {
        case "query.node":
          return { id: mine?.signals[0] ?? decision };
        case "query.decision":
          return { id: decision };
        case "query.whyAmISeeing":
          return { itemRef: mine?.itemRef ?? "sku-boots" };
        case "mutation.upsertSubject":
          // A person may upsert only themselves (naming another is refused whoever it is).
          return mine?.externalId ? { input: { externalId: mine.externalId } } : {};
        case "mutation.acknowledgeBreachNotice":
          return { input: { id: mine?.breachNotice ?? nobodys("BreachNotice") } };
        case "mutation.acknowledgePartnerSignals":
          return { input: { ids: mine?.signals.slice(0, 1) ?? [nobodys("PartnerSignal")] } };
        default:
          return {};
      }
    };

    it.each(fields.map((f) => [f.name, f] as const))("%s", async (name, field) => {
      const expected = roles[root.name as "Query" | "Mutation"][name];
      expect(expected?.length).toBeGreaterThan(0);
      const wrong: string[] = [];
      for (const caller of p.callers) {
        const document = deepDocument(schema, operation, name, argumentsOf(field, overrides(field, caller)));
        const allowed = contractAllows(caller, expected);
        const before = operation === "mutation" && !allowed ? await rows() : null;
        const r = await call(caller, `${operation} ${name}`, document);
        // Every caller here holds valid credentials: a denial is FORBIDDEN (UNAUTHENTICATED is for bad ones).
        const denied = denial(r, name, FORBIDDEN);
        if (allowed) counts.allowed += 1;
        else counts.denied += 1;
        if (allowed && (denied || r.status !== 200 || r.body.data?.[name] === undefined))
          wrong.push(`${caller.name} should be allowed: HTTP ${r.status} ${JSON.stringify(r.body.errors?.[0])}`);
        if (!allowed && !(denied && r.body.data?.[name] == null))
          wrong.push(`${caller.name} should be denied: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        if (before && JSON.stringify(await rows()) !== JSON.stringify(before))
          wrong.push(`${caller.name} was denied but something was written`);
      }
      expect(wrong).toEqual([]);
    });
  });

  it("no answer to any caller names another person's or partner's identifiers", () => {
    const leaks: string[] = [];
    for (const caller of p.callers) {
      const foreign = [...p.owners].filter(([, who]) => !who.has(caller.name)).map(([id]) => id);
      for (const { call: label, text } of answers.get(caller.name) ?? []) {
        for (const id of foreign) {
          counts.absences += 1;
          if (text.includes(id)) leaks.push(`${caller.name} ← ${label}: ${id} (${[...p.owners.get(id)!].join(", ")})`);
        }
      }
    }
    expect(answers.size).toBe(p.callers.length);
    expect(leaks).toEqual([]);
    // Not vacuous: each person and partner did see identifiers of their own, and the admin everyone's.
    for (const name of ["A", "B", "P1", "P2", "admin"]) {
      const seen = [...p.owners].filter(
        ([id, who]) => who.has(name) && answers.get(name)!.some((a) => a.text.includes(id)),
      );
      expect({ name, seen: seen.length > 3 }).toEqual({ name, seen: true });
    }
  });
});
