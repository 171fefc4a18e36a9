/**
 * Recorded actions. One `Schema.TaggedClass` per built-in template (`_tag` = the template's
 * system name, `payload` typed by the template), plus {@link CustomAction} for templates
 * defined at run time. Every action shares the envelope fields below.
 *
 * Times are epoch milliseconds (see `Time`). The encoded form is plain JSON: `decodeAction` /
 * `encodeAction` round-trip it, so the store can keep the envelope in columns and the
 * payload / custom fields as JSON text.
 */
import { Result, Schema } from "effect"
import { InvalidPayload } from "./Errors"
import { issueToInvalidPayload } from "./internal/issue"
import {
  ActionId,
  BrandId,
  ChannelId,
  CustomerId,
  TemplateName,
  TouchpointId,
  TransactionId,
} from "./Ids"
import * as P from "./Payloads"
import { Category } from "./Template"
import { EpochMillis } from "./Time"

/** A decoded custom field value (every custom field type decodes to one of these). */
export const CustomFieldValue = Schema.Union([Schema.String, Schema.Finite, Schema.Boolean])
export type CustomFieldValue = typeof CustomFieldValue.Type
export const CustomFieldValues = Schema.Record(Schema.String, CustomFieldValue)
export type CustomFieldValues = typeof CustomFieldValues.Type

/** Who or what recorded the action: an API key, a staff user, an import job, or the system. */
export const RecordedBy = Schema.Struct({
  kind: Schema.Literals(["apiKey", "staff", "import", "system"]),
  /** API key id, staff user id, import job id, or the system component's name. */
  id: Schema.String,
})
export type RecordedBy = typeof RecordedBy.Type

/** The fields every action has (besides `_tag`, `template`, `category`, `payload`). */
export const envelopeFields = {
  id: ActionId,
  customerId: CustomerId,
  /** When it happened (may be in the past: backfill). Feeds sort on it. */
  occurredAt: EpochMillis,
  /** When actionlog recorded it (server clock). Exports window on it. */
  recordedAt: EpochMillis,
  touchpointId: TouchpointId,
  /** The touchpoint's channel at record time. */
  channelId: ChannelId,
  brandId: BrandId,
  transactionId: Schema.optionalKey(TransactionId),
  customFields: CustomFieldValues,
  recordedBy: RecordedBy,
}

/** The envelope as a plain object type (what every action has in common). */
export interface Envelope extends Schema.Struct.Type<typeof envelopeFields> {}

const personal = <T extends string>(template: T) => ({
  ...envelopeFields,
  template: Schema.tag(template),
  category: Schema.tag("personal"),
})
const system = <T extends string>(template: T) => ({
  ...envelopeFields,
  template: Schema.tag(template),
  category: Schema.tag("system"),
})

// ---------------------------------------------------------------------------------------------
// Personal templates

export class ProductViewed extends Schema.TaggedClass<ProductViewed>()("ProductViewed", {
  ...personal("ProductViewed"),
  payload: P.ProductViewed,
}) {}

export class CategoryViewed extends Schema.TaggedClass<CategoryViewed>()("CategoryViewed", {
  ...personal("CategoryViewed"),
  payload: P.CategoryViewed,
}) {}

export class ProductListChanged extends Schema.TaggedClass<ProductListChanged>()(
  "ProductListChanged",
  {
    ...personal("ProductListChanged"),
    payload: P.ProductListChanged,
  },
) {}

export class CustomerRegistered extends Schema.TaggedClass<CustomerRegistered>()(
  "CustomerRegistered",
  {
    ...personal("CustomerRegistered"),
    payload: P.CustomerRegistered,
  },
) {}

export class CustomerSignedIn extends Schema.TaggedClass<CustomerSignedIn>()("CustomerSignedIn", {
  ...personal("CustomerSignedIn"),
  payload: P.CustomerSignedIn,
}) {}

export class OrderPlaced extends Schema.TaggedClass<OrderPlaced>()("OrderPlaced", {
  ...personal("OrderPlaced"),
  payload: P.OrderPlaced,
}) {}

export class OrderPaid extends Schema.TaggedClass<OrderPaid>()("OrderPaid", {
  ...personal("OrderPaid"),
  payload: P.OrderPaid,
}) {}

export class OrderReturned extends Schema.TaggedClass<OrderReturned>()("OrderReturned", {
  ...personal("OrderReturned"),
  payload: P.OrderReturned,
}) {}

export class MessageOpened extends Schema.TaggedClass<MessageOpened>()("MessageOpened", {
  ...personal("MessageOpened"),
  payload: P.MessageOpened,
}) {}

export class MessageClicked extends Schema.TaggedClass<MessageClicked>()("MessageClicked", {
  ...personal("MessageClicked"),
  payload: P.MessageClicked,
}) {}

export class UnsubscribeRequested extends Schema.TaggedClass<UnsubscribeRequested>()(
  "UnsubscribeRequested",
  {
    ...personal("UnsubscribeRequested"),
    payload: P.UnsubscribeRequested,
  },
) {}

