import { createHash, randomBytes } from "node:crypto";
import { sameKey } from "../kernel/text/well-formed";
import { IsNull } from "typeorm";
import type { Database } from "../kernel/db/database";
import { newId } from "../kernel/ids";
import { appendAudit } from "../kernel/audit/audit-log";
import { Partner } from "../modules/catalog/partner.entity";
import { AuthenticationError } from "./auth.errors";
import { ApiKey, ApiKeyKind } from "./api-key.entity";
import { CLI_ACTOR, type Principal, Role, SERVICE_SCOPES } from "../kernel/principal";

export const API_KEY_PREFIX = "cnd_";
const PREFIX_LENGTH = 12;

export class ApiKeyError extends Error {}

export const hashApiKey = (key: string) => createHash("sha256").update(key).digest("hex");

/** API keys for services (with scopes) and partners (bound to their Partner). Only hashes are kept. */
export class ApiKeyService {
  constructor(private readonly db: Database) {}

  async createServiceKey(name: string, scopes: string[]): Promise<string> {
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(name))
      throw new ApiKeyError("A service name is 1-100 letters, digits, dots, dashes or underscores");
    const unknown = scopes.filter((s) => !(SERVICE_SCOPES as readonly string[]).includes(s));
    if (scopes.length === 0 || unknown.length > 0) {
      throw new ApiKeyError(
        `Scopes must be some of ${SERVICE_SCOPES.join(", ")}${unknown.length ? `; unknown: ${unknown.join(", ")}` : ""}`,
      );
    }
    return this.create({ kind: ApiKeyKind.SERVICE, name, partnerId: null, scopes: [...new Set(scopes)] });
  }

  async createPartnerKey(partnerKey: string): Promise<string> {
    const partner = sameKey(await this.db.writer.manager.findOneBy(Partner, { key: partnerKey }), partnerKey);
    if (!partner) throw new ApiKeyError(`No partner with key "${partnerKey}" in the catalog`);
    return this.create({ kind: ApiKeyKind.PARTNER, name: partner.key, partnerId: partner.id, scopes: [] });
  }

  /** Revokes the one active key whose printed form starts with `prefix` (its first 12 characters). */
  async revoke(prefix: string): Promise<void> {
    if (prefix.length !== PREFIX_LENGTH || !prefix.startsWith(API_KEY_PREFIX)) {
      throw new ApiKeyError(`Give the first ${PREFIX_LENGTH} characters of the key, starting with ${API_KEY_PREFIX}`);
    }
    await this.db.transaction(async (m) => {
      const keys = await m.findBy(ApiKey, { prefix, revokedAt: IsNull() });
      if (keys.length === 0) throw new ApiKeyError(`No active API key starts with ${prefix}`);
      if (keys.length > 1) throw new ApiKeyError(`${keys.length} active keys start with ${prefix}; nothing revoked`);
      await m.update(ApiKey, { id: keys[0].id }, { revokedAt: new Date() });
      await appendAudit(m, [
        { actor: CLI_ACTOR, action: "apikey.revoke", entityType: "ApiKey", entityId: keys[0].id, detail: { prefix } },
      ]);
    });
  }

  /** One indexed lookup by hash. Unknown or revoked keys are UNAUTHENTICATED. */
  async authenticate(token: string): Promise<Principal> {
    if (token.length > 200) throw new AuthenticationError("Invalid credentials: unknown API key");
    const key = await this.db.manager.findOneBy(ApiKey, { hash: hashApiKey(token) });
    if (!key || key.revokedAt) throw new AuthenticationError("Invalid credentials: unknown or revoked API key");
    return key.kind === ApiKeyKind.PARTNER
      ? { role: Role.PARTNER, scopes: [], partnerId: key.partnerId!, apiKeyId: key.id, keyName: key.name }
      : { role: Role.SERVICE, scopes: key.scopes, apiKeyId: key.id, keyName: key.name };
  }

  private async create(fields: Pick<ApiKey, "kind" | "name" | "partnerId" | "scopes">): Promise<string> {
    const secret = API_KEY_PREFIX + randomBytes(24).toString("base64url");
    const id = newId();
    await this.db.transaction(async (m) => {
      await m.insert(ApiKey, {
        ...fields,
        id,
        prefix: secret.slice(0, PREFIX_LENGTH),
        hash: hashApiKey(secret),
        createdAt: new Date(),
        revokedAt: null,
      });
      await appendAudit(m, [
        {
          actor: CLI_ACTOR,
          action: "apikey.create",
          entityType: "ApiKey",
          entityId: id,
          detail: { kind: fields.kind, name: fields.name, scopes: fields.scopes },
        },
      ]);
    });
    return secret;
  }
}
