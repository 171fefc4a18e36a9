/** Promo code pools and codes: issued once (system action), redeemed once (personal action). */
import { Schema } from "effect"
import { CustomerId } from "./Ids"
import { EpochMillis } from "./Time"

const Key = Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(200)))

export const PromoPoolId = Key.pipe(Schema.brand("PromoPoolId"))
export type PromoPoolId = typeof PromoPoolId.Type

/** A promo code as the customer types it. */
export const Code = Key
export type Code = typeof Code.Type

export const PromoCodePool = Schema.Struct({
  id: PromoPoolId,
  name: Key,
  description: Schema.String,
  createdAt: EpochMillis,
})
export type PromoCodePool = typeof PromoCodePool.Type

export const PromoCodeStatus = Schema.Literals(["available", "issued", "redeemed"])
export type PromoCodeStatus = typeof PromoCodeStatus.Type

export const PromoCode = Schema.Struct({
  code: Code,
  poolId: PromoPoolId,
  status: PromoCodeStatus,
  customerId: Schema.optionalKey(CustomerId),
  issuedAt: Schema.optionalKey(EpochMillis),
  redeemedAt: Schema.optionalKey(EpochMillis),
  expiresAt: Schema.optionalKey(EpochMillis),
})
export type PromoCode = typeof PromoCode.Type
