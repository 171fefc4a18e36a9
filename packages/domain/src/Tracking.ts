/**
 * Pure rules for accepting Segment-style tracking calls (track, identify, page, screen, alias,
 * group, batch): event time with clock-skew correction, event name → template, Segment's
 * e-commerce / B2B spec properties → built-in payloads, context → touchpoint kind, identify
 * traits → profile, custom-field inference, and the checks of one call's envelope
 * (`parseCall`). The store's `TrackingStore` applies calls; the HTTP handler lives in
 * `@actionlog/api`.
 */
import { Result } from "effect"
import type { CustomerIdentifier, Gender, PersonalDataChanges } from "./Customer"
import { EventTimeInFuture, InvalidPayload, MAX_FUTURE_SKEW_MS } from "./Errors"
import type { TouchpointKind } from "./Registry"
import { parseIsoTime } from "./Time"
import type { CustomFieldDefinition, TemplateDefinition } from "./Template"

/** Segment calls actionlog accepts (`group` is recorded as a custom action). */
export const messageTypes = ["track", "identify", "page", "screen", "alias", "group"] as const
export type MessageType = (typeof messageTypes)[number]

/** Documented limits (Segment's own): 32 KB per call, 500 KB per batch request. */
export const MAX_EVENT_BYTES = 32 * 1024
export const MAX_BATCH_BYTES = 500 * 1024

/** Identifier kinds of the Segment ids on a customer. */
export const USER_ID_KIND = "userId"
export const ANONYMOUS_ID_KIND = "anonymousId"

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)

/** A Segment id: a non-empty string (numbers are accepted as libraries send them). */
export const idOf = (v: unknown): string | undefined => {
  if (typeof v === "number" && Number.isFinite(v)) return String(v)
  if (typeof v !== "string") return undefined
  const s = v.trim()
  return s === "" || s.length > 320 ? undefined : s
}

// ---------------------------------------------------------------------------------------------
// Event time

export interface MessageTimes {
  readonly timestamp?: unknown
  readonly originalTimestamp?: unknown
  readonly sentAt?: unknown
}

const timeOf = (v: unknown, field: string): Result.Result<number | undefined, InvalidPayload> => {
  if (v === undefined || v === null) return Result.succeed(undefined)
  if (typeof v !== "string")
    return Result.fail(InvalidPayload.at([field], "expected an ISO 8601 date-time string"))
  const ms = parseIsoTime(v) ?? (/^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : Number.NaN)
  return Number.isFinite(ms) && ms >= 0
    ? Result.succeed(ms)
    : Result.fail(
        InvalidPayload.at([field], "expected an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z"),
      )
}

/**
 * When the event happened, in epoch ms. `timestamp` wins when given; otherwise Segment's
 * clock-skew correction `receivedAt - (sentAt - originalTimestamp)` (the device's clock may be
 * wrong, the difference between its two readings is not); otherwise `originalTimestamp`;
 * otherwise the receipt time. `sentAt` may come from the batch envelope.
 */
export const eventTime = (
  message: MessageTimes,
  receivedAt: number,
  batchSentAt?: unknown,
): Result.Result<number, InvalidPayload> => {
  const ts = timeOf(message.timestamp, "timestamp")
  if (Result.isFailure(ts)) return Result.fail(ts.failure)
  if (ts.success !== undefined) return Result.succeed(ts.success)
  const original = timeOf(message.originalTimestamp, "originalTimestamp")
  if (Result.isFailure(original)) return Result.fail(original.failure)
  const sent = timeOf(message.sentAt ?? batchSentAt, "sentAt")
  if (Result.isFailure(sent)) return Result.fail(sent.failure)
  if (original.success === undefined) return Result.succeed(receivedAt)
  if (sent.success === undefined) return Result.succeed(original.success)
  return Result.succeed(Math.max(0, receivedAt - (sent.success - original.success)))
}

