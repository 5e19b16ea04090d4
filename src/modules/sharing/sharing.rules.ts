import { admin, anyOf, partner, scope, subject, type PermissionMap } from "../../kernel/rules";

const owner = anyOf(subject, admin);
/** A partner reads its own signals (the service filters by the key's partner); admins read all. */
const partnerOrAdmin = anyOf(partner, admin);

export const sharingPermissions: PermissionMap = {
  Query: { partnerSignals: partner },
  Mutation: {
    recordSharingEvents: scope("sharing:write"),
    acknowledgePartnerSignals: partner,
    setPartnerWebhook: admin,
  },
  Subject: { sharingEvents: owner, recipients: owner },
  SharingEvent: anyOf(subject, scope("sharing:write"), admin),
  SharingEventEdge: owner,
  SharingEventConnection: owner,
  Recipient: owner,
  SharingEventResult: scope("sharing:write"),
  RecordSharingEventsPayload: scope("sharing:write"),
  PartnerSignal: partnerOrAdmin,
  PartnerSignalEdge: partnerOrAdmin,
  PartnerSignalConnection: partnerOrAdmin,
  AcknowledgePartnerSignalsPayload: partner,
  SetPartnerWebhookPayload: admin,
};
