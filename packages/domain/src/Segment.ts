/**
 * Segment definitions: customers who have (or, under `Not`, do not have) actions of given
 * templates, optionally at least `minCount` times within a window of event time, combined with
 * `And` / `Or` / `Not`. The store compiles a definition to one SQL query.
 *
 * ```ts
 * // did ProductViewed at least 3 times in the last 30 days AND NOT OrderPlaced (ever)
 * { _tag: "And", of: [
 *   { _tag: "HasActions", templates: ["ProductViewed"], minCount: 3, window: { lastDays: 30 } },
 *   { _tag: "Not", of: { _tag: "HasActions", templates: ["OrderPlaced"] } },
 * ] }
 * ```
 */
import { Result, Schema } from "effect"
import { InvalidFilter } from "./Errors"
import { TemplateName } from "./Ids"
import { TimeInput } from "./Time"

/** Event time window: the last N days (relative to now) or `from` (inclusive) – `to` (exclusive). */
export const SegmentWindow = Schema.Union([
  Schema.Struct({
    lastDays: Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 3660 }))),
  }),
  Schema.Struct({
    from: Schema.optionalKey(TimeInput),
    to: Schema.optionalKey(TimeInput),
    // A malformed `lastDays` must fail, not fall through to an open range.
    lastDays: Schema.optionalKey(Schema.Never),
  }),
])
export type SegmentWindow = typeof SegmentWindow.Type

export const HasActions = Schema.TaggedStruct("HasActions", {
  /** Any of these templates (OR). */
  templates: Schema.Array(TemplateName).pipe(
    Schema.check(Schema.isMinLength(1), Schema.isMaxLength(100)),
  ),
  /** At least this many matching actions (default 1). */
  minCount: Schema.optionalKey(
    Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 1_000_000 }))),
  ),
  window: Schema.optionalKey(SegmentWindow),
})
export type HasActions = typeof HasActions.Type

export type Segment =
  | HasActions
  | { readonly _tag: "And"; readonly of: ReadonlyArray<Segment> }
  | { readonly _tag: "Or"; readonly of: ReadonlyArray<Segment> }
  | { readonly _tag: "Not"; readonly of: Segment }

type SegmentEncoded =
  | typeof HasActions.Encoded
  | { readonly _tag: "And"; readonly of: ReadonlyArray<SegmentEncoded> }
  | { readonly _tag: "Or"; readonly of: ReadonlyArray<SegmentEncoded> }
  | { readonly _tag: "Not"; readonly of: SegmentEncoded }

const Children = Schema.Array(
  Schema.suspend((): Schema.Codec<Segment, SegmentEncoded> => Segment),
).pipe(Schema.check(Schema.isMinLength(1), Schema.isMaxLength(50)))

export const Segment: Schema.Codec<Segment, SegmentEncoded> = Schema.Union([
  HasActions,
  Schema.TaggedStruct("And", { of: Children }),
  Schema.TaggedStruct("Or", { of: Children }),
  Schema.TaggedStruct("Not", {
    of: Schema.suspend((): Schema.Codec<Segment, SegmentEncoded> => Segment),
  }),
])

/** Max nesting depth and number of conditions: keeps the compiled SQL bounded. */
export const MAX_DEPTH = 8
export const MAX_CONDITIONS = 50

/** Checks the schema cannot express: depth, size, window ranges. */
export const checkSegment = (segment: Segment): Result.Result<Segment, InvalidFilter> => {
  let conditions = 0
  const visit = (s: Segment, depth: number, path: string): InvalidFilter | undefined => {
    if (depth > MAX_DEPTH)
      return new InvalidFilter({ field: path, reason: `nesting deeper than ${MAX_DEPTH}` })
    switch (s._tag) {
      case "HasActions": {
        conditions++
        if (conditions > MAX_CONDITIONS)
          return new InvalidFilter({
            field: path,
            reason: `more than ${MAX_CONDITIONS} conditions`,
          })
        const w = s.window
        if (w !== undefined && "from" in w && w.from !== undefined && w.to !== undefined) {
          if (w.from > w.to)
            return new InvalidFilter({ field: `${path}.window`, reason: "from is after to" })
        }
        return undefined
      }
      case "Not":
        return visit(s.of, depth + 1, `${path}.of`)
      case "And":
      case "Or": {
        for (const [i, c] of s.of.entries()) {
          const bad = visit(c, depth + 1, `${path}.of[${i}]`)
          if (bad !== undefined) return bad
        }
        return undefined
      }
    }
  }
  const bad = visit(segment, 0, "segment")
  return bad === undefined ? Result.succeed(segment) : Result.fail(bad)
}

/** The `[from, to)` event-time range of a window at `nowMs` (undefined ends are open). */
export const windowRange = (
  window: SegmentWindow | undefined,
  nowMs: number,
): { readonly from: number | undefined; readonly to: number | undefined } => {
  if (window === undefined) return { from: undefined, to: undefined }
  if ("lastDays" in window) return { from: nowMs - window.lastDays * 86_400_000, to: undefined }
  return { from: window.from, to: window.to }
}
