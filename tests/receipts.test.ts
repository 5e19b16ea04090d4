import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  calculateJwkThumbprint,
  compactVerify,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
} from "jose";
import { parse, stringify } from "yaml";
import { CatalogApplyService } from "../src/modules/catalog/catalog-apply.service";
import { DataRequestKind } from "../src/modules/rights/data-request.entity";
import { ReceiptSigner } from "../src/kernel/signer";
import { UPDATE, writes } from "./helpers/consent";
import { startTestServer, type TestServer } from "./helpers/server";

// Receipt keys: generated once and kept (every process of a deployment signs with the same key),
// or configured; a generated key stays published after a configured one replaces it.
describe("Consent receipts: signing keys", () => {
  let t: TestServer;
  let generatedKid: string;
  beforeAll(async () => {
    t = await startTestServer({ demoCatalog: false });
  });
  afterAll(() => t.close());

  it("are generated once and persisted: a second process loads the same key", async () => {
    const again = await ReceiptSigner.load(t.services.config, t.services.db);
    expect(again.jwks()).toEqual(t.services.receipts.jwks());
    expect(t.services.receipts.jwks().keys).toHaveLength(1);
    generatedKid = t.services.receipts.jwks().keys[0].kid!;
  });

  it("come from configuration when given, with the generated key kept in the JWKS", async () => {
    const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    const configured = await ReceiptSigner.load(
      { ...t.services.config, receiptSigningKey: JSON.stringify(await exportJWK(privateKey)) },
      t.services.db,
    );
    const kids = configured.jwks().keys.map((k) => k.kid);
    const configuredKid = await calculateJwkThumbprint(await exportJWK(publicKey));
    expect(kids).toEqual([configuredKid, generatedKid]);
    const jws = await configured.sign({ hello: "world" });
    expect(decodeProtectedHeader(jws).kid).toBe(configuredKid);
    await expect(compactVerify(jws, createLocalJWKSet(configured.jwks()))).resolves.toBeTruthy();
  });
});

describe("Consent receipts: a server with a configured receipt key", () => {
  it("signs receipts with it", async () => {
    const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    const t = await startTestServer({
      env: { CANDOR_RECEIPT_SIGNING_KEY: JSON.stringify(await exportJWK(privateKey)) },
    });
    try {
      const r = await t.gql(
        UPDATE,
        { input: { channel: "WEB", changes: [{ purpose: "email-offers", granted: false }] } },
        { token: await t.subjectToken("keyed") },
      );
      const jws = r.body.data!.updateConsents.receipt.jws;
      await expect(compactVerify(jws, publicKey)).resolves.toBeTruthy();
    } finally {
      await t.close();
    }
  });
});

// ISO/IEC TS 27560 receipts: the fields of the standard are read from catalog/iso27560-fields.md
// (the DPVCG guide's table), the expected values from catalog/demo.yaml, and the receipt is one
// issued through the real server and verified against the JWKS it publishes.
const FIELDS_MD = readFileSync(join(__dirname, "..", "catalog", "iso27560-fields.md"), "utf8");
const DEMO = parse(readFileSync(join(__dirname, "..", "catalog", "demo.yaml"), "utf8"));

type Section = "record" | "personal data" | "parties" | "events";
interface StandardField {
  name: string;
  section: Section;
  mandatory: boolean;
}

/** Every row of the guide's table, in snake_case ("party email / url / phone" is three fields). */
function standardFields(md: string): StandardField[] {
  let section: Section = "record";
  const out: StandardField[] = [];
  for (const line of md.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length < 4 || !/^(M|O)$/.test(cells[2])) continue;
    let label = cells[1];
    const marker = /^\*([a-z ]+):\*\s*(.*)$/.exec(label);
    if (marker) [section, label] = [marker[1] as Section, marker[2]];
    const [first, ...more] = label.split(" / ");
    const prefix = first.split(" ").slice(0, -1).join(" ");
    for (const name of [first, ...more.map((m) => `${prefix} ${m}`)])
      out.push({ name: name.trim().replace(/\s+/g, "_"), section, mandatory: cells[2] === "M" });
  }
  return out;
}

/** The optional fields the guide says Candor knows: "(lawful basis, purpose type, …)". */
function guideKnown(md: string, fields: StandardField[]): string[] {
  const listed = /every O field Candor knows \(([^)]*)\)/.exec(md.replace(/\s+/g, " "))![1].split(", ");
  return listed.map((words) => {
    const match = fields.find((f) => !f.mandatory && words.split(" ").every((w) => f.name.split("_").includes(w)));
    if (!match) throw new Error(`The guide names "${words}", which is no optional field of its table`);
    return match.name;
  });
}

/** Optional fields Candor fills beyond the guide's list (README, "Consent receipts"). */
const ALSO_KNOWN = [
  "collection_method",
  "processing_location",
  "pii_attribute_id",
  "pii_optional",
  "party_email",
  "party_url",
  "party_phone",
  "party_role",
];

