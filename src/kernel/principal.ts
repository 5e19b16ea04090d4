export enum Role {
  ANONYMOUS = "ANONYMOUS",
  SUBJECT = "SUBJECT",
  SERVICE = "SERVICE",
  PARTNER = "PARTNER",
  ADMIN = "ADMIN",
}

export const SERVICE_SCOPES = ["consent:read", "consent:write", "decisions:write", "sharing:write"] as const;
export type ServiceScope = (typeof SERVICE_SCOPES)[number];

/** Who is calling. Built once per request from the Authorization header. */
export interface Principal {
  role: Role;
  scopes: string[];
  /** SUBJECT: the person's external id (JWT `sub`). ADMIN: the admin's `sub`. */
  externalId?: string;
  /** SUBJECT: the JWT `jurisdiction` claim, used when the person is first seen. */
  jurisdiction?: string | null;
  /** PARTNER: the Partner the key is bound to. */
  partnerId?: string;
  /** SERVICE and PARTNER: the key's id and name. */
  apiKeyId?: string;
  keyName?: string;
}

export const ANONYMOUS: Principal = Object.freeze({ role: Role.ANONYMOUS, scopes: [] }) as Principal;

/** How a principal is named in the audit log: ids, never personal data. */
export function actorOf(principal: Principal): string {
  switch (principal.role) {
    case Role.SUBJECT:
      return `subject:${principal.externalId}`;
    case Role.ADMIN:
      return `admin:${principal.externalId}`;
    case Role.SERVICE:
      return `service:${principal.keyName}`;
    case Role.PARTNER:
      return `partner:${principal.partnerId}`;
    default:
      return "anonymous";
  }
}

export const CLI_ACTOR = "cli";
