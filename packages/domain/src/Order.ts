/** Orders as actions see them: a snapshot of the order (lines, totals, status) at that time. */
import { Schema } from "effect"

const Key = Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(200)))

/** The shop's order id. */
export const OrderId = Key.pipe(Schema.brand("OrderId"))
export type OrderId = typeof OrderId.Type

export const OrderStatus = Schema.Literals([
  "placed",
  "paid",
  "confirmed",
  "shipped",
  "delivered",
  "cancelled",
  "returned",
])
export type OrderStatus = typeof OrderStatus.Type

/** Statuses the shop sets (recorded as the system action `OrderStatusChanged`). */
export const ShopOrderStatus = Schema.Literals(["confirmed", "shipped", "delivered", "cancelled"])
export type ShopOrderStatus = typeof ShopOrderStatus.Type

/** ISO 4217 code. */
export const Currency = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^[A-Z]{3}$/, { expected: "an ISO 4217 currency code like EUR" })),
)
export type Currency = typeof Currency.Type

/** A money amount in the order's currency (major units, e.g. 12.5). */
export const Amount = Schema.Finite.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))

export const OrderLine = Schema.Struct({
  lineId: Key,
  productId: Key,
  sku: Schema.optionalKey(Key),
  name: Schema.optionalKey(Schema.String),
  quantity: Schema.Int.pipe(Schema.check(Schema.isGreaterThan(0))),
  unitPrice: Amount,
  discount: Schema.optionalKey(Amount),
  total: Amount,
  /** Lines can move on their own (one line cancelled or returned). */
  status: OrderStatus,
})
export type OrderLine = typeof OrderLine.Type

export const OrderTotals = Schema.Struct({
  subtotal: Amount,
  discount: Amount,
  shipping: Amount,
  tax: Amount,
  total: Amount,
})
export type OrderTotals = typeof OrderTotals.Type

export const OrderSnapshot = Schema.Struct({
  orderId: OrderId,
  status: OrderStatus,
  currency: Currency,
  lines: Schema.Array(OrderLine),
  totals: OrderTotals,
  promoCodes: Schema.optionalKey(Schema.Array(Key)),
})
export type OrderSnapshot = typeof OrderSnapshot.Type