// ---------------------------------------------------------------------------------------------
// Touchpoint

export type TrackingSource = "website" | "mobileApp" | "server"

/** External ids of the touchpoints tracking calls are recorded at (created on first use). */
export const touchpointExternalIds: Record<TrackingSource, string> = {
  website: "tracking-website",
  mobileApp: "tracking-mobile-app",
  server: "tracking-server",
}

const browserLibraries =
  /^(analytics\.js|analytics-next|analytics-browser|@segment\/analytics-next|rudder-?js|rudderstack-js|posthog-js|jitsu)/i
const mobileLibraries = /(ios|android|react-native|flutter|kotlin|swift|xamarin|unity|mobile)/i

/** Where a call came from: `context.channel`, then `context.library.name`, then page/app hints. */
export const sourceOf = (context: unknown): TrackingSource => {
  if (!isObject(context)) return "server"
  const channel = typeof context["channel"] === "string" ? context["channel"].toLowerCase() : ""
  if (channel === "browser" || channel === "web") return "website"
  if (channel === "mobile") return "mobileApp"
  if (channel === "server") return "server"
  const library = isObject(context["library"]) ? context["library"]["name"] : undefined
  if (typeof library === "string") {
    if (browserLibraries.test(library)) return "website"
    if (mobileLibraries.test(library)) return "mobileApp"
  }
  if (isObject(context["page"]) && typeof context["page"]["url"] === "string") return "website"
  if (isObject(context["app"]) || isObject(context["device"])) return "mobileApp"
  return "server"
}

// ---------------------------------------------------------------------------------------------
// Event name → template

/** `"Order Completed"`, `"order_completed"` and `"OrderCompleted"` compare equal. */
export const normalizeName = (name: string): string =>
  name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "")

const str = (v: unknown): string | undefined =>
  typeof v === "string" && v.trim() !== ""
    ? v.trim()
    : typeof v === "number" && Number.isFinite(v)
      ? String(v)
      : undefined
const num = (v: unknown): number | undefined => {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v
  return typeof n === "number" && Number.isFinite(n) ? n : undefined
}
const round = (n: number) => Math.round(n * 1e6) / 1e6
const withDefined = <T extends Json>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T

/** A Segment product object → `ProductRef` fields. */
const productRef = (p: Json): Json =>
  withDefined({
    productId: str(p["product_id"]) ?? str(p["productId"]) ?? str(p["id"]) ?? str(p["sku"]),
    sku: str(p["sku"]),
    name: str(p["name"]),
    categoryId: str(p["category"]) ?? str(p["category_id"]),
    price: num(p["price"]),
  })

const listItem = (p: Json): Json =>
  withDefined({
    productId: str(p["product_id"]) ?? str(p["productId"]) ?? str(p["id"]) ?? str(p["sku"]),
    sku: str(p["sku"]),
    quantity: num(p["quantity"]) ?? 1,
    price: num(p["price"]),
  })

const orderSnapshot = (p: Json): Json => {
  const products = Array.isArray(p["products"]) ? p["products"] : []
  const lines = products.map((raw, i) => {
    const x = isObject(raw) ? raw : {}
    const quantity = num(x["quantity"]) ?? 1
    const unitPrice = num(x["price"]) ?? 0
    return withDefined({
      lineId: String(i + 1),
      productId: str(x["product_id"]) ?? str(x["productId"]) ?? str(x["id"]) ?? str(x["sku"]),
      sku: str(x["sku"]),
      name: str(x["name"]),
      quantity,
      unitPrice,
      total: round(quantity * unitPrice),
      status: "placed",
    })
  })
  const linesTotal = round(lines.reduce((s, l) => s + (l["total"] as number), 0))
  const subtotal = num(p["subtotal"]) ?? linesTotal
  const discount = num(p["discount"]) ?? 0
  const shipping = num(p["shipping"]) ?? 0
  const tax = num(p["tax"]) ?? 0
  const total = num(p["total"]) ?? num(p["revenue"]) ?? round(subtotal - discount + shipping + tax)
  const coupon = str(p["coupon"])
  return withDefined({
    orderId: str(p["order_id"]) ?? str(p["orderId"]) ?? str(p["checkout_id"]),
    status: "placed",
    currency: (str(p["currency"]) ?? "USD").toUpperCase(),
    lines,
    totals: { subtotal, discount, shipping, tax, total },
    promoCodes: coupon === undefined ? undefined : [coupon],
  })
}

