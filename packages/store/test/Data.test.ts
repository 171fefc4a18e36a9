import { assert, describe, it } from "@effect/vitest"
import type { Segment } from "@actionlog/domain"
import { Effect, Exit } from "effect"
import { TestClock } from "effect/testing"
import {
  ActionStore,
  Brands,
  Channels,
  Customers,
  Exports,
  Segments,
  Settings,
  Statistics,
  Touchpoints,
  type StoredAction,
} from "../src/index"
import { T0, input, iso, viewed, withStore } from "./support"

const DAY = 86_400_000

const signedIn = (customerId: string, extra: Record<string, unknown> = {}) =>
  input({
    customer: { id: customerId },
    template: "CustomerSignedIn",
    payload: { method: "password" },
    ...extra,
  })
const tagged = (customerId: string, extra: Record<string, unknown> = {}) =>
  input({ customer: { id: customerId }, template: "TagAdded", payload: { tag: "vip" }, ...extra })

describe("Exports", () => {
  it.effect("windows on recorded time: since inclusive, till exclusive; filters; pages", () =>
    withStore(
      Effect.gen(function* () {
        const customers = yield* Customers
        const store = yield* ActionStore
        const exports = yield* Exports
        const web = yield* (yield* Channels).create({ externalId: "web", name: "Web" })
        const shop = yield* (yield* Channels).create({
          externalId: "web-shop",
          name: "Shop",
          parentId: web.id,
        })
        const tp = yield* (yield* Touchpoints).create({
          externalId: "site",
          name: "Site",
          kind: "website",
          channelId: shop.id,
        })
        const brand = yield* (yield* Brands).create({ id: "b2", name: "Second" } as never)
        yield* (yield* Settings).update({ multiBrand: true })
        const c = yield* customers.create({ identifiers: [{ kind: "email", value: "x@y.z" }] })
        // One action per second; recorded times T0, T0+1s, …, T0+9s.
        const recorded: Array<{ id: string; at: number }> = []
        for (let i = 0; i < 10; i++) {
          const extra =
            i % 3 === 0
              ? { touchpoint: { id: tp.id }, brand: "default" }
              : i % 3 === 1
                ? { brand: brand.id }
                : { brand: "default" }
          const make = i % 2 === 0 ? viewed : signedIn
          const r = yield* store.record(make(c.id, extra))
          recorded.push({ id: r.id, at: T0 + i * 1000 })
          yield* TestClock.adjust(1000)
        }
        const collect = (w: Parameters<typeof exports.writeNdjson>[0]) =>
          Effect.gen(function* () {
            const lines: Array<StoredAction> = []
            const n = yield* exports.writeNdjson(w, (text) =>
              Effect.sync(() => {
                for (const l of text.split("\n")) if (l !== "") lines.push(JSON.parse(l))
              }),
            )
            assert.strictEqual(n, lines.length)
            return lines
          })
        // [T0+2s, T0+5s): exactly actions 2, 3, 4.
        const w = yield* collect({ since: T0 + 2000, till: T0 + 5000 })
        assert.deepStrictEqual(
          w.map((a) => a.id),
          recorded.slice(2, 5).map((r) => r.id),
        )
        assert.deepStrictEqual(
          w.map((a) => a.recordedAt),
          [T0 + 2000, T0 + 3000, T0 + 4000],
        )
        assert.deepStrictEqual(yield* collect({ since: T0 + 5000, till: T0 + 5000 }), [])
        // Filters: template, channel (with sub-channels), brand.
        const byTemplate = yield* collect({
          since: 0,
          till: T0 + 99_000,
          templates: ["ProductViewed"],
        })
        assert.deepStrictEqual(
          byTemplate.map((a) => a.id),
          recorded.filter((_, i) => i % 2 === 0).map((r) => r.id),
        )
        const byChannel = yield* collect({ since: 0, till: T0 + 99_000, channels: [web.id] })
        assert.deepStrictEqual(
          byChannel.map((a) => a.id),
          recorded.filter((_, i) => i % 3 === 0).map((r) => r.id),
        )
        const byBrand = yield* collect({ since: 0, till: T0 + 99_000, brands: [brand.id] })
        assert.deepStrictEqual(
          byBrand.map((a) => a.id),
          recorded.filter((_, i) => i % 3 === 1).map((r) => r.id),
        )
        // Keyset pages of 3 cover everything once, in recorded order.
        const seen: Array<string> = []
        let after: { recordedAt: number; seq: number } | undefined
        for (;;) {
          const page = yield* exports.actionsPage({ since: 0, till: T0 + 99_000 }, after, 3)
          seen.push(...page.items.map((a) => a.id))
          if (page.next === undefined) break
          after = page.next
        }
        assert.deepStrictEqual(
          seen,
          recorded.map((r) => r.id),
        )
        const bad = yield* Effect.exit(exports.actionsPage({ since: 10, till: 5 }, undefined))
        assert.isTrue(Exit.isFailure(bad))

        const full = yield* exports.customer(c.id)
        assert.strictEqual(full.profile.id, c.id)
        assert.strictEqual(full.actions.length, 10)
        assert.deepStrictEqual(full.profile.identifiers, [{ kind: "email", value: "x@y.z" }])
      }),
    ),
  )
})

