import { describe, expect, it } from "vitest"
import { Result, Schema } from "effect"
import { Segment } from "../src/index"

const decode = Schema.decodeUnknownResult(Segment.Segment)

describe("Segment definitions", () => {
  it("decodes nested And / Or / Not over HasActions", () => {
    const r = decode({
      _tag: "Or",
      of: [
        {
          _tag: "And",
          of: [
            {
              _tag: "HasActions",
              templates: ["ProductViewed"],
              minCount: 3,
              window: { lastDays: 30 },
            },
            { _tag: "Not", of: { _tag: "HasActions", templates: ["OrderPlaced"] } },
          ],
        },
        { _tag: "HasActions", templates: ["TagAdded"], window: { from: 1, to: 2 } },
      ],
    })
    expect(Result.isSuccess(r)).toBe(true)
  })

  it("rejects empty lists, unknown tags, bad counts and windows", () => {
    for (const bad of [
      { _tag: "And", of: [] },
      { _tag: "Xor", of: [] },
      { _tag: "HasActions", templates: [] },
      { _tag: "HasActions", templates: ["ProductViewed"], minCount: 0 },
      { _tag: "HasActions", templates: ["ProductViewed"], window: { lastDays: -1 } },
      { _tag: "Not", of: { _tag: "HasActions", templates: ["not a name!"] } },
    ]) {
      expect({ bad, failed: Result.isFailure(decode(bad)) }).toEqual({ bad, failed: true })
    }
  })

  it("checkSegment bounds depth and size and checks window ranges", () => {
    const leaf = { _tag: "HasActions", templates: ["ProductViewed"] } as unknown as Segment.Segment
    let deep: Segment.Segment = leaf
    for (let i = 0; i < 10; i++) deep = { _tag: "Not", of: deep }
    expect(Result.isFailure(Segment.checkSegment(deep))).toBe(true)
    const wide: Segment.Segment = { _tag: "Or", of: Array.from({ length: 51 }, () => leaf) }
    expect(Result.isFailure(Segment.checkSegment(wide))).toBe(true)
    const backwards = {
      _tag: "HasActions",
      templates: ["ProductViewed"],
      window: { from: 10, to: 5 },
    } as unknown as Segment.Segment
    expect(Result.isFailure(Segment.checkSegment(backwards))).toBe(true)
    expect(Result.isSuccess(Segment.checkSegment({ _tag: "And", of: [leaf, leaf] }))).toBe(true)
  })

  it("windowRange: last N days from now, or the explicit range", () => {
    expect(Segment.windowRange({ lastDays: 2 }, 10 * 86_400_000)).toEqual({
      from: 8 * 86_400_000,
      to: undefined,
    })
    expect(Segment.windowRange({ from: 5 }, 0)).toEqual({ from: 5, to: undefined })
    expect(Segment.windowRange(undefined, 0)).toEqual({ from: undefined, to: undefined })
  })
})