const oneOf = <T extends string>(v: unknown, values: ReadonlyArray<T>): T | undefined =>
  typeof v === "string" && (values as ReadonlyArray<string>).includes(v) ? (v as T) : undefined

/** What a built-in mapping gets: the call's properties and the caller's ids. */
export interface MappingInput {
  readonly properties: Json
  readonly userId?: string | undefined
  readonly anonymousId?: string | undefined
}

export interface SpecMapping {
  /** The Segment spec event name (as documented). */
  readonly event: string
  /** The built-in template it maps to. */
  readonly template: string
  /** Segment properties → the built-in payload. */
  readonly payload: (input: MappingInput) => Json
  /** Properties the mapping consumed (the rest may fill the template's custom fields). */
  readonly consumes: ReadonlyArray<string>
}

const productKeys = ["product_id", "productId", "id", "sku", "name", "category", "price"]
const cart = (list: "cart" | "wishlist", op: "add" | "remove") => (i: MappingInput) => ({
  list,
  op,
  items: [listItem(i.properties)],
})

/** Segment e-commerce / B2B spec events that map onto built-in templates. */
export const specMappings: ReadonlyArray<SpecMapping> = [
  {
    event: "Product Viewed",
    template: "ProductViewed",
    payload: (i) => ({ product: productRef(i.properties) }),
    consumes: productKeys,
  },
  {
    event: "Product Clicked",
    template: "ProductViewed",
    payload: (i) => ({ product: productRef(i.properties) }),
    consumes: productKeys,
  },
  {
    event: "Product List Viewed",
    template: "CategoryViewed",
    payload: (i) =>
      withDefined({
        categoryId: str(i.properties["category"]) ?? str(i.properties["list_id"]),
        name: str(i.properties["category"]),
      }),
    consumes: ["category", "list_id", "products"],
  },
  {
    event: "Product Added",
    template: "ProductListChanged",
    payload: cart("cart", "add"),
    consumes: [...productKeys, "quantity", "cart_id"],
  },
  {
    event: "Product Removed",
    template: "ProductListChanged",
    payload: cart("cart", "remove"),
    consumes: [...productKeys, "quantity", "cart_id"],
  },
  {
    event: "Product Added to Wishlist",
    template: "ProductListChanged",
    payload: cart("wishlist", "add"),
    consumes: [...productKeys, "quantity", "wishlist_id", "wishlist_name"],
  },
  {
    event: "Product Removed from Wishlist",
    template: "ProductListChanged",
    payload: cart("wishlist", "remove"),
    consumes: [...productKeys, "quantity", "wishlist_id", "wishlist_name"],
  },
  {
    event: "Order Completed",
    template: "OrderPlaced",
    payload: (i) => ({ order: orderSnapshot(i.properties) }),
    consumes: [
      "order_id",
      "orderId",
      "checkout_id",
      "currency",
      "products",
      "subtotal",
      "discount",
      "shipping",
      "tax",
      "total",
      "revenue",
      "coupon",
    ],
  },
  {
    event: "Signed Up",
    template: "CustomerRegistered",
    payload: (i) => {
      const ids: Array<CustomerIdentifier> = []
      const email = str(i.properties["email"])
      const phone = str(i.properties["phone"])
      if (email !== undefined) ids.push({ kind: "email", value: email })
      if (phone !== undefined) ids.push({ kind: "phone", value: phone })
      if (i.userId !== undefined) ids.push({ kind: USER_ID_KIND, value: i.userId })
      const method =
        oneOf(i.properties["method"], ["email", "phone", "social", "other"] as const) ??
        (email !== undefined ? "email" : phone !== undefined ? "phone" : "other")
      return { method, identifiers: ids }
    },
    consumes: ["method", "email", "phone"],
  },
  {
    event: "Signed In",
    template: "CustomerSignedIn",
    payload: (i) => ({
      method:
        oneOf(i.properties["method"], [
          "password",
          "oneTimeCode",
          "social",
          "sso",
          "other",
        ] as const) ?? "other",
    }),
    consumes: ["method"],
  },
]

