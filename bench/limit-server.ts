import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { jwtVerify } from "jose";
import { explain, loadCatalog, type Catalog } from "./limit-catalog";
import { openLimitDb, placeholders, sqlTime, valuesList, type LimitDb, type Tally } from "./limit-db";

// The reference server of `npm run bench`: what each scenario costs with nothing in the way —
// plain node:http, plain SQL (mysql2 or better-sqlite3), no GraphQL, no ORM, no permission layer.
// It verifies the same bearer credentials (HS256 JWT with jose; service keys by SHA-256), holds
// the catalog and the key hashes in memory (read once at start), and answers each scenario's data
// with the fewest statements the schema allows, counting them itself (x-candor-sql-count).
// Its texts are simple templates, not Candor's explanation generator, and its writes skip what
// the floor does not need to show (audit entry, consent receipt, idempotency). Usage:
//   DATABASE_URL=... CANDOR_JWT_SECRET=... PORT=0 node -r ts-node/register/transpile-only bench/limit-server.ts
// prints its URL on one line and serves until stdin closes.

type Caller = { kind: "anonymous" } | { kind: "subject"; externalId: string } | { kind: "service"; scopes: string[] };

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function authenticate(header: string | undefined, secret: Uint8Array, catalog: Catalog): Promise<Caller> {
  if (!header) return { kind: "anonymous" };
  const token = header.replace(/^Bearer /, "");
  if (token.startsWith("cnd_")) {
    const scopes = catalog.serviceKeys.get(createHash("sha256").update(token).digest("hex"));
    if (!scopes) throw new HttpError(401, "unknown key");
    return { kind: "service", scopes };
  }
  try {
    const { payload } = await jwtVerify(token, secret, { algorithms: ["HS256"] });
    return { kind: "subject", externalId: String(payload.sub) };
  } catch {
    throw new HttpError(401, "bad token");
  }
}

const FACTOR_COLUMNS =
  "d.id, d.surface_id, d.item_label, d.sponsor_on_behalf_of, d.sponsor_paid_by, f.purpose_id, f.data_category_id, f.share";

/** The person's consent states, modes and hidden sponsors in one statement (the widget's controls). */
const CONTROLS =
  "SELECT 'c' AS k, purpose_id AS ref, status AS v FROM consent_state WHERE subject_id = ? UNION ALL " +
  "SELECT 'm', surface_id, mode FROM recommender_mode WHERE subject_id = ? UNION ALL " +
  "SELECT 'h', sponsor, '' FROM hidden_sponsor WHERE subject_id = ?";

type Handler = (ctx: { caller: Caller; body: Record<string, any>; tally: Tally }) => Promise<unknown>;

