/**
 * Errors of the producers (orders, campaigns, promo codes, rewards, merge). Each has a stable
 * `_tag` and a human `message`; the API maps tags to HTTP codes by name (`…NotFound` → 404,
 * `…AlreadyExists` / `…Taken` / `…Conflict` → 409, anything else → 400).
 */
import { Schema } from "effect"

const Path = Schema.Array(Schema.Union([Schema.String, Schema.Number]))

export class OrderNotFound extends Schema.TaggedError<OrderNotFound>()("OrderNotFound", {
  orderId: Schema.String,
}) {
  override get message(): string {
    return `Order "${this.orderId}" not found`
  }
}

export class OrderAlreadyExists extends Schema.TaggedError<OrderAlreadyExists>()(
  "OrderAlreadyExists",
  { orderId: Schema.String },
) {
  override get message(): string {
    return `Order "${this.orderId}" already exists`
  }
}

export class CampaignNotFound extends Schema.TaggedError<CampaignNotFound>()("CampaignNotFound", {
  campaignId: Schema.String,
}) {
  override get message(): string {
    return `Campaign "${this.campaignId}" not found`
  }
}

export class CampaignMessageNotFound extends Schema.TaggedError<CampaignMessageNotFound>()(
  "CampaignMessageNotFound",
  { messageId: Schema.String },
) {
  override get message(): string {
    return `Campaign message "${this.messageId}" not found`
  }
}

export class PromoPoolNotFound extends Schema.TaggedError<PromoPoolNotFound>()(
  "PromoPoolNotFound",
  { poolId: Schema.String },
) {
  override get message(): string {
    return `Promo code pool "${this.poolId}" not found`
  }
}

export class PromoCodeNotFound extends Schema.TaggedError<PromoCodeNotFound>()(
  "PromoCodeNotFound",
  { code: Schema.String },
) {
  override get message(): string {
    return `Promo code "${this.code}" not found`
  }
}

/** Every code of the pool is issued (or the pool is empty). */
export class PromoPoolExhausted extends Schema.TaggedError<PromoPoolExhausted>()(
  "PromoPoolExhausted",
  { poolId: Schema.String },
) {
  override get message(): string {
    return `Promo code pool "${this.poolId}" has no code left to issue`
  }
}

/** The code is already in use: issued (when issuing) or redeemed (when redeeming). */
export class PromoCodeConflict extends Schema.TaggedError<PromoCodeConflict>()(
  "PromoCodeConflict",
  { code: Schema.String, status: Schema.String },
) {
  override get message(): string {
    return `Promo code "${this.code}" is already ${this.status}`
  }
}

/** Redeeming a code that was not issued to this customer, or that expired. */
export class PromoCodeNotRedeemable extends Schema.TaggedError<PromoCodeNotRedeemable>()(
  "PromoCodeNotRedeemable",
  { code: Schema.String, reason: Schema.String },
) {
  override get message(): string {
    return `Promo code "${this.code}" cannot be redeemed: ${this.reason}`
  }
}

/** Codes given to a pool that exist already (in any pool). */
export class PromoCodeAlreadyExists extends Schema.TaggedError<PromoCodeAlreadyExists>()(
  "PromoCodeAlreadyExists",
  { code: Schema.String, path: Path },
) {
  override get message(): string {
    return `Promo code "${this.code}" already exists`
  }
}

export class UnknownBonusKind extends Schema.TaggedError<UnknownBonusKind>()("UnknownBonusKind", {
  kind: Schema.String,
}) {
  override get message(): string {
    return `Unknown bonus kind "${this.kind}"`
  }
}

/** Merging a customer into itself (also through a redirect). */
export class InvalidMerge extends Schema.TaggedError<InvalidMerge>()("InvalidMerge", {
  reason: Schema.String,
}) {
  override get message(): string {
    return `Cannot merge: ${this.reason}`
  }
}

/** Something with this key exists already (campaign, message, pool, bonus kind). */
export class ProducerAlreadyExists extends Schema.TaggedError<ProducerAlreadyExists>()(
  "ProducerAlreadyExists",
  { entity: Schema.String, key: Schema.String },
) {
  override get message(): string {
    return `A ${this.entity} "${this.key}" already exists`
  }
}
