import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Database, TrackingStore } from "../src/index"
import { T0, withStore } from "./support"

// The tracking API's write side at store level: a refused call leaves no trace.

const principal = { kind: "apiKey", id: "key-1", name: "site", scopes: ["ingest"] } as const

/** Every table's rows (small test databases). */
const everything = Effect.gen(function* () {
  const db = yield* Database
  const tables = yield* db.query<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  )
  const out: Record<string, unknown> = {}
  for (const { name } of tables) out[name] = yield* db.query(`SELECT * FROM "${name}"`)
  return JSON.stringify(out)
})

const badView = (n: number) => ({
  type: "track",
  message: {
    userId: `u-${n}`,
    anonymousId: `a-${n}`,
    event: "Product Viewed",
    messageId: `m-${n}`,
    properties: { product_id: { x: n } },
  },
})

describe("TrackingStore.ingest", () => {
  it.effect("a request whose every call is refused changes nothing", () =>
    withStore(
      Effect.gen(function* () {
        const tracking = yield* TrackingStore
        const before = yield* everything
        const outcomes = yield* tracking.ingest({
          principal,
          receivedAt: T0,
          calls: [badView(1), badView(2), { type: "track", message: { event: "No one" } }],
        })
        assert.deepStrictEqual(
          outcomes.map((o) => o.status),
          ["rejected", "rejected", "rejected"],
        )
        assert.strictEqual(yield* everything, before)
      }),
    ),
  )

  it.effect("a mixed request records the accepted calls only", () =>
    withStore(
      Effect.gen(function* () {
        const tracking = yield* TrackingStore
        const outcomes = yield* tracking.ingest({
          principal,
          receivedAt: T0,
          calls: [
            badView(3),
            {
              type: "track",
              message: { userId: "ok", anonymousId: "ok-a", event: "Signed In", messageId: "ok-1" },
            },
          ],
        })
        assert.deepStrictEqual(
          outcomes.map((o) => o.status),
          ["rejected", "recorded"],
        )
        const after = yield* everything
        assert.notInclude(after, "u-3")
        assert.notInclude(after, "a-3")
        assert.include(after, "ok-a")
      }),
    ),
  )
})
