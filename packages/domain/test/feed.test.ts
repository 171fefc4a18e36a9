import { Arbitrary, Effect, Result } from "effect"
import { describe, expect, it } from "vitest"
import { Errors, Feed, Ids, Registry } from "../src/index"
import { failureOf } from "./util"

describe("feed cursor", () => {
  it("round-trips generated cursors", async () => {
    const result = await Effect.runPromise(
      Arbitrary.checkEffect(
        Arbitrary.schema(Feed.FeedCursor),
        (c) => {
          const s = Feed.encodeCursor(c)
          return (
            /^[A-Za-z0-9_-]+$/.test(s) &&
            Result.isSuccess(Feed.decodeCursor(s)) &&
            JSON.stringify(Result.getOrThrow(Feed.decodeCursor(s))) === JSON.stringify(c)
          )
        },
        { runs: 300, seed: 42 },
      ),
    )
    expect(Arbitrary.formatCheckFailure(result)).toBeUndefined()
  })

  it("round-trips a real cursor", () => {
    const c = { occurredAt: Date.parse("2026-11-28T12:00:00Z"), id: Ids.makeActionId(Date.now()) }
    expect(Feed.decodeCursor(Feed.encodeCursor(c))).toEqual(Result.succeed(c))
  })

  const valid = Feed.encodeCursor({
    occurredAt: 1_700_000_000_000,
    id: Ids.makeActionId(1_700_000_000_000),
  })

  it("rejects garbage", () => {
    for (const s of ["", "abc", "!!!", "a".repeat(500), "eyJvIjoxfQ", "MXwxfDJ8Mw", valid + "="]) {
      const r = Feed.decodeCursor(s)
      expect(failureOf(r)).toBeInstanceOf(Errors.InvalidCursor)
    }
  })

  it("rejects every single-character tampering", () => {
    let tried = 0
    for (let i = 0; i < valid.length; i++) {
      for (const ch of ["A", "z", "5", "_"]) {
        if (valid[i] === ch) continue
        const tampered = valid.slice(0, i) + ch + valid.slice(i + 1)
        const r = Feed.decodeCursor(tampered)
        // The last base64 character carries unused bits: an edit there may decode to the very
        // same cursor, which is harmless. Anything else must be rejected.
        if (Result.isSuccess(r) && Feed.encodeCursor(r.success) === valid) continue
        tried++
        expect(Result.isFailure(r)).toBe(true)
      }
    }
    expect(tried).toBeGreaterThan(100)
  })

  it("rejects a re-encoded cursor with an edited position", () => {
    const body = atob(valid.replace(/-/g, "+").replace(/_/g, "/"))
    const edited = body.replace("|1700000000000|", "|1700000000001|")
    const forged = btoa(edited).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
    const r = Feed.decodeCursor(forged)
    expect(failureOf(r).reason).toBe("cursor was modified")
  })
})

const ch = (id: string, parentId?: string): Registry.Channel => ({
  id: id as Ids.ChannelId,
  externalId: id,
  name: id,
  ...(parentId === undefined ? {} : { parentId: parentId as Ids.ChannelId }),
})

describe("feed filter", () => {
  it("decodes a full filter", () => {
    const input = {
      templates: ["OrderPlaced"],
      category: "personal",
      channels: ["online"],
      touchpoints: ["web"],
      brands: ["main"],
      occurredFrom: 1,
      occurredTo: 2,
      recordedFrom: 3,
      recordedTo: 3,
    }
    expect(Feed.decodeFeedFilter(input)).toEqual(Result.succeed(input))
    expect(Feed.decodeFeedFilter(undefined)).toEqual(Result.succeed({}))
  })

  it("names the bad field", () => {
    expect(failureOf(Feed.decodeFeedFilter({ templates: ["ok", "1bad"] })).field).toBe(
      "templates[1]",
    )
    expect(failureOf(Feed.decodeFeedFilter({ nope: 1 })).field).toBe("nope")
    expect(failureOf(Feed.decodeFeedFilter("x")).field).toBe("filter")
  })

  it("rejects inverted ranges and bad fields", () => {
    const inverted = Feed.decodeFeedFilter({ occurredFrom: 5, occurredTo: 4 })
    expect(failureOf(inverted)).toMatchObject({
      _tag: "InvalidFilter",
      field: "occurredFrom",
    })
    const rec = Feed.decodeFeedFilter({ recordedFrom: 5, recordedTo: 4 })
    expect(failureOf(rec).field).toBe("recordedFrom")
    for (const bad of [
      { category: "other" },
      { templates: "OrderPlaced" },
      { occurredFrom: -1 },
      { nope: 1 },
    ]) {
      const r = Feed.decodeFeedFilter(bad)
      expect(failureOf(r)).toBeInstanceOf(Errors.InvalidFilter)
      expect(failureOf(r).message).not.toContain("\n")
    }
  })

  it("matches actions like the store's query", () => {
    const a = {
      template: "OrderPlaced",
      category: "personal" as const,
      channelId: "moscow",
      touchpointId: "store-1",
      brandId: "main",
      occurredAt: 100,
      recordedAt: 200,
    }
    const f = (filter: Feed.FeedFilter) => Feed.matchesFilter(filter, a)
    expect(f({})).toBe(true)
    expect(f({ templates: ["OrderPlaced" as Ids.TemplateName] })).toBe(true)
    expect(f({ templates: ["OrderPaid" as Ids.TemplateName] })).toBe(false)
    expect(f({ category: "system" })).toBe(false)
    expect(f({ occurredFrom: 100, occurredTo: 101 })).toBe(true)
    expect(f({ occurredTo: 100 })).toBe(false)
    expect(f({ recordedFrom: 201 })).toBe(false)
  })

  it("expands channels to their sub-channels", () => {
    const tree = [
      ch("offline"),
      ch("central", "offline"),
      ch("moscow", "central"),
      ch("online"),
      ch("loop", "loop"),
    ]
    expect([...Registry.expandChannel(tree, "offline" as Ids.ChannelId)].sort()).toEqual([
      "central",
      "moscow",
      "offline",
    ])
    expect(Registry.expandChannel(tree, "loop" as Ids.ChannelId)).toEqual(["loop"])
    expect(Registry.channelPath(tree, "moscow" as Ids.ChannelId).map((c) => c.id)).toEqual([
      "offline",
      "central",
      "moscow",
    ])
  })
})
