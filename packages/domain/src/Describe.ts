/**
 * One-line human descriptions of actions, for feeds ("Placed order A-1001 · 84.7 EUR").
 * Works on decoded actions and on their JSON form (what the API returns).
 */
import type { BuiltInTemplateName, PayloadOf } from "./Action"
import { isBuiltInTemplateName } from "./Action"
import type { OrderSnapshot } from "./Order"

type Describers = { readonly [K in BuiltInTemplateName]: (p: PayloadOf<K>) => string }

const money = (o: OrderSnapshot) => `${o.totals.total} ${o.currency}`
const items = (n: number) => (n === 1 ? "1 item" : `${n} items`)
const fields = (changes: ReadonlyArray<{ readonly field: string }>) =>
  changes.map((c) => c.field).join(", ")

// A mapped type over every built-in name: a new template without a description won't compile.
const describers: Describers = {
  ProductViewed: (p) => `Viewed ${p.product.name ?? p.product.productId}`,
  CategoryViewed: (p) => `Viewed category ${p.name ?? p.categoryId}`,
  ProductListChanged: (p) =>
    p.op === "clear"
      ? `Cleared the ${p.list}`
      : p.op === "set"
        ? `Set the ${p.list} to ${items(p.items.length)}`
        : `${p.op === "add" ? "Added" : "Removed"} ${items(p.items.length)} ${p.op === "add" ? "to" : "from"} the ${p.list}`,
  CustomerRegistered: (p) => `Registered (${p.method})`,
  CustomerSignedIn: (p) => `Signed in (${p.method})`,
  OrderPlaced: (p) => `Placed order ${p.order.orderId} · ${money(p.order)}`,
  OrderPaid: (p) => `Paid order ${p.order.orderId} · ${p.payment.amount} ${p.order.currency}`,
  OrderReturned: (p) =>
    p.lines.length === 0
      ? `Returned order ${p.order.orderId}`
      : `Returned ${items(p.lines.length)} of order ${p.order.orderId}`,
  MessageOpened: (p) => `Opened ${p.message.channel} message ${p.message.messageId}`,
  MessageClicked: (p) => `Clicked ${p.url} in ${p.message.channel} message ${p.message.messageId}`,
  UnsubscribeRequested: (p) => `Asked to unsubscribe from ${p.channel}`,
  ProfileEdited: (p) => `Edited profile: ${fields(p.changes)}`,
  SubscriptionChanged: (p) =>
    p.changes
      .map((c) => `${c.subscribed ? "subscribed to" : "unsubscribed from"} ${c.channel}`)
      .join(", "),
  PromoCodeRedeemed: (p) => `Redeemed promo code ${p.code}`,
  OrderStatusChanged: (p) => `Order ${p.order.orderId} ${p.status}`,
  MessageSent: (p) => `Sent ${p.message.channel} message ${p.message.messageId}`,
  MessageDelivered: (p) => `Delivered ${p.message.channel} message ${p.message.messageId}`,
  MessageDeliveryFailed: (p) =>
    `Delivery of ${p.message.channel} message ${p.message.messageId} failed (${p.reason})`,
  MessageNotSent: (p) =>
    `${p.message.channel} message ${p.message.messageId} not sent (${p.reason})`,
  PromoCodeIssued: (p) => `Issued promo code ${p.code}`,
  RewardIssued: (p) => `Issued reward ${p.description ?? p.reward}`,
  BonusPointsChanged: (p) =>
    `${p.delta >= 0 ? "+" : ""}${p.delta} bonus points (${p.reason})` +
    (p.balanceAfter === undefined ? "" : ` · balance ${p.balanceAfter}`),
  ProfileCorrected: (p) => `Profile corrected: ${fields(p.changes)}`,
  NoteAdded: (p) => `Note: ${p.text.length > 80 ? `${p.text.slice(0, 79)}…` : p.text}`,
  TagAdded: (p) => `Tag ${p.tag} added`,
  TagRemoved: (p) => `Tag ${p.tag} removed`,
  CustomersMerged: (p) => `Merged customer ${p.mergedId} into this profile`,
  CustomerImported: (p) => `Imported from ${p.source}`,
}

const scalar = (v: unknown) =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean"

/**
 * A one-line description of an action. Built-ins get a sentence; custom templates their
 * name and the first few scalar payload fields. Never throws, whatever the payload.
 */
export const describeAction = (a: {
  readonly template: string
  readonly payload: { readonly [k: string]: unknown }
}): string => {
  if (isBuiltInTemplateName(a.template)) {
    try {
      return (describers[a.template] as (p: unknown) => string)(a.payload)
    } catch {
      // A payload not matching its template (should not happen for stored actions).
    }
  }
  const parts = Object.entries(a.payload)
    .filter(([, v]) => scalar(v))
    .slice(0, 3)
    .map(([k, v]) => `${k}: ${String(v)}`)
  return parts.length === 0 ? a.template : `${a.template} · ${parts.join(", ")}`
}
