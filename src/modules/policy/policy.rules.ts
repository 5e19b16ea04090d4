import { admin, anyOf, anyone, subject, type PermissionMap } from "../../kernel/rules";

export const policyPermissions: PermissionMap = {
  Mutation: { publishPrivacyPolicy: admin },
  Subject: { policyChangesSinceConsent: anyOf(subject, admin) },
  DataPractice: anyone,
  Disclosure: anyone,
  PolicyDiff: anyOf(subject, admin),
  PolicyChange: anyOf(subject, admin),
  PublishPrivacyPolicyPayload: admin,
};
