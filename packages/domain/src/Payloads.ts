/**
 * The typed payload of every built-in template (one schema per template, same name as the
 * template). Payloads are plain JSON objects; times inside payloads are epoch ms.
 */
import { Schema } from "effect"
import { MessageRef } from "./Campaign"
import { CustomerIdentifier, MessagingChannel } from "./Customer"
import { BrandId, CustomerId } from "./Ids"
import { OrderId, OrderSnapshot, OrderStatus, ShopOrderStatus } from "./Order"
import { Code, PromoPoolId } from "./PromoCode"
import { EpochMillis } from "./Time"

const Key = Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(200)))
const Text = Schema.String.pipe(Schema.check(Schema.isMaxLength(10_000)))

// ---------------------------------------------------------------------------------------------
// Shared parts

export const ProductRef = Schema.Struct({
  productId: Key,
  sku: Schema.optionalKey(Key),
  name: Schema.optionalKey(Schema.String),
  categoryId: Schema.optionalKey(Key),
  price: Schema.optionalKey(Schema.Finite.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))),
})
export type ProductRef = typeof ProductRef.Type

/** One changed profile field: dotted path (`personal.firstName`, `identifiers.email`). */
export const FieldChange = Schema.Struct({
  field: Schema.NonEmptyString,
  /** `null` when the field had no value. */
  before: Schema.Json,
  /** `null` when the field was removed. */
  after: Schema.Json,
})
export type FieldChange = typeof FieldChange.Type

const Changes = Schema.Array(FieldChange).pipe(Schema.check(Schema.isMinLength(1)))

// ---------------------------------------------------------------------------------------------
// Personal

export const ProductViewed = Schema.Struct({ product: ProductRef })

export const CategoryViewed = Schema.Struct({
  categoryId: Key,
  name: Schema.optionalKey(Schema.String),
})

export const ProductList = Schema.Literals(["cart", "wishlist"])
export const ProductListOp = Schema.Literals(["add", "remove", "set", "clear"])
export const ProductListItem = Schema.Struct({
  productId: Key,
  sku: Schema.optionalKey(Key),
  quantity: Schema.Int.pipe(Schema.check(Schema.isGreaterThan(0))),
  price: Schema.optionalKey(Schema.Finite.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))),
})

/**
 * A cart or wishlist changed. `add` / `remove` name the items changed, `set` gives the whole
 * new list (may be empty), `clear` has no items.
 */
export const ProductListChanged = Schema.Struct({
  list: ProductList,
  op: ProductListOp,
  items: Schema.Array(ProductListItem),
}).check(
  Schema.makeFilter((p) => {
    if (p.op === "clear" && p.items.length > 0)
      return { path: ["items"], issue: "must be empty when op is clear" }
    if ((p.op === "add" || p.op === "remove") && p.items.length === 0)
      return { path: ["items"], issue: `must name at least one item when op is ${p.op}` }
    return undefined
  }),
)

export const RegistrationMethod = Schema.Literals(["email", "phone", "social", "other"])
export const CustomerRegistered = Schema.Struct({
  method: RegistrationMethod,
  identifiers: Schema.Array(CustomerIdentifier),
})

export const SignInMethod = Schema.Literals(["password", "oneTimeCode", "social", "sso", "other"])
export const CustomerSignedIn = Schema.Struct({ method: SignInMethod })

export const OrderPlaced = Schema.Struct({ order: OrderSnapshot })

export const OrderPaid = Schema.Struct({
  order: OrderSnapshot,
  payment: Schema.Struct({
    method: Key,
    amount: Schema.Finite.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0))),
  }),
})

export const ReturnedLine = Schema.Struct({
  lineId: Key,
  quantity: Schema.Int.pipe(Schema.check(Schema.isGreaterThan(0))),
})
export const OrderReturned = Schema.Struct({
  order: OrderSnapshot,
  /** Empty: the whole order was returned. */
  lines: Schema.Array(ReturnedLine),
  reason: Schema.optionalKey(Text),
})

