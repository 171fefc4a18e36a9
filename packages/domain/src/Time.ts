/**
 * Timestamps are epoch milliseconds (UTC) everywhere in the model: cheap to store (an
 * INTEGER column), to sort, to compare and to send as JSON. Inputs from callers are ISO 8601
 * strings; {@link parseIsoTime} turns them into milliseconds.
 */
import { Schema } from "effect"

/** Unix epoch milliseconds; a non-negative safe integer. */
export const EpochMillis = Schema.Int.pipe(
  Schema.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThanOrEqualTo(8.64e15)),
)
export type EpochMillis = typeof EpochMillis.Type

// Date + time with a mandatory zone (Z or ±hh:mm); date-only strings are not event times.
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i

/** ISO 8601 date-time with zone → epoch ms, or `undefined` when it is not one. */
export const parseIsoTime = (s: string): number | undefined => {
  if (!ISO_DATETIME.test(s)) return undefined
  const ms = Date.parse(s)
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined
}

/** An ISO 8601 date-time string with zone (validated, kept as the string). */
export const IsoDateTime = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter((s: string) => parseIsoTime(s) !== undefined, {
      expected: "an ISO 8601 date-time with zone, e.g. 2026-01-31T12:00:00Z",
    }),
  ),
)

/** A calendar date `YYYY-MM-DD` (validated as a real date). */
export const IsoDate = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter(
      (s: string) => {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false
        const d = new Date(`${s}T00:00:00Z`)
        return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
      },
      { expected: "a date YYYY-MM-DD" },
    ),
  ),
)

export const toIso = (ms: number): string => new Date(ms).toISOString()