const specByName = new Map(specMappings.map((m) => [normalizeName(m.event), m]))

/** The spec mapping of an event name, if it is one of Segment's spec events. */
export const specMappingFor = (event: string): SpecMapping | undefined =>
  specByName.get(normalizeName(event))

/**
 * The template an event name names: a template whose system name or display name matches
 * (normalised), preferring an exact system-name match.
 */
export const findTemplate = (
  event: string,
  templates: ReadonlyArray<TemplateDefinition>,
): TemplateDefinition | undefined => {
  const exact = templates.find((t) => t.systemName === event)
  if (exact !== undefined) return exact
  const n = normalizeName(event)
  if (n === "") return undefined
  return templates.find(
    (t) => normalizeName(t.systemName) === n || normalizeName(t.displayName) === n,
  )
}

// ---------------------------------------------------------------------------------------------
// Custom fields

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/
/** At most this many fields are inferred onto one template. */
export const MAX_INFERRED_FIELDS = 50

const inferType = (v: unknown): "string" | "decimal" | "boolean" | undefined =>
  typeof v === "string" && v.length <= 10_000
    ? "string"
    : typeof v === "number" && Number.isFinite(v)
      ? "decimal"
      : typeof v === "boolean"
        ? "boolean"
        : undefined

/**
 * Optional custom fields for the scalar properties not yet defined on a template (strings,
 * numbers as decimals, booleans); other values stay in the payload.
 */
export const inferNewFields = (
  properties: Json,
  existing: ReadonlyArray<CustomFieldDefinition>,
): ReadonlyArray<CustomFieldDefinition> => {
  const known = new Set(existing.map((f) => f.name))
  const out: Array<CustomFieldDefinition> = []
  for (const [name, value] of Object.entries(properties)) {
    if (known.size + out.length >= MAX_INFERRED_FIELDS) break
    const type = inferType(value)
    if (type === undefined || known.has(name) || !FIELD_NAME.test(name)) continue
    out.push({ name, type, required: false })
  }
  return out
}

const fits = (field: CustomFieldDefinition, v: unknown): boolean => {
  switch (field.type) {
    case "string":
    case "externalIdentity":
      return typeof v === "string"
    case "decimal":
      return typeof v === "number" && Number.isFinite(v)
    case "integer":
      return typeof v === "number" && Number.isSafeInteger(v)
    case "boolean":
      return typeof v === "boolean"
    case "date":
    case "datetime":
      return typeof v === "string"
    case "enum":
      return typeof v === "string" && field.values.includes(v)
  }
}

/**
 * Split properties between the template's custom fields (defined and of the right type) and
 * the rest. The store validates both; a value of the wrong type stays in `rest`.
 */
export const splitProperties = (
  properties: Json,
  fields: ReadonlyArray<CustomFieldDefinition>,
  skip: ReadonlyArray<string> = [],
): { readonly customFields: Json; readonly rest: Json } => {
  const byName = new Map(fields.map((f) => [f.name, f]))
  const customFields: Json = {}
  const rest: Json = {}
  for (const [k, v] of Object.entries(properties)) {
    if (skip.includes(k)) continue
    const f = byName.get(k)
    if (f !== undefined && v !== null && fits(f, v)) customFields[k] = v
    else rest[k] = v
  }
  return { customFields, rest }
}