// ---- segments on a generated dataset, against answers computed by hand in JS ----------

type Has = Extract<Segment.Segment, { _tag: "HasActions" }>

const evaluate = (
  s: Segment.Segment,
  actions: ReadonlyArray<{ customer: string; template: string; at: number }>,
  customer: string,
  now: number,
): boolean => {
  switch (s._tag) {
    case "HasActions": {
      const w = s.window
      const from =
        w === undefined
          ? -Infinity
          : "lastDays" in w
            ? now - w.lastDays * DAY
            : (w.from ?? -Infinity)
      const to = w === undefined || "lastDays" in w ? Infinity : (w.to ?? Infinity)
      const n = actions.filter(
        (a) =>
          a.customer === customer &&
          (s.templates as ReadonlyArray<string>).includes(a.template) &&
          a.at >= from &&
          a.at < to,
      ).length
      return n >= (s.minCount ?? 1)
    }
    case "Not":
      return !evaluate(s.of, actions, customer, now)
    case "And":
      return s.of.every((c) => evaluate(c, actions, customer, now))
    case "Or":
      return s.of.some((c) => evaluate(c, actions, customer, now))
  }
}

const has = (templates: Array<string>, extra: Partial<Has> = {}): Segment.Segment =>
  ({ _tag: "HasActions", templates, ...extra }) as Segment.Segment

