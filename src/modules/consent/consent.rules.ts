import { admin, anyOf, anyone, scope, service, subject, type PermissionMap } from "../../kernel/rules";

const writers = anyOf(subject, scope("consent:write"), admin);
/** A person's own data (services filter to the caller), or an admin. */
const owner = anyOf(subject, admin);
/** DESIGN §4: services read a Subject's id, externalId, jurisdiction, consents, GPC and GPP only. */
const consentReaders = anyOf(subject, service, admin);

export const consentPermissions: PermissionMap = {
  Query: {
    me: anyone,
    subject: admin,
    consentCheck: scope("consent:read"),
    consentChecks: scope("consent:read"),
  },
  Mutation: {
    updateConsents: writers,
    setPersonalizationLevel: subject,
    optOutOfAll: writers,
    recordGlobalPrivacyControl: anyOf(scope("consent:write"), admin),
    upsertSubject: writers,
  },
  Subject: {
    id: consentReaders,
    externalId: consentReaders,
    jurisdiction: consentReaders,
    consents: consentReaders,
    consent: consentReaders,
    globalPrivacyControl: consentReaders,
    gppString: consentReaders,
    personalizationLevel: owner,
    ageBracket: owner,
    consentHistory: owner,
  },
  Consent: consentReaders,
  ConsentCheck: scope("consent:read"),
  ConsentEvent: owner,
  ConsentEventEdge: owner,
  ConsentEventConnection: owner,
  ConsentReceipt: writers,
  UpdateConsentsPayload: writers,
  UpsertSubjectPayload: writers,
  UserError: anyone,
  PageInfo: anyone,
};