export class ProfileEdited extends Schema.TaggedClass<ProfileEdited>()("ProfileEdited", {
  ...personal("ProfileEdited"),
  payload: P.ProfileEdited,
}) {}

export class SubscriptionChanged extends Schema.TaggedClass<SubscriptionChanged>()(
  "SubscriptionChanged",
  {
    ...personal("SubscriptionChanged"),
    payload: P.SubscriptionChanged,
  },
) {}

export class PromoCodeRedeemed extends Schema.TaggedClass<PromoCodeRedeemed>()(
  "PromoCodeRedeemed",
  {
    ...personal("PromoCodeRedeemed"),
    payload: P.PromoCodeRedeemed,
  },
) {}

// ---------------------------------------------------------------------------------------------
// System templates

export class OrderStatusChanged extends Schema.TaggedClass<OrderStatusChanged>()(
  "OrderStatusChanged",
  {
    ...system("OrderStatusChanged"),
    payload: P.OrderStatusChanged,
  },
) {}

export class MessageSent extends Schema.TaggedClass<MessageSent>()("MessageSent", {
  ...system("MessageSent"),
  payload: P.MessageSent,
}) {}

export class MessageDelivered extends Schema.TaggedClass<MessageDelivered>()("MessageDelivered", {
  ...system("MessageDelivered"),
  payload: P.MessageDelivered,
}) {}

export class MessageDeliveryFailed extends Schema.TaggedClass<MessageDeliveryFailed>()(
  "MessageDeliveryFailed",
  {
    ...system("MessageDeliveryFailed"),
    payload: P.MessageDeliveryFailed,
  },
) {}

export class MessageNotSent extends Schema.TaggedClass<MessageNotSent>()("MessageNotSent", {
  ...system("MessageNotSent"),
  payload: P.MessageNotSent,
}) {}

export class PromoCodeIssued extends Schema.TaggedClass<PromoCodeIssued>()("PromoCodeIssued", {
  ...system("PromoCodeIssued"),
  payload: P.PromoCodeIssued,
}) {}

export class RewardIssued extends Schema.TaggedClass<RewardIssued>()("RewardIssued", {
  ...system("RewardIssued"),
  payload: P.RewardIssued,
}) {}

export class BonusPointsChanged extends Schema.TaggedClass<BonusPointsChanged>()(
  "BonusPointsChanged",
  {
    ...system("BonusPointsChanged"),
    payload: P.BonusPointsChanged,
  },
) {}

export class ProfileCorrected extends Schema.TaggedClass<ProfileCorrected>()("ProfileCorrected", {
  ...system("ProfileCorrected"),
  payload: P.ProfileCorrected,
}) {}

export class NoteAdded extends Schema.TaggedClass<NoteAdded>()("NoteAdded", {
  ...system("NoteAdded"),
  payload: P.NoteAdded,
}) {}

export class TagAdded extends Schema.TaggedClass<TagAdded>()("TagAdded", {
  ...system("TagAdded"),
  payload: P.TagAdded,
}) {}

export class TagRemoved extends Schema.TaggedClass<TagRemoved>()("TagRemoved", {
  ...system("TagRemoved"),
  payload: P.TagRemoved,
}) {}

export class CustomersMerged extends Schema.TaggedClass<CustomersMerged>()("CustomersMerged", {
  ...system("CustomersMerged"),
  payload: P.CustomersMerged,
}) {}

export class CustomerImported extends Schema.TaggedClass<CustomerImported>()("CustomerImported", {
  ...system("CustomerImported"),
  payload: P.CustomerImported,
}) {}

/** Any action of a template defined at run time (payload validated against its definition). */
export class CustomAction extends Schema.TaggedClass<CustomAction>()("CustomAction", {
  ...envelopeFields,
  template: TemplateName,
  category: Category,
  payload: Schema.Record(Schema.String, Schema.Json),
}) {}

export const personalActions = [
  ProductViewed,
  CategoryViewed,
  ProductListChanged,
  CustomerRegistered,
  CustomerSignedIn,
  OrderPlaced,
  OrderPaid,
  OrderReturned,
  MessageOpened,
  MessageClicked,
  UnsubscribeRequested,
  ProfileEdited,
  SubscriptionChanged,
  PromoCodeRedeemed,
] as const
export const systemActions = [
  OrderStatusChanged,
  MessageSent,
  MessageDelivered,
  MessageDeliveryFailed,
  MessageNotSent,
  PromoCodeIssued,
  RewardIssued,
  BonusPointsChanged,
  ProfileCorrected,
  NoteAdded,
  TagAdded,
  TagRemoved,
  CustomersMerged,
  CustomerImported,
] as const
export const builtInActions = [...personalActions, ...systemActions] as const

export const PersonalAction = Schema.Union(personalActions)
export type PersonalAction = typeof PersonalAction.Type
export const SystemAction = Schema.Union(systemActions)
export type SystemAction = typeof SystemAction.Type
export type BuiltInAction = PersonalAction | SystemAction
export const Action = Schema.Union([...builtInActions, CustomAction])
export type Action = BuiltInAction | CustomAction