// ---------------------------------------------------------------------------------------------
// Identify traits → profile

export interface ProfileFromTraits {
  /** Only the fields the traits name; an explicit `null` trait clears its field. */
  readonly personal: PersonalDataChanges
  /** `email` / `phone` identifiers found in the traits. */
  readonly identifiers: ReadonlyArray<CustomerIdentifier>
  /** Every other trait (reserved or not), kept as a profile custom field. */
  readonly customFields: Json
}

const genderOf = (v: unknown): Gender | undefined => {
  const s = typeof v === "string" ? v.trim().toLowerCase() : ""
  if (s === "female" || s === "f" || s === "woman") return "female"
  if (s === "male" || s === "m" || s === "man") return "male"
  return s === "" ? undefined : "other"
}

const text = (v: unknown): string | undefined => {
  const s = str(v)
  return s === undefined ? undefined : s.slice(0, 200)
}

const consumedTraits = new Set([
  "firstName",
  "first_name",
  "lastName",
  "last_name",
  "name",
  "email",
  "phone",
  "birthday",
  "gender",
])

// `undefined`: the trait is absent (the field stays); `null`: sent as null (cleared).
const traitField = <A>(v: unknown, f: (v: unknown) => A | undefined): A | null | undefined =>
  v === null ? null : f(v)
const firstGiven = (...vs: ReadonlyArray<unknown>) => vs.find((v) => v !== undefined)

/**
 * Segment's reserved traits → actionlog's profile (see docs/tracking.md for the table): a
 * partial change, so a trait sent as `null` clears its field and an absent one keeps it.
 */
export const traitsToProfile = (traits: Json, context?: unknown): ProfileFromTraits => {
  const field = traitField
  let firstName = field(firstGiven(traits["firstName"], traits["first_name"]), text)
  let lastName = field(firstGiven(traits["lastName"], traits["last_name"]), text)
  const name = field(traits["name"], text)
  if (name !== undefined && firstName === undefined && lastName === undefined) {
    // `name: null` clears both parts; a one-word name leaves the last name as it is.
    const parts = name === null ? [] : name.split(/\s+/)
    firstName = name === null ? null : parts[0]
    lastName = parts.length > 1 ? parts.slice(1).join(" ") : name === null ? null : undefined
  }
  const birthDate = field(traits["birthday"], (v) => {
    const birthday = str(v)
    return birthday !== undefined && /^\d{4}-\d{2}-\d{2}/.test(birthday)
      ? birthday.slice(0, 10)
      : undefined
  })
  const address = isObject(traits["address"]) ? traits["address"] : {}
  const ctx = isObject(context) ? context : {}
  const personal = withDefined({
    firstName,
    lastName,
    birthDate,
    gender: field(traits["gender"], genderOf),
    city: field(address["city"], text),
    locale: text(ctx["locale"]),
    timeZone: text(ctx["timezone"]),
  }) as PersonalDataChanges
  const identifiers: Array<CustomerIdentifier> = []
  const email = str(traits["email"])
  const phone = str(traits["phone"])
  if (email !== undefined && email.length <= 320) identifiers.push({ kind: "email", value: email })
  if (phone !== undefined && phone.length <= 320) identifiers.push({ kind: "phone", value: phone })
  const customFields: Json = {}
  for (const [k, v] of Object.entries(traits)) {
    if (consumedTraits.has(k) || v === undefined) continue
    customFields[k] = v
  }
  return { personal, identifiers, customFields }
}

// ---------------------------------------------------------------------------------------------
// One call: envelope checks and what it records

