import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  SignJWT,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";
import { type Config, JURISDICTION_EXAMPLES, JURISDICTION_SHAPE } from "../config";
import type { Database } from "../kernel/db/database";
import { getOrCreateSecret } from "../kernel/db/secrets";
import { isWellFormedText } from "../kernel/text/well-formed";
import { AuthenticationError } from "./auth.errors";
import { type Principal, Role } from "../kernel/principal";

const DEV_SECRET_NAME = "jwt.hs256.dev";
const MAX_SUB_LENGTH = 200;

/** The HS256 key: CANDOR_JWT_SECRET, or outside production one generated and kept in the database. */
export async function hs256Key(config: Config, db: Database): Promise<Uint8Array | null> {
  if (config.jwtSecret) return new TextEncoder().encode(config.jwtSecret);
  if (config.jwksUrl || config.nodeEnv === "production") return null;
  return new TextEncoder().encode(await getOrCreateSecret(db, DEV_SECRET_NAME));
}

/** Verifies bearer JWTs against an algorithm allow-list; `alg: none` and anything unlisted fail. */
export class JwtVerifier {
  private readonly algorithms: string[];
  private readonly remote: JWTVerifyGetKey | null;

  constructor(
    private readonly config: Config,
    private readonly secret: Uint8Array | null,
  ) {
    this.remote = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : null;
    this.algorithms = [...(secret ? ["HS256"] : []), ...(this.remote ? ["RS256", "ES256"] : [])];
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      const { alg } = decodeProtectedHeader(token);
      if (!alg || !this.algorithms.includes(alg)) throw new Error(`algorithm ${alg ?? "none"} is not accepted`);
      const key = alg === "HS256" ? this.secret! : this.remote!;
      const options = {
        algorithms: this.algorithms,
        issuer: this.config.jwtIssuer ?? undefined,
        audience: this.config.jwtAudience ?? undefined,
        requiredClaims: ["exp", "sub"],
      };
      payload = (
        typeof key === "function" ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options)
      ).payload;
    } catch (err) {
      const reason =
        (err as { code?: string }).code === "ERR_JWT_EXPIRED" ? "the token has expired" : "the token is invalid";
      throw new AuthenticationError(`Invalid credentials: ${reason}`);
    }
    return principalFromClaims(payload);
  }
}

function principalFromClaims(payload: JWTPayload): Principal {
  const sub = payload.sub;
  if (typeof sub !== "string" || sub.length === 0 || sub.length > MAX_SUB_LENGTH) {
    throw new AuthenticationError("Invalid credentials: the token's sub claim must be 1-200 characters");
  }
  // The person's id, taken as given: it must be storable as given (issue 12).
  if (!isWellFormedText(sub))
    throw new AuthenticationError("Invalid credentials: the token's sub claim must be well-formed Unicode without NUL");
  const role = payload.role ?? "subject";
  if (role === "admin") return { role: Role.ADMIN, scopes: [], externalId: sub };
  if (role !== "subject")
    throw new AuthenticationError("Invalid credentials: the token's role claim must be subject or admin");
  const jurisdiction = payload.jurisdiction;
  if (jurisdiction !== undefined && (typeof jurisdiction !== "string" || !JURISDICTION_SHAPE.test(jurisdiction))) {
    throw new AuthenticationError(
      `Invalid credentials: the token's jurisdiction claim must look like ${JURISDICTION_EXAMPLES}`,
    );
  }
  return {
    role: Role.SUBJECT,
    scopes: [],
    externalId: sub,
    jurisdiction: (jurisdiction as string | undefined) ?? null,
  };
}

export interface TokenClaims {
  sub: string;
  role: "subject" | "admin";
  jurisdiction?: string;
}

/** Mints an HS256 token, as the `candor token` command and the demo credentials do. */
export async function signToken(
  config: Config,
  key: Uint8Array,
  claims: TokenClaims,
  ttlSeconds: number,
): Promise<string> {
  const jwt = new SignJWT({ role: claims.role, ...(claims.jurisdiction ? { jurisdiction: claims.jurisdiction } : {}) })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds);
  if (config.jwtIssuer) jwt.setIssuer(config.jwtIssuer);
  if (config.jwtAudience) jwt.setAudience(config.jwtAudience);
  return jwt.sign(key);
}