/** The class of every built-in action, by tag. */
export type BuiltInActionClass = (typeof builtInActions)[number]
/** System names of the built-in templates. */
export type BuiltInTemplateName = BuiltInAction["_tag"]
export type ActionTag = Action["_tag"]

/** The payload type of a built-in template. */
export type PayloadOf<T extends BuiltInTemplateName> = Extract<
  BuiltInAction,
  { _tag: T }
>["payload"]

export const builtInActionByName: ReadonlyMap<string, BuiltInActionClass> = new Map(
  builtInActions.map((c) => [c.identifier, c]),
)

export const isBuiltInTemplateName = (name: string): name is BuiltInTemplateName =>
  builtInActionByName.has(name)

/** The action's top-level category. */
export const category = (a: Action): Category => a.category

/** The action's template system name (for built-ins equal to `_tag`). */
export const templateName = (a: Action): TemplateName => a.template as TemplateName

/**
 * Exhaustive match on the category: both handlers are required, and each sees the actions of
 * its category (custom actions can be either, so both handlers may get one).
 */
export const matchCategory = <A, B>(
  a: Action,
  cases: {
    readonly personal: (a: PersonalAction | CustomAction) => A
    readonly system: (a: SystemAction | CustomAction) => B
  },
): A | B => (a.category === "personal" ? cases.personal(a) : cases.system(a))

export const isPersonal = (a: Action): a is PersonalAction | CustomAction =>
  a.category === "personal"
export const isSystem = (a: Action): a is SystemAction | CustomAction => a.category === "system"

/** Encoded (JSON) form of an action: what the API sends and what the store can persist. */
export type Encoded = typeof Action.Encoded

const decodeUnknown = Schema.decodeUnknownResult(Action)
const encode = Schema.encodeSync(Action)

/**
 * Decode a stored / transported action. `_tag` may be omitted: it is derived from `template`
 * (a built-in's system name, otherwise `CustomAction`), so rows need not store it.
 */
export const decodeAction = (input: unknown): Result.Result<Action, InvalidPayload> => {
  let value = input
  if (typeof input === "object" && input !== null && !("_tag" in input) && "template" in input) {
    const t = (input as { template: unknown }).template
    value = {
      ...input,
      _tag: typeof t === "string" && isBuiltInTemplateName(t) ? t : "CustomAction",
    }
  }
  const decoded = Result.mapError(decodeUnknown(value), (e) => issueToInvalidPayload(e.issue))
  // A built-in's actions must carry its typed payload; a CustomAction may not claim its name.
  if (
    Result.isSuccess(decoded) &&
    decoded.success instanceof CustomAction &&
    isBuiltInTemplateName(decoded.success.template)
  ) {
    return Result.fail(
      InvalidPayload.at(["template"], `"${decoded.success.template}" is a built-in template`),
    )
  }
  return decoded
}

/**
 * The encoded (JSON) form of an action. No field of an action has a transformation (ids are
 * branded strings, times are numbers), so the encoded form is the instance's own fields; this
 * avoids a schema pass (~50 µs) per action. The round-trip tests check it against
 * `Schema.encodeSync(Action)` for generated values of every class.
 */
export const encodeAction = (a: Action): Encoded => ({ ...a }) as Encoded

/** Encoding through the schema (reference implementation of {@link encodeAction}). */
export const encodeActionWithSchema = (a: Action): Encoded => encode(a)

/** The fields to build an action from (what the store has after validating an input). */
export interface ActionFields extends Envelope {
  readonly template: string
  readonly category: Category
  readonly payload: { readonly [k: string]: unknown }
}

/** Build the action instance of the right class (`CustomAction` for custom templates). */
export const makeAction = (fields: ActionFields): Result.Result<Action, InvalidPayload> =>
  decodeAction(fields)

// `Schema.makeClassTrusted` builds a class instance from already-valid fields. It is exported
// at run time but marked internal in the typings, so reach it defensively and fall back to a
// full decode should a future effect release drop it.
const makeClassTrusted = (
  Schema as unknown as {
    readonly makeClassTrusted?: (self: unknown, fields: object) => unknown
  }
).makeClassTrusted

/**
 * Build an action from a row the store wrote itself (already validated on the way in),
 * without validating again: far cheaper than {@link decodeAction}, for feed pages and
 * exports. `_tag` may be omitted (derived from `template`). Never use it on untrusted input.
 */
export const fromTrusted = (row: Encoded | Omit<Encoded, "_tag">): Action => {
  const cls = builtInActionByName.get(row.template) ?? CustomAction
  const fields = { ...row, _tag: cls === CustomAction ? "CustomAction" : row.template }
  if (makeClassTrusted !== undefined) return makeClassTrusted(cls, fields) as Action
  return Result.getOrThrow(decodeAction(fields))
}