/** The answer for one call of a request. */
export type Outcome =
  | { readonly status: "recorded"; readonly actionId?: string | undefined }
  | { readonly status: "alreadyProcessed"; readonly actionId?: string | undefined }
  /** An identify / alias that changed nothing. */
  | { readonly status: "unchanged" }
  | {
      readonly status: "rejected"
      readonly tag: string
      readonly message: string
      readonly path?: ReadonlyArray<string | number> | undefined
    }

export type Rejected = Extract<Outcome, { readonly status: "rejected" }>

/** A refusal as an outcome: the error's own field path, else `path`. */
export const rejection = (
  error: { readonly _tag: string; readonly message: string },
  path?: ReadonlyArray<string | number>,
): Rejected => {
  const own = (error as { readonly path?: unknown }).path
  return {
    status: "rejected",
    tag: error["_tag"],
    message: error.message,
    path: Array.isArray(own) ? (own as Array<string | number>) : path,
  }
}

const invalid = (path: ReadonlyArray<string | number>, reason: string): Rejected =>
  rejection(InvalidPayload.at(path, reason))

/** What a request shares with each of its calls (a batch's envelope). */
export interface CallEnvelope {
  readonly receivedAt: number
  readonly sentAt?: unknown
  readonly context?: unknown
}

/** A call whose envelope passed `parseCall`. */
export interface ParsedCall {
  /** Position in the request. */
  readonly index: number
  readonly type: MessageType
  readonly message: Json
  /** At most 190 characters (it becomes part of a transaction id). */
  readonly messageId: string | undefined
  readonly userId: string | undefined
  readonly anonymousId: string | undefined
  /** Epoch ms, clock-skew corrected, not in the future. */
  readonly occurredAt: number
  /** The batch's context under the call's own. */
  readonly context: Json
  readonly source: TrackingSource
}

/** Checks one call's envelope (type, size, ids, event, objects, time): parsed, or refused. */
export const parseCall = (
  index: number,
  type: string,
  raw: unknown,
  envelope: CallEnvelope,
): ParsedCall | Rejected => {
  if (!isObject(raw)) return invalid([], "each call must be a JSON object")
  if (!(messageTypes as ReadonlyArray<string>).includes(type)) {
    return invalid(
      ["type"],
      `unknown call type "${type}"; expected one of ${messageTypes.join(", ")}`,
    )
  }
  const bytes = new TextEncoder().encode(JSON.stringify(raw)).length
  if (bytes > MAX_EVENT_BYTES) {
    return {
      status: "rejected",
      tag: "EventTooLarge",
      message: `The call is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES} bytes (32 KB) per call`,
    }
  }
  const userId = idOf(raw["userId"])
  const anonymousId = idOf(raw["anonymousId"])
  if (raw["userId"] !== undefined && raw["userId"] !== null && userId === undefined)
    return invalid(["userId"], "must be a non-empty string of at most 320 characters")
  if (raw["anonymousId"] !== undefined && raw["anonymousId"] !== null && anonymousId === undefined)
    return invalid(["anonymousId"], "must be a non-empty string of at most 320 characters")
  if (type === "alias") {
    if (userId === undefined) return invalid(["userId"], "alias needs the new userId")
    if (idOf(raw["previousId"]) === undefined)
      return invalid(["previousId"], "alias needs the previousId")
  } else if (userId === undefined && anonymousId === undefined) {
    return invalid(["userId"], "userId or anonymousId is required")
  }
  if (type === "track" && (typeof raw["event"] !== "string" || raw["event"].trim() === ""))
    return invalid(["event"], "track needs the event name")
  if (type === "group" && idOf(raw["groupId"]) === undefined)
    return invalid(["groupId"], "group needs the groupId")
  for (const field of ["properties", "traits", "context"]) {
    const v = raw[field]
    if (v !== undefined && v !== null && !isObject(v))
      return invalid([field], "must be a JSON object")
  }
  const time = eventTime(raw, envelope.receivedAt, envelope.sentAt)
  if (Result.isFailure(time)) return rejection(time.failure)
  // Checked here too (the store would refuse it) so that a refused call creates no template.
  if (time.success > envelope.receivedAt + MAX_FUTURE_SKEW_MS)
    return rejection(new EventTimeInFuture({ occurredAt: time.success, now: envelope.receivedAt }))
  const context = {
    ...(isObject(envelope.context) ? envelope.context : {}),
    ...(isObject(raw["context"]) ? raw["context"] : {}),
  }
  const messageId = idOf(raw["messageId"])
  return {
    index,
    type: type as MessageType,
    message: raw,
    messageId: messageId === undefined ? undefined : messageId.slice(0, 190),
    userId,
    anonymousId,
    occurredAt: time.success,
    context,
    source: sourceOf(context),
  }
}

