import canonicalize from "canonicalize";
import {
  calculateJwkThumbprint,
  CompactSign,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type KeyLike,
} from "jose";
import type { Config } from "../config";
import type { Database } from "./db/database";
import { getOrCreateSecret, listSecrets } from "./db/secrets";

const GENERATED_KEY = "receipt.ed25519";
const PUBLISHED_PREFIX = "receipt.public.";

interface SigningKey {
  kid: string;
  privateKey: KeyLike | Uint8Array;
  publicJwk: JWK;
}

async function fromJwk(jwk: JWK): Promise<SigningKey> {
  const { d: _private, ...publicJwk } = jwk;
  const kid = await calculateJwkThumbprint(publicJwk as JWK);
  return {
    kid,
    privateKey: await importJWK({ ...jwk, alg: "EdDSA" }, "EdDSA"),
    publicJwk: { ...publicJwk, kid, alg: "EdDSA", use: "sig" },
  };
}

/**
 * Signs consent receipts (and the audit head) as compact JWS with Ed25519. The key comes from
 * CANDOR_RECEIPT_SIGNING_KEY, or is generated once and kept in the database. The public half of
 * every key that has signed is kept too and stays in the JWKS, so old receipts still verify.
 */
export class ReceiptSigner {
  private constructor(
    private readonly active: SigningKey,
    private readonly published: JWK[],
  ) {}

  static async load(config: Config, db: Database): Promise<ReceiptSigner> {
    const generate = async () =>
      JSON.stringify(
        await exportJWK((await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true })).privateKey),
      );
    const active = await fromJwk(
      JSON.parse(config.receiptSigningKey ?? (await getOrCreateSecret(db, GENERATED_KEY, generate))) as JWK,
    );
    // Every key that ever signed stays published, so that every receipt ever issued still verifies.
    await getOrCreateSecret(db, `${PUBLISHED_PREFIX}${active.kid}`, () => JSON.stringify(active.publicJwk));
    const published = (await listSecrets(db, PUBLISHED_PREFIX)).map((value) => JSON.parse(value) as JWK);
    return new ReceiptSigner(active, [active.publicJwk, ...published.filter((k) => k.kid !== active.kid)]);
  }

  async sign(payload: Record<string, unknown>): Promise<string> {
    return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: "EdDSA", kid: this.active.kid, typ: "consent-receipt+jws" })
      .sign(this.active.privateKey);
  }

  /** A compact JWS over the RFC 8785 canonical JSON of `payload`, so anyone can recompute the bytes. */
  async signCanonical(payload: Record<string, unknown>, typ: string): Promise<string> {
    return new CompactSign(new TextEncoder().encode(canonicalize(payload) ?? "{}"))
      .setProtectedHeader({ alg: "EdDSA", kid: this.active.kid, typ })
      .sign(this.active.privateKey);
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.published };
  }
}
