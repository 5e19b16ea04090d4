import { AuthenticationError } from "./auth.errors";
import { API_KEY_PREFIX, type ApiKeyService } from "./api-key.service";
import type { JwtVerifier } from "./jwt";
import { ANONYMOUS, type Principal } from "../kernel/principal";

/**
 * `Bearer <token>` with ASCII spaces or tabs only (RFC 9110 OWS): `\s` would also take Unicode
 * spaces, letting "key\u00a0" pass as "key". A token is base64url, with the dots of a JWT (API keys
 * are `cnd_` + base64url, inside the same alphabet): anything else is refused before any lookup or
 * signature check.
 */
export const BEARER = /^Bearer[ \t]+([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)*)[ \t]*$/i;

/** One header decides: none → anonymous; `Bearer cnd_…` → API key; any other bearer → JWT. */
export class Authenticator {
  constructor(
    private readonly jwt: JwtVerifier,
    private readonly apiKeys: ApiKeyService,
  ) {}

  async principalFor(authorization: string | undefined): Promise<Principal> {
    if (authorization === undefined || authorization === "") return ANONYMOUS;
    const match = BEARER.exec(authorization);
    if (!match) throw new AuthenticationError("Invalid credentials: use Authorization: Bearer <token>");
    const token = match[1];
    return token.startsWith(API_KEY_PREFIX) ? this.apiKeys.authenticate(token) : this.jwt.verify(token);
  }
}