/** Calls recorded as actions (identify edits the profile, alias links customers). */
export type ActionCallType = "track" | "page" | "screen" | "group"

export const isActionCall = (c: { readonly type: MessageType }): boolean =>
  c.type === "track" || c.type === "page" || c.type === "screen" || c.type === "group"

/** Templates the tracking API creates for calls that are not `track` events. */
export const fixedTemplates: Record<
  Exclude<ActionCallType, "track">,
  { readonly name: string; readonly display: string }
> = {
  page: { name: "PageViewed", display: "Page viewed" },
  screen: { name: "ScreenViewed", display: "Screen viewed" },
  group: { name: "GroupAssociated", display: "Group associated" },
}

/** Tag of the templates the tracking API created (and may widen with new fields). */
export const TEMPLATE_TAG = "tracking"

/** The touchpoints tracking calls are recorded at, created on first use in this channel. */
export const trackingChannel = { externalId: "tracking", name: "Tracking API" } as const
export const touchpointDefinitions: Record<
  TrackingSource,
  { readonly name: string; readonly kind: TouchpointKind }
> = {
  website: { name: "Website (tracking API)", kind: "website" },
  mobileApp: { name: "Mobile app (tracking API)", kind: "mobileApp" },
  server: { name: "Server (tracking API)", kind: "api" },
}

const objectOf = (v: unknown): Json => (isObject(v) ? v : {})

/** What a non-identify call records: its template name (or event name) and properties. */
export const actionShape = (
  p: ParsedCall,
): { readonly event: string; readonly properties: Json } => {
  const m = p.message
  switch (p.type as ActionCallType) {
    case "track":
      return { event: (m["event"] as string).trim(), properties: objectOf(m["properties"]) }
    case "page":
    case "screen": {
      const props = objectOf(m["properties"])
      const page = objectOf(p.context["page"])
      return {
        event: fixedTemplates[p.type as "page"].name,
        properties: {
          ...(typeof m["name"] === "string" ? { name: m["name"] } : {}),
          ...(typeof m["category"] === "string" ? { category: m["category"] } : {}),
          // analytics.js puts url/path/title in properties; other libraries only in context.
          ...(p.type === "page" && typeof page["url"] === "string" ? { url: page["url"] } : {}),
          ...props,
        },
      }
    }
    case "group":
      return {
        event: fixedTemplates.group.name,
        properties: { groupId: idOf(m["groupId"]), ...objectOf(m["traits"]) },
      }
  }
}

/** The customer a call is about: by userId, else by anonymousId. */
export const customerIdentifierOf = (p: {
  readonly userId?: string | undefined
  readonly anonymousId?: string | undefined
}): CustomerIdentifier =>
  p.userId !== undefined
    ? { kind: USER_ID_KIND, value: p.userId }
    : { kind: ANONYMOUS_ID_KIND, value: p.anonymousId! }

/** The traits of an identify call (an empty object when absent). */
export const traitsOf = (p: ParsedCall): Json => objectOf(p.message["traits"])

/** The transaction id a call's action is recorded with (a library's retry repeats it). */
export const transactionIdOf = (messageId: string): string => `segment:${messageId}`
