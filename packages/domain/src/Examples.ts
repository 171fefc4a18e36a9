/**
 * A realistic example payload for every built-in template (encoded JSON form). Used by the
 * docs, the admin app (prefilling a manual action) and tests; each one decodes.
 */
import type { BuiltInTemplateName } from "./Action"
import type * as P from "./Payloads"

type Examples = { readonly [K in BuiltInTemplateName]: (typeof P)[K]["Encoded"] }

const message = {
  campaignId: "spring-sale",
  messageId: "spring-sale-email-1",
  channel: "email",
} as const

const order = {
  orderId: "A-1001",
  status: "placed",
  currency: "EUR",
  lines: [
    {
      lineId: "1",
      productId: "sku-42",
      sku: "SKU-42-M",
      name: "Linen shirt",
      quantity: 2,
      unitPrice: 39.9,
      total: 79.8,
      status: "placed",
    },
  ],
  totals: { subtotal: 79.8, discount: 0, shipping: 4.9, tax: 0, total: 84.7 },
} as const

export const examplePayloads: Examples = {
  ProductViewed: {
    product: { productId: "sku-42", name: "Linen shirt", categoryId: "shirts", price: 39.9 },
  },
  CategoryViewed: { categoryId: "shirts", name: "Shirts" },
  ProductListChanged: {
    list: "cart",
    op: "add",
    items: [{ productId: "sku-42", quantity: 1, price: 39.9 }],
  },
  CustomerRegistered: {
    method: "email",
    identifiers: [{ kind: "email", value: "ann@example.com" }],
  },
  CustomerSignedIn: { method: "password" },
  OrderPlaced: { order },
  OrderPaid: { order: { ...order, status: "paid" }, payment: { method: "card", amount: 84.7 } },
  OrderReturned: {
    order: { ...order, status: "returned" },
    lines: [{ lineId: "1", quantity: 1 }],
    reason: "Too small",
  },
  MessageOpened: { message },
  MessageClicked: { message, url: "https://shop.example.com/sale" },
  UnsubscribeRequested: { channel: "email", message },
  ProfileEdited: { changes: [{ field: "personal.firstName", before: "Ann", after: "Anna" }] },
  SubscriptionChanged: { changes: [{ channel: "sms", brandId: "default", subscribed: true }] },
  PromoCodeRedeemed: { code: "SPRING-7Q2X", poolId: "spring", orderId: "A-1001" },
  OrderStatusChanged: {
    order: { ...order, status: "shipped" },
    status: "shipped",
    previousStatus: "paid",
  },
  MessageSent: { message },
  MessageDelivered: { message },
  MessageDeliveryFailed: { message, reason: "mailboxFull" },
  MessageNotSent: { message, reason: "unsubscribed" },
  PromoCodeIssued: { code: "SPRING-7Q2X", poolId: "spring", expiresAt: 1_798_761_600_000 },
  RewardIssued: { reward: "free-shipping", description: "Free shipping on the next order" },
  BonusPointsChanged: { delta: 85, balanceAfter: 320, reason: "order", orderId: "A-1001" },
  ProfileCorrected: {
    changes: [{ field: "personal.birthDate", before: "1990-13-01", after: "1990-12-01" }],
    reason: "Typo in the birth date",
  },
  NoteAdded: { text: "Called about a late delivery; offered free shipping." },
  TagAdded: { tag: "vip" },
  TagRemoved: { tag: "newcomer" },
  CustomersMerged: {
    mergedId: "c_0002",
    mergedIdentifiers: [{ kind: "phone", value: "+4915112345678" }],
  },
  CustomerImported: { source: "customers-2025.csv", importId: "imp_1" },
}
