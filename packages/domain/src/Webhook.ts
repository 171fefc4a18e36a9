/**
 * Webhooks: subscriptions that receive "actions issued" deliveries over HTTP, signed per the
 * Standard Webhooks scheme (docs/webhooks.md). The contracts shared by store, API and admin app:
 * limits, the view of a subscription and of an attempt, and the errors a caller can get.
 */
import { Schema } from "effect"

/** Actions in one delivery at most (a few hundred KiB of JSON). */
export const MAX_DELIVERY_ACTIONS = 250
/** A failing delivery is retried for this long, then the subscription is paused. */
export const RETRY_WINDOW_MS = 24 * 3600 * 1000
/** After a rotation the previous secret still signs (and so still verifies) this long. */
export const SECRET_GRACE_MS = 24 * 3600 * 1000
/** Attempts kept per subscription (older ones are dropped). */
export const ATTEMPTS_KEPT = 50
/** Bytes of a receiver's response body kept in the attempt log. */
export const RESPONSE_BODY_LIMIT = 1024
/** Subscriptions per project. */
export const MAX_WEBHOOKS = 100
/** Entries of each filter list. */
export const MAX_FILTER_ENTRIES = 200

/** Which actions a subscription receives; an absent list does not restrict. */
export interface WebhookFilter {
  readonly templates?: ReadonlyArray<string> | undefined
  readonly categories?: ReadonlyArray<"personal" | "system"> | undefined
  readonly brands?: ReadonlyArray<string> | undefined
}

export type WebhookState = "active" | "retrying" | "paused"

export interface WebhookView {
  readonly id: string
  readonly name: string
  readonly url: string
  readonly filter: WebhookFilter
  readonly active: boolean
  readonly state: WebhookState
  /** Why it is paused (by staff, or after retries ran out); null while active. */
  readonly pausedReason: string | null
  readonly pausedAt: string | null
  /** Position in the action log after the last delivered action (recorded order). */
  readonly cursor: number
  /** Recorded time of the last delivered action, null before the first. */
  readonly deliveredUpTo: string | null
  /** Failed attempts in a row of the current delivery. */
  readonly failures: number
  readonly nextAttemptAt: string | null
  /** Seconds behind the newest matching action (0 when caught up). */
  readonly lagSeconds: number
  /** Secrets that sign deliveries now: the current one and, during a grace period, the previous. */
  readonly secrets: ReadonlyArray<{ readonly createdAt: string; readonly expiresAt: string | null }>
  readonly createdAt: string
  readonly updatedAt: string
}

export interface WebhookAttempt {
  readonly id: number
  readonly deliveryId: string
  readonly at: string
  /** Number of actions in the delivery (0 for a test). */
  readonly actions: number
  readonly test: boolean
  readonly ok: boolean
  /** HTTP status, null when no response came (timeout, refused, DNS). */
  readonly status: number | null
  readonly latencyMs: number
  readonly error: string | null
}

export class WebhookNotFound extends Schema.TaggedError<WebhookNotFound>()("WebhookNotFound", {
  webhook: Schema.String,
}) {
  override get message(): string {
    return `Webhook ${this.webhook} not found`
  }
}

/** The target URL is malformed, not http(s), or resolves to a private / loopback address. */
export class InvalidWebhookTarget extends Schema.TaggedError<InvalidWebhookTarget>()(
  "InvalidWebhookTarget",
  { url: Schema.String, reason: Schema.String },
) {
  override get message(): string {
    return `Webhook target ${this.url} refused: ${this.reason}`
  }
}

export class InvalidWebhookFilter extends Schema.TaggedError<InvalidWebhookFilter>()(
  "InvalidWebhookFilter",
  { field: Schema.String, reason: Schema.String },
) {
  override get message(): string {
    return `Webhook filter ${this.field}: ${this.reason}`
  }
}

/** A replay point that names no position of this subscription. */
export class InvalidReplayPoint extends Schema.TaggedError<InvalidReplayPoint>()(
  "InvalidReplayPoint",
  { reason: Schema.String },
) {
  override get message(): string {
    return `Cannot replay: ${this.reason}`
  }
}

export class TooManyWebhooks extends Schema.TaggedError<TooManyWebhooks>()("TooManyWebhooks", {
  limit: Schema.Number,
}) {
  override get message(): string {
    return `A project may have at most ${this.limit} webhooks`
  }
}

/**
 * The server has no key to encrypt webhook secrets with (a remote database and no
 * `ACTIONLOG_WEBHOOK_KEY`), or the stored secrets were encrypted with another key.
 */
export class WebhookKeyUnavailable extends Schema.TaggedError<WebhookKeyUnavailable>()(
  "WebhookKeyUnavailable",
  { reason: Schema.String },
) {
  override get message(): string {
    return `Webhook secrets unavailable: ${this.reason}`
  }
}