const present = (o: Record<string, unknown>, field: string) => o[field] !== undefined && o[field] !== null;

describe("Consent receipts: every ISO/IEC TS 27560 field Candor can know", () => {
  let t: TestServer;
  let receipt: any;
  let out: any;
  beforeAll(async () => {
    t = await startTestServer();
    const r = await t.gql(
      UPDATE,
      {
        input: {
          channel: "MOBILE_APP",
          changes: [
            { purpose: "sale-to-data-partners", granted: false },
            { purpose: "location-based-offers", granted: true },
          ],
        },
      },
      { token: await t.subjectToken("iso-person", { jurisdiction: "US-CA" }) },
    );
    out = r.body.data!.updateConsents;
    expect(out.userErrors).toEqual([]);
    const jwks = (await (await fetch(t.url.replace("/graphql", "/.well-known/jwks.json"))).json()) as JSONWebKeySet;
    const { payload, protectedHeader } = await compactVerify(out.receipt.jws, createLocalJWKSet(jwks));
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", typ: "consent-receipt+jws" });
    receipt = JSON.parse(new TextDecoder().decode(payload));
  });
  afterAll(() => t.close());

  const fields = standardFields(FIELDS_MD);
  const known = new Set([...guideKnown(FIELDS_MD, fields), ...ALSO_KNOWN]);
  const required = fields.filter((f) => f.mandatory || known.has(f.name));

  it("reads the standard's table: its mandatory fields in each section", () => {
    expect(fields.length).toBeGreaterThanOrEqual(40);
    for (const section of ["record", "personal data", "parties", "events"] as Section[])
      expect(fields.filter((f) => f.section === section && f.mandatory).length).toBeGreaterThan(0);
    expect([...known].every((k) => fields.some((f) => f.name === k && !f.mandatory))).toBe(true);
  });

  it("carries every mandatory field, and every optional one Candor knows, where the standard puts it", () => {
    const purposes: any[] = receipt.purposes;
    const items = purposes.flatMap((p) => p.pii_information);
    const controllers: any[] = receipt.pii_controllers;
    const recipients: any[] = purposes.flatMap((p) => p.recipient_third_parties);
    const events = purposes.flatMap((p) => p.events);
    for (const list of [purposes, items, controllers, recipients, events]) expect(list.length).toBeGreaterThan(0);

    const missing: string[] = [];
    for (const f of required) {
      const ok =
        f.section === "record"
          ? present(receipt, f.name) ||
            purposes.every((p) => present(p, f.name)) ||
            purposes.every((p) => p.pii_information.every((i: any) => present(i, f.name)))
          : f.section === "personal data"
            ? items.every((i) => present(i, f.name))
            : f.section === "events"
              ? events.every((e) => present(e, f.name))
              : // Every party has the mandatory fields; the controller also the optional ones Candor knows.
                (f.mandatory ? [...controllers, ...recipients] : controllers).every((p) => present(p, f.name));
      if (!ok) missing.push(`${f.section}: ${f.name}${f.mandatory ? " (M)" : " (O)"}`);
    }
    expect(missing).toEqual([]);
  });

  it("fills them from the catalog and the change: controller, notice, purposes, data, retention, recipients", () => {
    const c = DEMO.controller;
    expect(receipt).toMatchObject({
      schema_version: "ISO/IEC TS 27560:2023",
      record_id: expect.any(String),
      receipt_id: out.receipt.id,
      issued_at: out.receipt.issuedAt,
      language: "en",
      jurisdiction: "US-CA",
      privacy_notice: { url: c.privacyNoticeUrl, version: DEMO.policy.version },
      storage_locations: c.storageLocations,
      processing_location: c.processingLocations,
      withdrawal_method: { url: c.withdrawalUrl },
      collection_method: { channel: "MOBILE_APP", source: "USER" },
    });
    expect(receipt.pii_controllers).toEqual([
      expect.objectContaining({
        party_name: c.name,
        party_address: c.address,
        party_email: c.email,
        party_url: c.url,
        party_phone: String(c.phone),
      }),
    ]);
    const categories = new Map<string, any>(DEMO.dataCategories.map((d: any) => [d.key, d]));
    const today = new Date();
    for (const p of receipt.purposes) {
      const declared = DEMO.purposes.find((d: any) => d.key === p.purpose_id);
      expect(p).toMatchObject({ purpose: declared.name, purpose_type: declared.dpvIri });
      expect(p.lawful_basis.basis).toBe(declared.legalBasis);
      // Categories come in catalog order; the purpose lists them in its own.
      expect(
        p.pii_information.map((i: any) => [i.pii_type, i.retention_period.days, i.sensitive_pii_category]).sort(),
      ).toEqual(
        declared.dataCategories
          .map((k: string) => [k, categories.get(k).retentionDays ?? null, categories.get(k).sensitive ?? false])
          .sort(),
      );
      const inForce = DEMO.partners.flatMap((partner: any) =>
        partner.agreements
          .filter(
            (a: any) =>
              a.purpose === p.purpose_id &&
              new Date(a.startedAt) <= today &&
              (!a.endedAt || new Date(a.endedAt) > today),
          )
          .map((a: any) => [partner.name, partner.role, a.key, a.retentionDays ?? null]),
      );
      expect(
        p.recipient_third_parties.map((r: any) => [r.party_name, r.partner_role, r.agreement, r.retention_period.days]),
      ).toEqual(inForce);
    }
    expect(
      receipt.purposes.find((p: any) => p.purpose_id === "sale-to-data-partners").recipient_third_parties,
    ).not.toEqual([]);
  });

  it("says what happened to each purpose with DPV's consent states, and that it lasts until changed", () => {
    const byKey = new Map<string, any>(receipt.purposes.map((p: any) => [p.purpose_id, p.events[0]]));
    expect(byKey.get("sale-to-data-partners")).toMatchObject({
      event_state: "https://w3id.org/dpv#ConsentWithdrawn",
      event_type: "https://w3id.org/dpv#ExplicitlyExpressedConsent",
      status: "DENIED",
      previous_status: "GRANTED",
      entity_id: "subject:iso-person",
      event_time: out.receipt.issuedAt,
      validity_duration: { valid_from: out.receipt.issuedAt, valid_until: null },
    });
    expect(byKey.get("location-based-offers")).toMatchObject({
      event_state: "https://w3id.org/dpv#ConsentGiven",
      status: "GRANTED",
      previous_status: "DENIED",
    });
  });

  it("lists every right a person can exercise through a data request, with the deadline of their jurisdiction", async () => {
    const rights = new Map<string, any>(receipt.privacy_rights.map((r: any) => [r.right, r]));
    const jurisdiction = (await t.gql(`{ jurisdiction(code: "US-CA") { requestResponseDays requestExtensionDays } }`))
      .body.data!.jurisdiction;
    for (const kind of Object.values(DataRequestKind)) {
      expect(rights.get(kind)).toMatchObject({
        how: DEMO.controller.rightsUrl,
        response_days: jurisdiction.requestResponseDays,
        extension_days: jurisdiction.requestExtensionDays,
      });
    }
    expect(rights.get("WITHDRAW_CONSENT")).toMatchObject({ how: DEMO.controller.withdrawalUrl });
  });

  it("is written in the language the person chose in", async () => {
    const r = await t.gql(
      UPDATE,
      { input: { channel: "WEB", locale: "es-MX", changes: [{ purpose: "email-offers", granted: false }] } },
      { token: await t.subjectToken("iso-persona") },
    );
    const spanish = decodeJwt(r.body.data!.updateConsents.receipt.jws) as any;
    const declared = DEMO.purposes.find((d: any) => d.key === "email-offers");
    expect(spanish.language).toBe("es");
    expect(spanish.privacy_notice.language).toBe("es");
    expect(spanish.purposes[0].purpose).toBe(declared.translations.es.name);
  });

  it("treats a spelled-out default locale as the same call on a retry, and another locale as a different one", async () => {
    const token = await t.subjectToken("iso-retry");
    const call = (locale?: string) =>
      t.gql(
        UPDATE,
        {
          input: {
            channel: "WEB",
            idempotencyKey: "iso-retry-1",
            changes: [{ purpose: "email-offers", granted: false }],
            ...(locale ? { locale } : {}),
          },
        },
        { token },
      );
    const first = (await call()).body.data!.updateConsents;
    expect((await call("en")).body.data!.updateConsents.receipt).toEqual(first.receipt);
    expect((await call("es")).body.data!.updateConsents.userErrors).toEqual([
      expect.objectContaining({ code: "CONFLICT" }),
    ]);
  });

  it("refuses a locale that is no language tag, with its path, writing nothing", async () => {
    const before = await writes(t);
    const r = await t.gql(
      UPDATE,
      { input: { channel: "WEB", locale: "not a tag", changes: [{ purpose: "email-offers", granted: false }] } },
      { token: await t.subjectToken("iso-bad-locale") },
    );
    expect(r.body.data!.updateConsents.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["input", "locale"] }),
    ]);
    expect(await writes(t)).toEqual(before);
  });

  it("names the controller of the catalog applied last", async () => {
    const changed = parse(readFileSync(join(__dirname, "..", "catalog", "demo.yaml"), "utf8"));
    changed.controller.name = "Trailhead Outfitters Holdings, Inc.";
    changed.controller.email = "dpo@trailhead-outfitters.example";
    await new CatalogApplyService(t.services.db).applyFile("demo.yaml", stringify(changed), "test");
    const r = await t.gql(
      UPDATE,
      { input: { channel: "WEB", changes: [{ purpose: "email-offers", granted: false }] } },
      { token: await t.subjectToken("iso-after") },
    );
    const after = decodeJwt(r.body.data!.updateConsents.receipt.jws) as any;
    expect(after.pii_controllers[0]).toMatchObject({
      party_name: "Trailhead Outfitters Holdings, Inc.",
      party_email: "dpo@trailhead-outfitters.example",
    });
  });
});
