/** Customers: identifiers, references, the profile (personal data, subscriptions, tags). */
import { Schema } from "effect"
import { BrandId, CustomerId } from "./Ids"
import { EpochMillis, IsoDate } from "./Time"

/**
 * Identifier kinds: `email`, `phone`, `websiteId`, `mobileAppId`, or any custom kind
 * (`loyaltyCard`, `crmId`…): a letter, then letters, digits or `_`.
 */
export const IdentifierKind = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, {
      expected: "an identifier kind such as email, phone, websiteId, mobileAppId or a custom one",
    }),
  ),
)
export type IdentifierKind = typeof IdentifierKind.Type
export const wellKnownIdentifierKinds = ["email", "phone", "websiteId", "mobileAppId"] as const

export const CustomerIdentifier = Schema.Struct({
  kind: IdentifierKind,
  value: Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(320))),
})
export type CustomerIdentifier = typeof CustomerIdentifier.Type

/**
 * Normalise an identifier so the same person is found however it was typed: emails are
 * trimmed and lower-cased, phones keep only digits (and a leading +), others are trimmed.
 */
export const normalizeIdentifier = (id: CustomerIdentifier): CustomerIdentifier => {
  const value = id.value.trim()
  switch (id.kind) {
    case "email":
      return { kind: id.kind, value: value.toLowerCase() }
    case "phone": {
      const digits = value.replace(/[^\d]/g, "")
      return { kind: id.kind, value: value.startsWith("+") ? `+${digits}` : digits }
    }
    default:
      return { kind: id.kind, value }
  }
}

export const CustomerRefById = Schema.Struct({ id: CustomerId })
export const CustomerRefByIdentifier = Schema.Struct({ identifier: CustomerIdentifier })
/** A customer by internal id or by any external identifier. */
export const CustomerRef = Schema.Union([CustomerRefById, CustomerRefByIdentifier])
export type CustomerRef = typeof CustomerRef.Type

/** `id:c_1` / `email:ann@example.com` — for messages and logs. */
export const formatCustomerRef = (ref: CustomerRef): string =>
  "id" in ref ? `id:${ref.id}` : `${ref.identifier.kind}:${ref.identifier.value}`

export const MessagingChannel = Schema.Literals(["email", "sms", "push", "webpush", "viber"])
export type MessagingChannel = typeof MessagingChannel.Type
export const messagingChannels: ReadonlyArray<MessagingChannel> = MessagingChannel.literals

/** Consent to receive messages over one messaging channel from one brand. */
export const Subscription = Schema.Struct({
  channel: MessagingChannel,
  brandId: BrandId,
  subscribed: Schema.Boolean,
})
export type Subscription = typeof Subscription.Type

export const Gender = Schema.Literals(["female", "male", "other"])
export type Gender = typeof Gender.Type

const OptionalText = Schema.optionalKey(Schema.String.pipe(Schema.check(Schema.isMaxLength(200))))

export const PersonalData = Schema.Struct({
  firstName: OptionalText,
  middleName: OptionalText,
  lastName: OptionalText,
  birthDate: Schema.optionalKey(IsoDate),
  gender: Schema.optionalKey(Gender),
  city: OptionalText,
  /** BCP 47 language tag, e.g. `en-GB`. */
  locale: OptionalText,
  /** IANA zone, e.g. `Europe/Berlin`. */
  timeZone: OptionalText,
})
export type PersonalData = typeof PersonalData.Type

const Clearable = <S extends Schema.Top>(schema: S) => Schema.optionalKey(Schema.NullOr(schema))
const Text = Schema.String.pipe(Schema.check(Schema.isMaxLength(200)))

/**
 * A change to personal data, field by field: a named field takes the value, `null` clears it,
 * an unnamed field stays as it is.
 */
export const PersonalDataChanges = Schema.Struct({
  firstName: Clearable(Text),
  middleName: Clearable(Text),
  lastName: Clearable(Text),
  birthDate: Clearable(IsoDate),
  gender: Clearable(Gender),
  city: Clearable(Text),
  locale: Clearable(Text),
  timeZone: Clearable(Text),
})
export type PersonalDataChanges = typeof PersonalDataChanges.Type

export const CustomerProfile = Schema.Struct({
  id: CustomerId,
  identifiers: Schema.Array(CustomerIdentifier),
  personal: PersonalData,
  subscriptions: Schema.Array(Subscription),
  tags: Schema.Array(Schema.String),
  /** Project-specific profile fields (free-form JSON values). */
  customFields: Schema.Record(Schema.String, Schema.Unknown),
  createdAt: EpochMillis,
  updatedAt: EpochMillis,
})
export type CustomerProfile = typeof CustomerProfile.Type

/** The editable part of a profile (what `diffProfiles` compares). */
export const ProfileData = CustomerProfile.mapFields(
  ({ id: _id, createdAt: _c, updatedAt: _u, ...rest }) => rest,
)
export type ProfileData = typeof ProfileData.Type

/**
 * A partial profile update (`customers.edit`, staff corrections, identify traits). `personal`
 * and `customFields` change field by field (`null` clears a field, unnamed fields stay);
 * `identifiers`, `subscriptions` and `tags` are lists, replaced whole when given.
 */
export interface ProfileChanges {
  readonly identifiers?: ReadonlyArray<CustomerIdentifier> | undefined
  readonly personal?: PersonalDataChanges | undefined
  readonly subscriptions?: ReadonlyArray<Subscription> | undefined
  readonly tags?: ReadonlyArray<string> | undefined
  readonly customFields?: Readonly<Record<string, unknown>> | undefined
}

const patch = <A extends Readonly<Record<string, unknown>>>(
  before: A,
  changes: Readonly<Record<string, unknown>> | undefined,
): A => {
  if (changes === undefined) return before
  const out: Record<string, unknown> = { ...before }
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) delete out[k]
    else if (v !== undefined) out[k] = v
  }
  return out as A
}

/** The profile after a partial update (pure). */
export const applyProfileChanges = <P extends ProfileData>(
  before: P,
  changes: ProfileChanges,
): P => ({
  ...before,
  ...(changes.identifiers === undefined ? {} : { identifiers: changes.identifiers }),
  personal: patch(before.personal, changes.personal),
  ...(changes.subscriptions === undefined ? {} : { subscriptions: changes.subscriptions }),
  ...(changes.tags === undefined ? {} : { tags: changes.tags }),
  customFields: patch(before.customFields, changes.customFields),
})
