import { anyone, type PermissionMap } from "../../kernel/rules";

/** The catalog is public: what is collected, why, and under which rules, readable by anyone. */
export const catalogPermissions: PermissionMap = {
  Query: {
    purposes: anyone,
    dataCategories: anyone,
    personalizationLevels: anyone,
    jurisdiction: anyone,
    privacyPolicy: anyone,
    surfaces: anyone,
    algorithms: anyone,
    partners: anyone,
    sharingDisclosures: anyone,
  },
  Purpose: anyone,
  DataCategory: anyone,
  PersonalizationLevel: anyone,
  Jurisdiction: anyone,
  PrivacyPolicy: anyone,
  PolicySection: anyone,
  Surface: anyone,
  MainParameter: anyone,
  AlgorithmCard: anyone,
  Partner: anyone,
  SharingAgreement: anyone,
};
