import {
  calculateJwkThumbprint,
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
} from "jose";
import { ReceiptSigner } from "../src/kernel/signer";
import { UPDATE } from "./helpers/consent";
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
