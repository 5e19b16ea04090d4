import { randomBytes } from "node:crypto";
import { sameKey } from "../../kernel/text/well-formed";
import { hostname } from "node:os";
import type { Logger } from "pino";
import { Webhook } from "standardwebhooks";
import { IsNull, LessThan, LessThanOrEqual } from "typeorm";
import type { Config } from "../../config";
import type { Database } from "../../kernel/db/database";
import { isDatabaseUnavailable } from "../../kernel/db/unavailable";
import { DomainError } from "../../kernel/errors";
import { appendAudit } from "../../kernel/audit/audit-log";
import { Partner } from "../catalog";
import { DAY_MS } from "../../kernel/time";
import {
  checkWebhookTarget,
  dnsResolver,
  type HostResolver,
  postToTarget,
  type TargetPolicy,
  WebhookTargetError,
} from "./webhook-target";
import { DeliveryStatus, PartnerWebhook, WebhookAttempt, WebhookDelivery } from "./webhook.entity";

const LEASE_MS = 60_000;
const BATCH = 20;
const TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = DAY_MS;

/** Loopback targets only outside production, whatever the configuration says (belt and braces with config.ts). */
export function targetPolicy(config: Config, resolve: HostResolver): TargetPolicy {
  return { resolve, allowLoopback: config.webhookAllowLoopback && config.nodeEnv !== "production" };
}

/** setPartnerWebhook: the URL, and a new signing secret shown once. */
export class WebhookService {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly resolve: HostResolver = dnsResolver,
  ) {}

  async set(
    actor: string,
    partnerKey: string,
    url: string | null | undefined,
  ): Promise<{ partner: Partner; secret: string | null }> {
    const partner = sameKey(await this.db.manager.findOneBy(Partner, { key: partnerKey }), partnerKey);
    if (!partner) throw new DomainError("NOT_FOUND", `No partner with key "${partnerKey}"`, ["input", "partner"]);
    if (url) await this.check(url);
    const secret = url ? `whsec_${randomBytes(24).toString("base64")}` : null;
    await this.db.transaction(async (m) => {
      const now = new Date();
      if (url)
        await m.upsert(PartnerWebhook, { partnerId: partner.id, url, secret: secret!, updatedAt: now }, ["partnerId"]);
      else await m.delete(PartnerWebhook, { partnerId: partner.id });
      await appendAudit(
        m,
        [
          {
            actor,
            action: url ? "sharing.setWebhook" : "sharing.removeWebhook",
            entityType: "Partner",
            entityId: partner.id,
            detail: { url: url ?? null },
          },
        ],
        now,
      );
    });
    return { partner, secret };
  }

  /**
   * The delivery checks again each time; here a URL whose host resolves inward is refused at once.
   * A host that does not resolve yet is accepted (its DNS may be published later).
   */
  private async check(url: string): Promise<void> {
    try {
      await checkWebhookTarget(url, targetPolicy(this.config, this.resolve));
    } catch (err) {
      if (!(err instanceof WebhookTargetError) || err.unresolved) return;
      throw new DomainError("INVALID", err.message, ["input", "url"]);
    }
  }
}

/**
 * Pushes partner signals from the outbox, signed per the Standard Webhooks spec. At least once:
 * a delivery is retried (same webhook-id) only after a failed or unconfirmed attempt, with
 * exponential backoff and jitter, up to a maximum. Several processes may run: each claims a
 * delivery with a lease (a compare-and-set update), so one process sends it at a time. It wakes
 * after a commit that wrote outbox rows and otherwise polls rarely.
 */
