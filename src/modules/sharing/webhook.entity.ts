import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import {
  EnumColumn,
  IdColumn,
  IntColumn,
  PrimaryIdColumn,
  TextColumn,
  TimeColumn,
  UrlColumn,
  UUID_LENGTH,
} from "../../kernel/db/columns";

/** A partner's webhook: where its signals are pushed, and the secret that signs them. */
@Entity("partner_webhook")
export class PartnerWebhook {
  @PrimaryColumn({ type: "varchar", length: UUID_LENGTH })
  partnerId: string;

  @UrlColumn()
  url: string;

  /** Standard Webhooks secret ("whsec_" + base64), shown once when set. */
  @TextColumn()
  secret: string;

  @TimeColumn()
  updatedAt: Date;
}

export enum DeliveryStatus {
  PENDING = "PENDING",
  DELIVERED = "DELIVERED",
  FAILED = "FAILED",
}

/** The transactional outbox: one row per signal to push, written with the signal. */
@Entity("webhook_delivery")
@Index("ix_webhook_delivery_due", ["status", "nextAttemptAt"])
export class WebhookDelivery {
  /** The `webhook-id` header: stable across retries, so the partner can de-duplicate. */
  @PrimaryIdColumn()
  id: string;

  @IdColumn()
  partnerId: string;

  @IdColumn()
  signalId: string;

  @TextColumn()
  payload: string;

  @EnumColumn()
  status: DeliveryStatus;

  @IntColumn()
  attempts: number;

  @TimeColumn()
  nextAttemptAt: Date;

  /** A lease: the process that claimed it, until when. */
  @TimeColumn({ nullable: true })
  claimedUntil: Date | null;

  @Column({ type: "varchar", length: 120, nullable: true })
  claimedBy: string | null;

  @IntColumn({ nullable: true })
  lastStatus: number | null;

  @TextColumn({ nullable: true })
  lastError: string | null;

  @TimeColumn()
  createdAt: Date;

  @TimeColumn({ nullable: true })
  deliveredAt: Date | null;
}

/** Every delivery attempt, kept. */
@Entity("webhook_attempt")
export class WebhookAttempt {
  @PrimaryColumn({ type: "varchar", length: UUID_LENGTH })
  deliveryId: string;

  @PrimaryColumn({ type: "int" })
  attempt: number;

  @TimeColumn()
  attemptedAt: Date;

  @IntColumn({ nullable: true })
  statusCode: number | null;

  @TextColumn({ nullable: true })
  error: string | null;

  @IntColumn()
  durationMs: number;

  @Column({ type: "varchar", length: 120 })
  claimedBy: string;
}