function handlers(db: LimitDb, catalog: Catalog): Record<string, Handler> {
  const subjectOf = (caller: Caller) => {
    if (caller.kind !== "subject") throw new HttpError(403, "subjects only");
    return caller.externalId;
  };
  const needScope = (caller: Caller, scope: string) => {
    if (caller.kind !== "service" || !caller.scopes.includes(scope)) throw new HttpError(403, `needs ${scope}`);
  };
  return {
    // WhyThisAd: the latest decision for the item with its factors (one join), then the controls.
    async widget({ caller, body, tally }) {
      const surface = catalog.surfaceByKey.get(String(body.surface));
      if (!surface) return { data: { whyAmISeeing: null } };
      const rows = await db.run(
        tally,
        `SELECT ${FACTOR_COLUMNS}, d.subject_id FROM (SELECT d.* FROM subject s JOIN decision d ON d.subject_id = s.id ` +
          "WHERE s.external_id = ? AND d.surface_id = ? AND d.item_ref = ? ORDER BY d.occurred_at DESC LIMIT 1) d " +
          "JOIN decision_factor f ON f.decision_id = d.id",
        [subjectOf(caller), surface.id, body.itemRef],
      );
      if (rows.length === 0) return { data: { whyAmISeeing: null } };
      const subjectId = rows[0].subject_id;
      const controls = await db.run(tally, CONTROLS, [subjectId, subjectId, subjectId]);
      return { data: { whyAmISeeing: explain(catalog, rows, controls)[0] } };
    },
    // Five widgets: the five latest decisions with their factors (one join), then the controls.
    async widgets({ caller, tally }) {
      const rows = await db.run(
        tally,
        `SELECT ${FACTOR_COLUMNS}, d.subject_id FROM (SELECT d.* FROM subject s JOIN decision d ON d.subject_id = s.id ` +
          "WHERE s.external_id = ? ORDER BY d.id DESC LIMIT 5) d JOIN decision_factor f ON f.decision_id = d.id ORDER BY d.id DESC",
        [subjectOf(caller)],
      );
      if (rows.length === 0) return { data: { me: { decisions: [] } } };
      const subjectId = rows[0].subject_id;
      const controls = await db.run(tally, CONTROLS, [subjectId, subjectId, subjectId]);
      return { data: { me: { decisions: explain(catalog, rows, controls) } } };
    },
    // Consent screen: every purpose with the person's state, or the purpose's default.
    async consents({ caller, tally }) {
      const rows = await db.run(
        tally,
        "SELECT c.purpose_id, c.status, c.source FROM subject s JOIN consent_state c ON c.subject_id = s.id WHERE s.external_id = ?",
        [subjectOf(caller)],
      );
      const states = new Map(rows.map((r) => [String(r.purpose_id), r]));
      const consents = [...catalog.purposes.values()].map((p) => {
        const s = states.get(String(p.id));
        return {
          purpose: { key: p.key, name: p.name, description: p.description, benefit: p.benefit },
          status: s?.status ?? (p.default_mode === "OPT_IN" ? "DENIED" : "GRANTED"),
          source: s?.source ?? "DEFAULT",
        };
      });
      return { data: { me: { consents } } };
    },
    async catalog() {
      return catalog.page;
    },
    // consentChecks: people and their states in one join, their modes in a second statement.
    async consentChecks({ caller, body, tally }) {
      needScope(caller, "consent:read");
      const ids: string[] = body.subjectExternalIds;
      const wanted = (body.purposes as string[]).map((k) => catalog.purposeByKey.get(k)!);
      const rows = await db.run(
        tally,
        "SELECT s.id, s.external_id, c.purpose_id, c.status FROM subject s LEFT JOIN consent_state c ON c.subject_id = s.id " +
          `WHERE s.external_id IN (${placeholders(ids.length)})`,
        ids,
      );
      const people = new Map<string, { id: string; states: Map<string, string> }>();
      for (const r of rows) {
        const p = people.get(String(r.external_id)) ?? { id: String(r.id), states: new Map() };
        if (r.purpose_id) p.states.set(String(r.purpose_id), String(r.status));
        people.set(String(r.external_id), p);
      }
      const subjectIds = [...people.values()].map((p) => p.id);
      const modes =
        subjectIds.length === 0
          ? []
          : await db.run(
              tally,
              `SELECT subject_id, surface_id, mode FROM recommender_mode WHERE subject_id IN (${placeholders(subjectIds.length)})`,
              subjectIds,
            );
      return {
        data: {
          consentChecks: ids.map((externalId) => {
            const p = people.get(externalId);
            const consents = wanted.map((w) => ({
              purpose: { key: w.key },
              status: p?.states.get(String(w.id)) ?? (w.default_mode === "OPT_IN" ? "DENIED" : "GRANTED"),
            }));
            return {
              subjectExternalId: externalId,
              allGranted: consents.every((c) => c.status === "GRANTED"),
              consents,
              recommenderModes: modes.filter((m) => m.subject_id === p?.id).map((m) => ({ mode: m.mode })),
            };
          }),
        },
      };
    },
    // recordDecisions: people, their consents and modes (two reads), then two multi-row inserts.
    async recordDecisions({ caller, body, tally }) {
      needScope(caller, "decisions:write");
      const inputs: Array<Record<string, any>> = body.decisions;
      const externalIds = [...new Set(inputs.map((d) => String(d.subjectExternalId)))];
      return db.transaction(async (run) => {
        const rows = await run(
          tally,
          "SELECT s.id, s.external_id, c.purpose_id, c.status FROM subject s LEFT JOIN consent_state c ON c.subject_id = s.id " +
            `WHERE s.external_id IN (${placeholders(externalIds.length)})`,
          externalIds,
        );
        const people = new Map<string, { id: string; withdrawn: Set<string> }>();
        for (const r of rows) {
          const p = people.get(String(r.external_id)) ?? { id: String(r.id), withdrawn: new Set<string>() };
          if (r.status === "DENIED") p.withdrawn.add(String(r.purpose_id));
          people.set(String(r.external_id), p);
        }
        const ids = [...people.values()].map((p) => p.id);
        const modes = await run(
          tally,
          `SELECT subject_id, surface_id, mode FROM recommender_mode WHERE subject_id IN (${placeholders(ids.length)})`,
          ids,
        );
        const modeOf = new Map(modes.map((m) => [`${m.subject_id}/${m.surface_id}`, String(m.mode)]));
        const now = sqlTime(new Date());
        const decisions: unknown[][] = [];
        const factors: unknown[][] = [];
        const results = inputs.map((d, index) => {
          const person = people.get(String(d.subjectExternalId));
          const surface = catalog.surfaceByKey.get(String(d.surface));
          const card = catalog.cards.get(`${d.algorithm}@${d.algorithmVersion}`);
          const used = (d.factors as Array<Record<string, any>>).map((f) => ({
            f,
            purpose: catalog.purposeByKey.get(String(f.purpose)),
            category: catalog.categoryByKey.get(String(f.dataCategory)),
          }));
          const refused =
            !person ||
            !surface ||
            !card ||
            used.some((u) => !u.purpose || !u.category || person.withdrawn.has(String(u.purpose.id)));
          if (refused) return { index, decision: null, userErrors: [{ code: "REFUSED" }] };
          const id = randomUUID();
          const mode = modeOf.get(`${person.id}/${surface.id}`) ?? "PERSONALIZED";
          const hash = createHash("sha256").update(JSON.stringify(d)).digest("hex");
          decisions.push([
            id,
            person.id,
            surface.id,
            card.id,
            d.kind,
            d.itemRef,
            d.itemLabel,
            now,
            now,
            d.channel,
            mode,
            "bench",
            hash,
          ]);
          used.forEach((u, position) =>
            factors.push([
              id,
              position,
              person.id,
              u.f.kind,
              u.purpose!.id,
              u.category!.id,
              u.f.sourceClass,
              u.f.share ?? 0,
              "[]",
            ]),
          );
          return { index, decision: { id }, userErrors: [] };
        });
        if (decisions.length > 0) {
          await run(
            tally,
            "INSERT INTO decision (id, subject_id, surface_id, algorithm_card_id, kind, item_ref, item_label, occurred_at, " +
              `recorded_at, channel, mode, recorded_by, integrity_hash) VALUES ${valuesList(decisions.length, 13)}`,
            decisions.flat(),
          );
          await run(
            tally,
            "INSERT INTO decision_factor (decision_id, position, subject_id, kind, purpose_id, data_category_id, " +
              `source_class, share, evidence) VALUES ${valuesList(factors.length, 9)}`,
            factors.flat(),
          );
        }
        return { data: { recordDecisions: { results, userErrors: [] } } };
      });
    },
    // updateConsents: the person with the state it changes (one join), the new state, its event.
    async updateConsents({ caller, body, tally }) {
      needScope(caller, "consent:write");
      const change = body.changes[0] as { purpose: string; granted: boolean };
      const purpose = catalog.purposeByKey.get(change.purpose);
      if (!purpose) return { data: { updateConsents: { userErrors: [{ code: "UNKNOWN_PURPOSE" }] } } };
      const status = change.granted ? "GRANTED" : "DENIED";
      return db.transaction(async (run) => {
        const [person] = await run(
          tally,
          "SELECT s.id, c.status FROM subject s LEFT JOIN consent_state c ON c.subject_id = s.id AND c.purpose_id = ? WHERE s.external_id = ?",
          [purpose.id, body.subjectExternalId],
        );
        if (!person) return { data: { updateConsents: { userErrors: [{ code: "NOT_FOUND" }] } } };
        if (person.status === status) return { data: { updateConsents: { receipt: null, userErrors: [] } } };
        const now = sqlTime(new Date());
        const upsert =
          db.dialect === "sqlite"
            ? "ON CONFLICT (subject_id, purpose_id) DO UPDATE SET status = excluded.status, source = excluded.source, updated_at = excluded.updated_at"
            : "ON DUPLICATE KEY UPDATE status = VALUES(status), source = VALUES(source), updated_at = VALUES(updated_at)";
        await run(
          tally,
          "INSERT INTO consent_state (subject_id, purpose_id, status, source, gpc_overridden, policy_version, updated_at) " +
            `VALUES (?, ?, ?, 'SERVICE', ?, 1, ?) ${upsert}`,
          [person.id, purpose.id, status, false, now],
        );
        await run(
          tally,
          "INSERT INTO consent_event (id, subject_id, purpose_id, status, previous_status, source, channel, policy_version, " +
            "gpc_overridden, occurred_at) VALUES (?, ?, ?, ?, ?, 'SERVICE', ?, 1, ?, ?)",
          [randomUUID(), person.id, purpose.id, status, person.status ?? null, body.channel, false, now],
        );
        return { data: { updateConsents: { receipt: { id: "none" }, userErrors: [] } } };
      });
    },
  };
}

async function main(): Promise<void> {
  const db = await openLimitDb(process.env.DATABASE_URL!);
  const catalog = await loadCatalog(db);
  const secret = new TextEncoder().encode(process.env.CANDOR_JWT_SECRET);
  const routes = handlers(db, catalog);
  const send = (res: ServerResponse, status: number, text: string, count: number) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "x-candor-sql-count": String(count) });
    res.end(text);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const tally: Tally = { count: 0 };
      const handler = routes[(req.url ?? "/").slice(1)];
      if (!handler) return send(res, 404, '{"error":"no such route"}', 0);
      void (async () => {
        try {
          const caller = await authenticate(req.headers.authorization, secret, catalog);
          const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};
          const out = await handler({ caller, body, tally });
          send(res, 200, typeof out === "string" ? out : JSON.stringify(out), tally.count);
        } catch (err) {
          const status = err instanceof HttpError ? err.status : 500;
          send(res, status, JSON.stringify({ error: (err as Error).message }), tally.count);
        }
      })();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
    process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  });
  process.stdin.resume();
  process.stdin.on("end", () => {
    server.close();
    server.closeAllConnections();
    void db.close().then(() => process.exit(0));
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
