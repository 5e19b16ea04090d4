import { registerEnumType } from "type-graphql";

export enum ConsentStatus {
  GRANTED = "GRANTED",
  DENIED = "DENIED",
}

/** Why a consent has its current status. */
export enum ConsentSource {
  USER = "USER",
  DEFAULT = "DEFAULT",
  GLOBAL_PRIVACY_CONTROL = "GLOBAL_PRIVACY_CONTROL",
  SERVICE = "SERVICE",
  ADMIN = "ADMIN",
}

export enum Channel {
  WEB = "WEB",
  MOBILE_APP = "MOBILE_APP",
  EMAIL = "EMAIL",
  IN_STORE = "IN_STORE",
  CALL_CENTER = "CALL_CENTER",
  API = "API",
}

registerEnumType(ConsentStatus, { name: "ConsentStatus" });
registerEnumType(ConsentSource, { name: "ConsentSource", description: "Why a consent has its current status." });
registerEnumType(Channel, { name: "Channel" });
