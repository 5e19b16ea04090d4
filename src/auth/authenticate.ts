import { AuthenticationError } from "./auth.errors";
import { API_KEY_PREFIX, type ApiKeyService } from "./api-key.service";
import type { JwtVerifier } from "./jwt";
import { ANONYMOUS, type Principal } from "../kernel/principal";

/** One header decides: none → anonymous; `Bearer cnd_…` → API key; any other bearer → JWT. */
export class Authenticator {
  constructor(
    private readonly jwt: JwtVerifier,
    private readonly apiKeys: ApiKeyService,
  ) {}

  async principalFor(authorization: string | undefined): Promise<Principal> {
    if (authorization === undefined || authorization === "") return ANONYMOUS;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new AuthenticationError("Invalid credentials: use Authorization: Bearer <token>");
    const token = match[1];
    return token.startsWith(API_KEY_PREFIX) ? this.apiKeys.authenticate(token) : this.jwt.verify(token);
  }
}
