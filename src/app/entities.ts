import { ApiKey } from "../auth/api-key.entity";
import { AuditLaneHead, AuditLog } from "../kernel/audit/audit-log.entity";
import { AlgorithmCard } from "../modules/catalog/algorithm-card.entity";
import { DataCategory } from "../modules/catalog/data-category.entity";
import { DataController } from "../modules/catalog/data-controller.entity";
import { CatalogVersion } from "../modules/catalog/catalog-version";
import { Partner } from "../modules/catalog/partner.entity";
import { PersonalizationLevel } from "../modules/catalog/personalization-level.entity";
import { PrivacyPolicy } from "../modules/catalog/privacy-policy.entity";
import { Purpose } from "../modules/catalog/purpose.entity";
import { SharingAgreement } from "../modules/catalog/sharing-agreement.entity";
import { Surface } from "../modules/catalog/surface.entity";
import { ConsentEvent } from "../modules/consent/consent-event.entity";
import { ConsentReceipt } from "../modules/consent/consent-receipt.entity";
import { ConsentState } from "../modules/consent/consent-state.entity";
import { Subject } from "../modules/people/subject.entity";
import { DecisionFactor } from "../modules/decisions/decision-factor.entity";
import { Decision } from "../modules/decisions/decision.entity";
import { HiddenSponsor } from "../modules/decisions/hidden-sponsor.entity";
import { RecommenderModeChoice } from "../modules/decisions/recommender-mode.entity";
import { PartnerSignal, SignalHead } from "../modules/sharing/partner-signal.entity";
import { SharingEvent } from "../modules/sharing/sharing-event.entity";
import { PartnerWebhook, WebhookAttempt, WebhookDelivery } from "../modules/sharing/webhook.entity";
import { BreachIncident, BreachNotice } from "../modules/breach/breach.entity";
import { DataRequest } from "../modules/rights/data-request.entity";
import { Database, type DatabaseOptions } from "../kernel/db/database";
import { AppSecret } from "../kernel/db/app-secret.entity";
import { IdempotencyRecord } from "../kernel/idempotency/idempotency.entity";

/** Every entity, listed explicitly: no globs, so jest, ts-node and dist agree. */
export const entities = [
  DataCategory,
  Purpose,
  PersonalizationLevel,
  Surface,
  AlgorithmCard,
  Partner,
  SharingAgreement,
  PrivacyPolicy,
  DataController,
  CatalogVersion,
  ApiKey,
  AppSecret,
  AuditLog,
  AuditLaneHead,
  Subject,
  ConsentState,
  ConsentEvent,
  ConsentReceipt,
  IdempotencyRecord,
  Decision,
  DecisionFactor,
  RecommenderModeChoice,
  HiddenSponsor,
  SharingEvent,
  PartnerSignal,
  SignalHead,
  PartnerWebhook,
  WebhookDelivery,
  WebhookAttempt,
  BreachIncident,
  BreachNotice,
  DataRequest,
];

/** Opens DATABASE_URL with every entity of the app. */
export function openDatabase(url: string, options: Omit<DatabaseOptions, "entities"> = {}): Promise<Database> {
  return Database.open(url, { ...options, entities });
}
