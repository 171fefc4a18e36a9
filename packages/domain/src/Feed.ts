/**
 * Feed queries: the filter of an activity feed / actions page and the keyset cursor.
 * Feeds are newest first by (occurredAt DESC, id DESC); a cursor is the last row seen.
 */
import { Result, Schema } from "effect"
import { Base64Url } from "effect/encoding"
import { InvalidCursor, InvalidFilter } from "./Errors"
import { issueToInvalidPayload } from "./internal/issue"
import { ActionId, BrandId, ChannelId, TemplateName, TouchpointId } from "./Ids"
import { Category } from "./Template"
import { EpochMillis, TimeInput } from "./Time"

/** Max page size of a feed page. */
export const MAX_FEED_LIMIT = 500
export const DEFAULT_FEED_LIMIT = 50

const Ids = <S extends Schema.Top>(s: S) =>
  Schema.optionalKey(Schema.Array(s).pipe(Schema.check(Schema.isMaxLength(1000))))

/**
 * Every field optional; lists are OR within a field, fields AND together. Times are
 * `Time.TimeInput` (ISO 8601 or epoch ms in, epoch ms after decoding);
 * `…From` inclusive, `…To` exclusive. `channels` match their sub-channels too (the store
 * expands them with `Registry.expandChannel`).
 */
export const FeedFilter = Schema.Struct({
  templates: Ids(TemplateName),
  category: Schema.optionalKey(Category),
  channels: Ids(ChannelId),
  touchpoints: Ids(TouchpointId),
  brands: Ids(BrandId),
  occurredFrom: Schema.optionalKey(TimeInput),
  occurredTo: Schema.optionalKey(TimeInput),
  recordedFrom: Schema.optionalKey(TimeInput),
  recordedTo: Schema.optionalKey(TimeInput),
})
export type FeedFilter = typeof FeedFilter.Type

/** Checks the schema cannot express: every range has from ≤ to. */
export const checkFeedFilter = (filter: FeedFilter): Result.Result<FeedFilter, InvalidFilter> => {
  if (
    filter.occurredFrom !== undefined &&
    filter.occurredTo !== undefined &&
    filter.occurredFrom > filter.occurredTo
  )
    return Result.fail(
      new InvalidFilter({ field: "occurredFrom", reason: "must not be after occurredTo" }),
    )
  if (
    filter.recordedFrom !== undefined &&
    filter.recordedTo !== undefined &&
    filter.recordedFrom > filter.recordedTo
  )
    return Result.fail(
      new InvalidFilter({ field: "recordedFrom", reason: "must not be after recordedTo" }),
    )
  return Result.succeed(filter)
}

const decodeFilterUnknown = Schema.decodeUnknownResult(FeedFilter)

/** Decode an untrusted filter and check its ranges. */
export const decodeFeedFilter = (input: unknown): Result.Result<FeedFilter, InvalidFilter> => {
  const r = decodeFilterUnknown(input ?? {}, { onExcessProperty: "error" })
  if (Result.isFailure(r)) {
    const { field, reason } = issueToInvalidPayload(r.failure.issue)
    return Result.fail(new InvalidFilter({ field: field === "" ? "filter" : field, reason }))
  }
  return checkFeedFilter(r.success)
}

/** Does an action match a filter? (`channels` must already be expanded to sub-channels.) */
export const matchesFilter = (
  filter: FeedFilter,
  a: {
    readonly template: string
    readonly category: Category
    readonly channelId: string
    readonly touchpointId: string
    readonly brandId: string
    readonly occurredAt: number
    readonly recordedAt: number
  },
): boolean =>
  (filter.templates === undefined ||
    (filter.templates as ReadonlyArray<string>).includes(a.template)) &&
  (filter.category === undefined || filter.category === a.category) &&
  (filter.channels === undefined ||
    (filter.channels as ReadonlyArray<string>).includes(a.channelId)) &&
  (filter.touchpoints === undefined ||
    (filter.touchpoints as ReadonlyArray<string>).includes(a.touchpointId)) &&
  (filter.brands === undefined || (filter.brands as ReadonlyArray<string>).includes(a.brandId)) &&
  (filter.occurredFrom === undefined || a.occurredAt >= filter.occurredFrom) &&
  (filter.occurredTo === undefined || a.occurredAt < filter.occurredTo) &&
  (filter.recordedFrom === undefined || a.recordedAt >= filter.recordedFrom) &&
  (filter.recordedTo === undefined || a.recordedAt < filter.recordedTo)

/** Position in a feed: the last (occurredAt, id) returned; the next page is strictly after. */
export const FeedCursor = Schema.Struct({ occurredAt: EpochMillis, id: ActionId })
export type FeedCursor = typeof FeedCursor.Type

const CURSOR_VERSION = "1"

// FNV-1a: not a secret, only detects edited or truncated cursors.
const checksum = (s: string): string => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h.toString(36)
}

/** Opaque, URL-safe cursor string (versioned, with a checksum). */
export const encodeCursor = (cursor: FeedCursor): string => {
  const body = `${CURSOR_VERSION}|${cursor.occurredAt}|${cursor.id}`
  return Base64Url.encode(`${body}|${checksum(body)}`)
}

const isActionId = Schema.is(ActionId)

const fail = (reason: string) => Result.fail(new InvalidCursor({ reason }))

/** Parse a cursor made by {@link encodeCursor}; anything else is `InvalidCursor`. */
export const decodeCursor = (s: string): Result.Result<FeedCursor, InvalidCursor> => {
  if (s.length === 0 || s.length > 200 || !/^[A-Za-z0-9_-]+$/.test(s)) return fail("not a cursor")
  const decoded = Base64Url.decodeString(s)
  if (Result.isFailure(decoded)) return fail("not a cursor")
  const parts = decoded.success.split("|")
  if (parts.length !== 4) return fail("not a cursor")
  const [version, occurred, id, sum] = parts as [string, string, string, string]
  if (version !== CURSOR_VERSION) return fail(`unsupported cursor version ${version}`)
  if (checksum(`${version}|${occurred}|${id}`) !== sum) return fail("cursor was modified")
  if (!/^\d{1,16}$/.test(occurred)) return fail("bad position")
  const occurredAt = Number(occurred)
  if (!Number.isSafeInteger(occurredAt) || !isActionId(id)) return fail("bad position")
  return Result.succeed({ occurredAt, id })
}

/** A page of a feed: items and the cursor of the next page (absent on the last page). */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly nextCursor?: string
}