describe("Segments and statistics", () => {
  it.effect("each operator matches the hand-computed answer", () =>
    withStore(
      Effect.gen(function* () {
        const customers = yield* Customers
        const store = yield* ActionStore
        const segments = yield* Segments
        // Deterministic pseudo-random dataset: 40 customers, ~0–12 actions each over 90 days.
        let seed = 7
        const rand = () => {
          seed = (seed * 1103515245 + 12345) % 2147483648
          return seed / 2147483648
        }
        const ids: Array<string> = []
        const actions: Array<{ customer: string; template: string; at: number }> = []
        const batch = []
        for (let i = 0; i < 40; i++) {
          const c = yield* customers.create({
            identifiers: [{ kind: "email", value: `s${i}@e.x` }],
          })
          ids.push(c.id)
          const n = Math.floor(rand() * 13)
          for (let k = 0; k < n; k++) {
            const at = T0 - Math.floor(rand() * 90 * DAY)
            const r = rand()
            const make = r < 0.5 ? viewed : r < 0.8 ? signedIn : tagged
            const template = r < 0.5 ? "ProductViewed" : r < 0.8 ? "CustomerSignedIn" : "TagAdded"
            batch.push(make(c.id, { occurredAt: iso(at) }))
            actions.push({ customer: c.id, template, at })
          }
        }
        const results = yield* store.recordBatch(batch)
        assert.isTrue(results.every((r) => r.status === "recorded"))

        const cases: Array<[string, Segment.Segment]> = [
          ["has", has(["ProductViewed"])],
          ["has any of two", has(["CustomerSignedIn", "TagAdded"])],
          ["at least 3", has(["ProductViewed"], { minCount: 3 })],
          [
            "at least 2 in the last 30 days",
            has(["ProductViewed"], { minCount: 2, window: { lastDays: 30 } }),
          ],
          [
            "between dates",
            has(["CustomerSignedIn"], { window: { from: T0 - 60 * DAY, to: T0 - 20 * DAY } }),
          ],
          ["open-ended from", has(["TagAdded"], { window: { from: T0 - 45 * DAY } })],
          ["not", { _tag: "Not", of: has(["TagAdded"]) }],
          [
            "and not (the benchmark shape)",
            {
              _tag: "And",
              of: [
                has(["ProductViewed"], { minCount: 3, window: { lastDays: 30 } }),
                { _tag: "Not", of: has(["TagAdded"]) },
              ],
            },
          ],
          [
            "or",
            {
              _tag: "Or",
              of: [has(["TagAdded"], { minCount: 2 }), has(["ProductViewed"], { minCount: 5 })],
            },
          ],
          [
            "nested",
            {
              _tag: "Or",
              of: [
                { _tag: "And", of: [has(["ProductViewed"]), has(["CustomerSignedIn"])] },
                {
                  _tag: "Not",
                  of: { _tag: "Or", of: [has(["ProductViewed"]), has(["TagAdded"])] },
                },
              ],
            },
          ],
        ]
        for (const [name, seg] of cases) {
          const expected = ids.filter((id) => evaluate(seg, actions, id, T0)).sort()
          assert.isTrue(
            expected.length > 0 && expected.length < ids.length,
            `${name}: trivial case`,
          )
          assert.strictEqual(yield* segments.count(seg), expected.length, `${name}: count`)
          const got: Array<string> = []
          let after: string | undefined
          for (;;) {
            const page = yield* segments.list(seg, { after, limit: 7 })
            got.push(...page.items.map((m) => m.id))
            if (page.next === undefined) break
            after = page.next
          }
          assert.deepStrictEqual(got, expected, `${name}: list`)
        }
        const first = yield* segments.list(has(["ProductViewed"]), { limit: 1 })
        assert.strictEqual(first.items[0]?.identifiers[0]?.kind, "email")
        const tooDeep = yield* Effect.exit(
          segments.count({
            _tag: "HasActions",
            templates: ["X"],
            window: { from: 10, to: 5 },
          } as never),
        )
        assert.isTrue(Exit.isFailure(tooDeep))

        // Statistics: per day by template and by category equal the JS counts.
        const stats = yield* Statistics
        const from = T0 - 10 * DAY
        const byTemplate = yield* stats.actionsPerDay({ by: "template", from, to: T0 })
        assert.strictEqual(byTemplate.buckets.length, 11)
        for (const s of byTemplate.series) {
          assert.strictEqual(
            s.total,
            actions.filter((a) => a.template === s.key && a.at >= from && a.at < T0).length,
          )
        }
        const dayStart = Math.floor(from / DAY) * DAY
        const pv = byTemplate.series.find((s) => s.key === "ProductViewed")!
        pv.counts.forEach((n, i) => {
          const b = dayStart + i * DAY
          assert.strictEqual(
            n,
            actions.filter(
              (a) =>
                a.template === "ProductViewed" &&
                a.at >= Math.max(b, from) &&
                a.at < Math.min(b + DAY, T0),
            ).length,
          )
        })
        const byCategory = yield* stats.actionsPerDay({
          by: "category",
          from,
          to: T0,
          bucket: "hour",
        })
        const personal = byCategory.series.find((s) => s.key === "personal")?.total ?? 0
        const system = byCategory.series.find((s) => s.key === "system")?.total ?? 0
        assert.strictEqual(
          personal + system,
          actions.filter((a) => a.at >= from && a.at < T0).length,
        )
        assert.strictEqual(
          system,
          actions.filter((a) => a.template === "TagAdded" && a.at >= from && a.at < T0).length,
        )
        const tooLong = yield* Effect.exit(
          stats.actionsPerDay({ by: "brand", from: 0, to: T0, bucket: "hour" }),
        )
        assert.isTrue(Exit.isFailure(tooLong))
      }),
    ),
  )
})