export class WebhookDispatcher {
  readonly processId = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly resolve: HostResolver = dnsResolver,
  ) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.config.webhookPollMs);
    this.timer.unref();
    this.wake(); // deliveries left from before a restart
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err) => {
        // The database out of reach is an outage, not a fault of the dispatcher: a warning, as the
        // requests answered 503 meanwhile log it, and the next poll resumes (tests/faults).
        if (isDatabaseUnavailable(err)) this.logger.warn({ err }, "webhook dispatch paused: database unavailable");
        else this.logger.error({ err }, "webhook dispatch failed");
      })
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Delivers everything due now; reschedules itself for the earliest retry. */
  private async drain(): Promise<void> {
    for (;;) {
      const claimed = await this.claim();
      if (claimed.length === 0) break;
      // allSettled: one failing delivery must not end the round while others are still in flight.
      await Promise.allSettled(claimed.map((d) => this.deliver(d)));
      if (this.stopped) return;
    }
    // The next moment something becomes due: a retry time, or the end of another process's lease.
    const pending = await this.db.manager.find(WebhookDelivery, {
      where: { status: DeliveryStatus.PENDING },
      order: { nextAttemptAt: "ASC" },
      take: BATCH,
    });
    const due = pending.map((d) => Math.max(d.nextAttemptAt.getTime(), d.claimedUntil?.getTime() ?? 0));
    if (due.length > 0 && !this.stopped) {
      const wait = Math.max(0, Math.min(...due) - Date.now()) + 5;
      if (wait < this.config.webhookPollMs) setTimeout(() => this.wake(), wait).unref();
    }
  }

  private async claim(): Promise<WebhookDelivery[]> {
    const now = new Date();
    const due = await this.db.manager.find(WebhookDelivery, {
      where: [
        { status: DeliveryStatus.PENDING, nextAttemptAt: LessThanOrEqual(now), claimedUntil: IsNull() },
        { status: DeliveryStatus.PENDING, nextAttemptAt: LessThanOrEqual(now), claimedUntil: LessThan(now) },
      ],
      order: { nextAttemptAt: "ASC" },
      take: BATCH,
    });
    if (due.length === 0) return [];
    const until = new Date(now.getTime() + LEASE_MS);
    const won = await this.db.transaction(async (m) => {
      const ids: string[] = [];
      for (const d of due) {
        const result = await m
          .createQueryBuilder()
          .update(WebhookDelivery)
          .set({ claimedBy: this.processId, claimedUntil: until })
          .where("id = :id AND status = :pending AND (claimed_until IS NULL OR claimed_until < :now)", {
            id: d.id,
            pending: DeliveryStatus.PENDING,
            now,
          })
          .execute();
        if (result.affected === 1) ids.push(d.id);
      }
      return ids;
    });
    return due.filter((d) => won.includes(d.id));
  }

  private async deliver(delivery: WebhookDelivery): Promise<void> {
    const hook = await this.db.manager.findOneBy(PartnerWebhook, { partnerId: delivery.partnerId });
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    let refused: string | null = null;
    if (!hook) error = "the partner has no webhook any more";
    else {
      try {
        // Resolved and checked now, for this attempt; the request connects to the checked address.
        const target = await checkWebhookTarget(hook.url, targetPolicy(this.config, this.resolve));
        const timestamp = new Date();
        status = await postToTarget(
          target,
          {
            "content-type": "application/json",
            "webhook-id": delivery.id,
            "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
            "webhook-signature": new Webhook(hook.secret).sign(delivery.id, timestamp, delivery.payload),
          },
          delivery.payload,
          TIMEOUT_MS,
        );
        if (status < 200 || status >= 300) error = `HTTP ${status}`;
      } catch (err) {
        // An inward target is final; a host that does not resolve may be a passing DNS failure.
        if (err instanceof WebhookTargetError && !err.unresolved) refused = err.message;
        error = err instanceof Error ? err.message.slice(0, 500) : "request failed";
      }
    }
    const attempts = delivery.attempts + 1;
    const delivered = error === null;
    const exhausted = !delivered && (attempts >= this.config.webhookMaxAttempts || !hook || refused !== null);
    const backoff =
      Math.min(this.config.webhookBackoffMs * 2 ** (attempts - 1), MAX_BACKOFF_MS) * (0.5 + Math.random());
    await this.db.transaction(async (m) => {
      await m.insert(WebhookAttempt, {
        deliveryId: delivery.id,
        attempt: attempts,
        attemptedAt: new Date(started),
        statusCode: status,
        error,
        durationMs: Date.now() - started,
        claimedBy: this.processId,
      });
      await m.update(
        WebhookDelivery,
        { id: delivery.id, claimedBy: this.processId },
        {
          attempts,
          status: delivered ? DeliveryStatus.DELIVERED : exhausted ? DeliveryStatus.FAILED : DeliveryStatus.PENDING,
          nextAttemptAt: new Date(Date.now() + (delivered || exhausted ? 0 : backoff)),
          deliveredAt: delivered ? new Date() : null,
          lastStatus: status,
          lastError: error,
          claimedBy: null,
          claimedUntil: null,
        },
      );
    });
  }
}
