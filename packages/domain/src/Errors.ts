/**
 * Every error a caller of actionlog can get. Each is a `Schema.TaggedError` with a stable
 * `_tag` (the API maps it to `data.tag`) and a human `message` (a getter computed from the
 * fields, so constructing an error never needs hand-written text).
 */
import { Predicate, Schema } from "effect"

/** 32 KiB: the JSON of one action's payload + custom fields. */
export const MAX_PAYLOAD_BYTES = 32 * 1024
/** Items per `recordBatch` call. */
export const MAX_BATCH_ITEMS = 1000
/** Ids per name lookup (`names.lookup`): a page of the longest list (the feed's 500). */
export const MAX_NAME_LOOKUP = 500
/** 1 MiB: the JSON of one whole batch. */
export const MAX_BATCH_BYTES = 1024 * 1024
/** `occurredAt` may be at most 5 minutes ahead of the server clock (clock skew). */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000

/** A path into an input: object keys and array indices. */
export const FieldPath = Schema.Array(Schema.Union([Schema.String, Schema.Number]))
export type FieldPath = typeof FieldPath.Type

/** `["lines", 0, "sku"]` → `"lines[0].sku"`; the empty path is `""` (the value itself). */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string => {
  let out = ""
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`
    else out += out === "" ? String(key) : `.${String(key)}`
  }
  return out
}

export class UnknownTemplate extends Schema.TaggedError<UnknownTemplate>()("UnknownTemplate", {
  template: Schema.String,
}) {
  override get message(): string {
    return `Unknown action template "${this.template}"`
  }
}

export class UnknownTouchpoint extends Schema.TaggedError<UnknownTouchpoint>()(
  "UnknownTouchpoint",
  {
    /** The id or external id that was given. */
    touchpoint: Schema.String,
    by: Schema.Literals(["id", "externalId"]),
  },
) {
  override get message(): string {
    return `Unknown touchpoint ${this.by === "id" ? "id" : "external id"} "${this.touchpoint}"`
  }
}

/** The touchpoint exists but was deleted: new actions cannot use it. */
export class TouchpointDeleted extends Schema.TaggedError<TouchpointDeleted>()(
  "TouchpointDeleted",
  { touchpoint: Schema.String },
) {
  override get message(): string {
    return `Touchpoint "${this.touchpoint}" is deleted and cannot receive new actions`
  }
}

/** No touchpoint was given and the project has no default touchpoint. */
export class TouchpointRequired extends Schema.TaggedError<TouchpointRequired>()(
  "TouchpointRequired",
  {},
) {
  override get message(): string {
    return "No touchpoint given and the project has no default touchpoint"
  }
}

export class UnknownChannel extends Schema.TaggedError<UnknownChannel>()("UnknownChannel", {
  channel: Schema.String,
}) {
  override get message(): string {
    return `Unknown channel "${this.channel}"`
  }
}

export class UnknownBrand extends Schema.TaggedError<UnknownBrand>()("UnknownBrand", {
  brand: Schema.String,
}) {
  override get message(): string {
    return `Unknown brand "${this.brand}"`
  }
}

export class BrandRequired extends Schema.TaggedError<BrandRequired>()("BrandRequired", {
  template: Schema.String,
}) {
  override get message(): string {
    return `The project is multi-brand: an action of "${this.template}" needs a brand (directly or through its touchpoint)`
  }
}

export class TemplateNotAllowedForBrand extends Schema.TaggedError<TemplateNotAllowedForBrand>()(
  "TemplateNotAllowedForBrand",
  { template: Schema.String, brand: Schema.String },
) {
  override get message(): string {
    return `Template "${this.template}" is not allowed for brand "${this.brand}"`
  }
}

/** The requested brand differs from the brand of the touchpoint. */
export class BrandConflict extends Schema.TaggedError<BrandConflict>()("BrandConflict", {
  requested: Schema.String,
  touchpointBrand: Schema.String,
  touchpoint: Schema.String,
}) {
  override get message(): string {
    return `Brand "${this.requested}" conflicts with brand "${this.touchpointBrand}" of touchpoint "${this.touchpoint}"`
  }
}

export class CustomerNotFound extends Schema.TaggedError<CustomerNotFound>()("CustomerNotFound", {
  /** Human rendering of the reference: `id:…` or `email:…`. */
  customer: Schema.String,
}) {
  override get message(): string {
    return `Customer ${this.customer} not found`
  }
}

/** No saved segment with this id (deleted, or never saved). */
export class SavedSegmentNotFound extends Schema.TaggedError<SavedSegmentNotFound>()(
  "SavedSegmentNotFound",
  { id: Schema.String },
) {
  override get message(): string {
    return `No saved segment with id '${this.id}'`
  }
}

/** Saved segments are told apart by name: another one already has it. */
export class SavedSegmentNameTaken extends Schema.TaggedError<SavedSegmentNameTaken>()(
  "SavedSegmentNameTaken",
  { name: Schema.String },
) {
  override get message(): string {
    return `A saved segment named '${this.name}' already exists`
  }
}

/** The customer was erased; late events for them are rejected, never re-create the profile. */
export class CustomerSuppressed extends Schema.TaggedError<CustomerSuppressed>()(
  "CustomerSuppressed",
  { customer: Schema.String },
) {
  override get message(): string {
    return `Customer ${this.customer} was erased; actions for them are rejected`
  }
}

/** An identifier (kind + value) already belongs to another customer. */
export class IdentifierTaken extends Schema.TaggedError<IdentifierTaken>()("IdentifierTaken", {
  kind: Schema.String,
  value: Schema.String,
}) {
  override get message(): string {
    return `Identifier ${this.kind} "${this.value}" already belongs to another customer`
  }
}

/**
 * An input value is wrong. `path` is the machine path (keys and indices, relative to the
 * whole record input, e.g. `["payload", "lines", 0, "sku"]`), `field` its dotted rendering.
 */
export class InvalidPayload extends Schema.TaggedError<InvalidPayload>()("InvalidPayload", {
  path: FieldPath,
  field: Schema.String,
  reason: Schema.String,
}) {
  static at(path: ReadonlyArray<string | number>, reason: string): InvalidPayload {
    return new InvalidPayload({ path: [...path], field: formatPath(path), reason })
  }
  override get message(): string {
    return this.field === "" ? `Invalid value: ${this.reason}` : `${this.field}: ${this.reason}`
  }
}

export class EventTimeInFuture extends Schema.TaggedError<EventTimeInFuture>()(
  "EventTimeInFuture",
  { occurredAt: Schema.Number, now: Schema.Number },
) {
  override get message(): string {
    return `occurredAt ${new Date(this.occurredAt).toISOString()} is more than 5 minutes in the future (server time ${new Date(this.now).toISOString()})`
  }
}

export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()("InvalidCursor", {
  reason: Schema.String,
}) {
  override get message(): string {
    return `Invalid feed cursor: ${this.reason}`
  }
}

export class InvalidFilter extends Schema.TaggedError<InvalidFilter>()("InvalidFilter", {
  field: Schema.String,
  reason: Schema.String,
}) {
  override get message(): string {
    return `Invalid filter ${this.field}: ${this.reason}`
  }
}

/** One reason a template change is refused. */
export const EvolutionReason = Schema.Struct({ field: Schema.String, message: Schema.String })
export type EvolutionReason = typeof EvolutionReason.Type

export class TemplateEvolutionRejected extends Schema.TaggedError<TemplateEvolutionRejected>()(
  "TemplateEvolutionRejected",
  { template: Schema.String, reasons: Schema.Array(EvolutionReason) },
) {
  override get message(): string {
    return `Template "${this.template}" is in use and cannot change like this: ${this.reasons
      .map((r) => `${r.field}: ${r.message}`)
      .join("; ")}`
  }
}

/** A template definition is malformed (duplicate field names, enum without values, …). */
export class InvalidTemplate extends Schema.TaggedError<InvalidTemplate>()("InvalidTemplate", {
  field: Schema.String,
  reason: Schema.String,
}) {
  override get message(): string {
    return `Invalid template ${this.field}: ${this.reason}`
  }
}

/** The system name is taken (by a built-in or an existing custom template). */
export class TemplateAlreadyExists extends Schema.TaggedError<TemplateAlreadyExists>()(
  "TemplateAlreadyExists",
  { template: Schema.String },
) {
  override get message(): string {
    return `A template with system name "${this.template}" already exists`
  }
}

/** A registry entry with this key exists (touchpoint/channel external id, brand system name). */
export class AlreadyExists extends Schema.TaggedError<AlreadyExists>()("AlreadyExists", {
  entity: Schema.Literals(["touchpoint", "channel", "brand", "customer"]),
  key: Schema.String,
}) {
  override get message(): string {
    return `A ${this.entity} "${this.key}" already exists`
  }
}

/** An external-identity custom field value is unique across actions of its template. */
export class ExternalIdentityTaken extends Schema.TaggedError<ExternalIdentityTaken>()(
  "ExternalIdentityTaken",
  { template: Schema.String, field: Schema.String, value: Schema.String },
) {
  override get message(): string {
    return `Value "${this.value}" of external identity field "${this.field}" is already used by another "${this.template}" action`
  }
}

export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  bytes: Schema.Number,
  limit: Schema.Number,
}) {
  override get message(): string {
    return `Payload and custom fields are ${this.bytes} bytes; the limit is ${this.limit} bytes per action`
  }
}

export class BatchTooLarge extends Schema.TaggedError<BatchTooLarge>()("BatchTooLarge", {
  items: Schema.Number,
  /** The batch size in bytes, 0 when it was not measured. */
  bytes: Schema.Number,
}) {
  override get message(): string {
    const got =
      this.bytes > 0 ? `${this.items} actions, ${this.bytes} bytes` : `${this.items} actions`
    return `A batch may hold at most ${MAX_BATCH_ITEMS} actions and ${MAX_BATCH_BYTES} bytes; got ${got}`
  }
}

export class ActionNotFound extends Schema.TaggedError<ActionNotFound>()("ActionNotFound", {
  id: Schema.String,
}) {
  override get message(): string {
    return `Action ${this.id} not found`
  }
}

/** What a single `record` (or one batch item) can be rejected with. */
export type ActionRejection =
  | UnknownTemplate
  | UnknownTouchpoint
  | TouchpointDeleted
  | TouchpointRequired
  | UnknownBrand
  | BrandRequired
  | TemplateNotAllowedForBrand
  | BrandConflict
  | CustomerNotFound
  | CustomerSuppressed
  | IdentifierTaken
  | InvalidPayload
  | EventTimeInFuture
  | ExternalIdentityTaken
  | PayloadTooLarge

export const ActionRejection = Schema.Union([
  UnknownTemplate,
  UnknownTouchpoint,
  TouchpointDeleted,
  TouchpointRequired,
  UnknownBrand,
  BrandRequired,
  TemplateNotAllowedForBrand,
  BrandConflict,
  CustomerNotFound,
  CustomerSuppressed,
  IdentifierTaken,
  InvalidPayload,
  EventTimeInFuture,
  ExternalIdentityTaken,
  PayloadTooLarge,
])

export type DomainError =
  | ActionRejection
  | UnknownChannel
  | InvalidCursor
  | InvalidFilter
  | TemplateEvolutionRejected
  | InvalidTemplate
  | TemplateAlreadyExists
  | AlreadyExists
  | BatchTooLarge
  | ActionNotFound

export const DomainError = Schema.Union([
  ...ActionRejection.members,
  UnknownChannel,
  InvalidCursor,
  InvalidFilter,
  TemplateEvolutionRejected,
  InvalidTemplate,
  TemplateAlreadyExists,
  AlreadyExists,
  BatchTooLarge,
  ActionNotFound,
])

/** Every `_tag` of {@link DomainError}, for exhaustive error mapping tables. */
export type DomainErrorTag = DomainError["_tag"]

const tags: ReadonlySet<string> = new Set(DomainError.members.map((m) => m.identifier))

/** True for any of our tagged errors (for the API's one error-mapping place). */
export const isDomainError = (u: unknown): u is DomainError =>
  u instanceof Error && Predicate.hasProperty(u, "_tag") && tags.has(String(u["_tag"]))

/** The field path of an error, when it has one (for batch item answers). */
export const errorPath = (e: DomainError): ReadonlyArray<string | number> | undefined =>
  e instanceof InvalidPayload ? e.path : undefined
