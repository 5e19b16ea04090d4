import { calculateJwkThumbprint, CompactSign, exportJWK, generateKeyPair, importJWK, type JWK, type KeyLike } from "jose";
import type { Config } from "../../config";
import type { Database } from "../../db/database";
import { getOrCreateSecret, readSecret } from "../../db/secrets";

const GENERATED_KEY = "receipt.ed25519";

interface SigningKey {
  kid: string;
  privateKey: KeyLike | Uint8Array;
  publicJwk: JWK;
}

async function fromJwk(jwk: JWK): Promise<SigningKey> {
  const { d: _private, ...publicJwk } = jwk;
  const kid = await calculateJwkThumbprint(publicJwk as JWK);
  return { kid, privateKey: await importJWK({ ...jwk, alg: "EdDSA" }, "EdDSA"), publicJwk: { ...publicJwk, kid, alg: "EdDSA", use: "sig" } };
}

/**
 * Signs consent receipts (and the audit head) as compact JWS with Ed25519. The key comes from
 * CANDOR_RECEIPT_SIGNING_KEY, or is generated once and kept in the database; a generated key
 * stays in the JWKS after a configured one replaces it, so old receipts still verify.
 */
export class ReceiptSigner {
  private constructor(private readonly active: SigningKey, private readonly published: SigningKey[]) {}

  static async load(config: Config, db: Database): Promise<ReceiptSigner> {
    if (!config.receiptSigningKey) {
      const generate = async () => JSON.stringify(await exportJWK((await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true })).privateKey));
      const stored = await fromJwk(JSON.parse(await getOrCreateSecret(db, GENERATED_KEY, generate)) as JWK);
      return new ReceiptSigner(stored, [stored]);
    }
    const configured = await fromJwk(JSON.parse(config.receiptSigningKey) as JWK);
    const retiredJson = await readSecret(db, GENERATED_KEY);
    const retired = retiredJson ? await fromJwk(JSON.parse(retiredJson) as JWK) : null;
    return new ReceiptSigner(configured, retired && retired.kid !== configured.kid ? [configured, retired] : [configured]);
  }

  async sign(payload: Record<string, unknown>): Promise<string> {
    return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: "EdDSA", kid: this.active.kid, typ: "consent-receipt+jws" })
      .sign(this.active.privateKey);
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.published.map((k) => k.publicJwk) };
  }
}