export const MessageOpened = Schema.Struct({ message: MessageRef })

export const MessageClicked = Schema.Struct({
  message: MessageRef,
  url: Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(2048))),
})

export const UnsubscribeRequested = Schema.Struct({
  channel: MessagingChannel,
  /** The message whose unsubscribe link was used, if any. */
  message: Schema.optionalKey(MessageRef),
})

/** The customer edited their own profile. */
export const ProfileEdited = Schema.Struct({ changes: Changes })

export const SubscriptionChange = Schema.Struct({
  channel: MessagingChannel,
  brandId: BrandId,
  subscribed: Schema.Boolean,
})
/** Consent changed for one or more messaging channels. */
export const SubscriptionChanged = Schema.Struct({
  changes: Schema.Array(SubscriptionChange).pipe(Schema.check(Schema.isMinLength(1))),
})

export const PromoCodeRedeemed = Schema.Struct({
  code: Code,
  poolId: PromoPoolId,
  orderId: Schema.optionalKey(OrderId),
})

// ---------------------------------------------------------------------------------------------
// System

export const OrderStatusChanged = Schema.Struct({
  order: OrderSnapshot,
  status: ShopOrderStatus,
  previousStatus: OrderStatus,
  /** Set when only these lines changed status. */
  lineIds: Schema.optionalKey(Schema.Array(Key)),
  reason: Schema.optionalKey(Text),
})

export const MessageSent = Schema.Struct({ message: MessageRef })
export const MessageDelivered = Schema.Struct({ message: MessageRef })

export const DeliveryFailureReason = Schema.Literals([
  "invalidAddress",
  "mailboxFull",
  "blocked",
  "bounced",
  "providerError",
  "other",
])
export const MessageDeliveryFailed = Schema.Struct({
  message: MessageRef,
  reason: DeliveryFailureReason,
  details: Schema.optionalKey(Text),
})

export const NotSentReason = Schema.Literals([
  "unsubscribed",
  "noContact",
  "suppressed",
  "frequencyCap",
  "invalidContact",
  "other",
])
export const MessageNotSent = Schema.Struct({
  message: MessageRef,
  reason: NotSentReason,
  details: Schema.optionalKey(Text),
})

export const PromoCodeIssued = Schema.Struct({
  code: Code,
  poolId: PromoPoolId,
  expiresAt: Schema.optionalKey(EpochMillis),
})

export const RewardIssued = Schema.Struct({
  reward: Key,
  description: Schema.optionalKey(Text),
  amount: Schema.optionalKey(Schema.Finite),
})

export const BonusPointsChanged = Schema.Struct({
  /** Positive: earned; negative: spent or expired. */
  delta: Schema.Finite,
  balanceAfter: Schema.optionalKey(Schema.Finite),
  reason: Key,
  orderId: Schema.optionalKey(OrderId),
  /** The bonus kind (`points`, `credit`…); absent: the default kind `points`. */
  kind: Schema.optionalKey(Key),
  /** When these points expire (credits only). */
  expiresAt: Schema.optionalKey(EpochMillis),
})

/** Staff corrected errors in the profile. */
export const ProfileCorrected = Schema.Struct({
  changes: Changes,
  reason: Schema.optionalKey(Text),
})

export const NoteAdded = Schema.Struct({
  text: Text.pipe(Schema.check(Schema.isNonEmpty())),
})

const TagName = Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(100)))
export const TagAdded = Schema.Struct({ tag: TagName })
export const TagRemoved = Schema.Struct({ tag: TagName })

/** Recorded in the survivor's feed: `mergedId` was merged into it. */
export const CustomersMerged = Schema.Struct({
  mergedId: CustomerId,
  mergedIdentifiers: Schema.Array(CustomerIdentifier),
})

export const CustomerImported = Schema.Struct({
  /** File name or system the customer came from. */
  source: Key,
  importId: Schema.optionalKey(Key),
})
