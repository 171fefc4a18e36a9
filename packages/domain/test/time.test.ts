import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Time } from "../src/index"

const decode = Schema.decodeUnknownExit(Time.TimeInput)

describe("TimeInput", () => {
  it("takes an ISO 8601 date-time with zone or epoch milliseconds, giving epoch ms", () => {
    const ms = Date.UTC(2026, 0, 31, 12)
    for (const v of [
      ms,
      "2026-01-31T12:00:00Z",
      "2026-01-31T13:00:00+01:00",
      "2026-01-31T12:00:00.000z",
    ])
      expect(Schema.decodeUnknownSync(Time.TimeInput)(v)).toBe(ms)
    expect(Schema.decodeUnknownSync(Time.TimeInput)(0)).toBe(0)
    expect(Schema.encodeSync(Time.TimeInput)(ms)).toBe(ms)
  })

  it("refuses everything else with one message", () => {
    for (const v of [
      "2026-01-31",
      "2026-01-31T12:00:00",
      "yesterday",
      "",
      -1,
      1.5,
      8.64e15 + 1,
      NaN,
      true,
      null,
      {},
    ]) {
      const exit = decode(v)
      expect([String(v), exit._tag]).toEqual([String(v), "Failure"])
      expect(String(exit)).toContain(Time.timeInputExpected)
    }
  })

  it("parseTimeInput is the same rule without a schema", () => {
    expect(Time.parseTimeInput("2026-01-31T12:00:00Z")).toBe(Date.UTC(2026, 0, 31, 12))
    expect(Time.parseTimeInput(5)).toBe(5)
    expect(Time.parseTimeInput(-5)).toBeUndefined()
    expect(Time.parseTimeInput("5")).toBeUndefined()
  })
})
