/**
 * Timestamps are epoch milliseconds (UTC) everywhere in the model: cheap to store (an
 * INTEGER column), to sort, to compare and to send as JSON. A time a caller sends is a
 * {@link TimeInput}: an ISO 8601 date-time with zone or epoch milliseconds (docs/api.md, "Times").
 */
import { Schema, SchemaTransformation } from "effect"

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

const TIME_INPUT_EXPECTED =
  "an ISO 8601 date-time with zone (e.g. 2026-01-31T12:00:00Z) or epoch milliseconds"

/** What a caller may send as a time: an ISO 8601 date-time with zone, or epoch milliseconds. */
export type TimeInputValue = string | number

/** A time input → epoch ms, or `undefined` when it is neither accepted form. */
export const parseTimeInput = (value: TimeInputValue): number | undefined =>
  typeof value === "number"
    ? Number.isSafeInteger(value) && value >= 0 && value <= 8.64e15
      ? value
      : undefined
    : parseIsoTime(value)

/** Why a time input was refused (the same words wherever a time is checked). */
export const timeInputExpected = TIME_INPUT_EXPECTED

/**
 * The forms of a time input, checked but not converted: for inputs whose owner converts them
 * itself (a recorded action's `occurredAt`, checked by the store with the action).
 */
export const TimeInputForms = Schema.Union([Schema.Number, Schema.String]).pipe(
  (s) => s.annotate({ expected: TIME_INPUT_EXPECTED }),
  Schema.check(
    Schema.makeFilter((v: TimeInputValue) => parseTimeInput(v) !== undefined, {
      expected: TIME_INPUT_EXPECTED,
    }),
  ),
)

/**
 * Every time input of the API: an ISO 8601 date-time with zone (`2026-01-31T12:00:00Z`,
 * `2026-01-31T13:00:00+01:00`) or epoch milliseconds (`1769860800000`), decoded to epoch ms.
 */
export const TimeInput = TimeInputForms.pipe(
  Schema.decodeTo(
    EpochMillis,
    SchemaTransformation.transform<number, TimeInputValue>({
      decode: (v) => parseTimeInput(v)!,
      encode: (ms) => ms,
    }),
  ),
)
