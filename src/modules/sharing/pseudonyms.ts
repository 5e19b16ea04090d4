import { createHmac } from "node:crypto";
import type { Database } from "../../kernel/db/database";
import { getOrCreateSecret } from "../../kernel/db/secrets";

/**
 * Each partner knows a person only as HMAC-SHA256(server secret, partner id : person id): stable
 * for one partner, different for every other partner, and meaningless without the secret.
 */
export class Pseudonyms {
  private constructor(private readonly key: Buffer) {}

  static async load(db: Database): Promise<Pseudonyms> {
    return new Pseudonyms(Buffer.from(await getOrCreateSecret(db, "pseudonym.hmac"), "base64url"));
  }

  refFor(partnerId: string, subjectId: string): string {
    return createHmac("sha256", this.key).update(`${partnerId}:${subjectId}`).digest("hex");
  }
}
