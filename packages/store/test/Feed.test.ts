import { assert, describe, it } from "@effect/vitest"
import type { Ids } from "@actionlog/domain"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import {
  ActionStore,
  Brands,
  Channels,
  Customers,
  Database,
  Profiles,
  Settings,
  Templates,
  Touchpoints,
  type StoredAction,
} from "../src/index"
import { T0, input, iso, viewed, withStore } from "./support"

const sorted = (xs: Array<string>) => xs.sort()
const key = (a: StoredAction) => `${a.occurredAt}|${a.id}`
const isDescending = (xs: ReadonlyArray<StoredAction>) =>
  xs.every(
    (a, i) =>
      i === 0 ||
      xs[i - 1]!.occurredAt > a.occurredAt ||
      (xs[i - 1]!.occurredAt === a.occurredAt && xs[i - 1]!.id > a.id),
  )

const sent = (cid: string, extra = {}) =>
  input({
    customer: { id: cid },
    template: "MessageSent",
    payload: { message: { campaignId: "c1", messageId: "m1", channel: "email" } },
    ...extra,
  })

const ids = (p: { items: ReadonlyArray<StoredAction> }) => p.items.map((a) => a.id)

const names = (xs: ReadonlyArray<StoredAction>) =>
  xs.map((x) => `${x.template}@${x.touchpointId}`).sort()

for (const driver of ["native", "client"] as const) {
  describe(`with the ${driver} driver`, () => {
    describe("feedOf", () => {
      it.effect("reads by id or identifier, follows merges, and names an unknown customer", () =>
        withStore(
          Effect.gen(function* () {
            const store = yield* ActionStore
            const customers = yield* Customers
            const survivor = yield* customers.create({
              identifiers: [{ kind: "email", value: "ann@example.com" }],
            })
            const mergedAway = yield* customers.create({
              identifiers: [{ kind: "email", value: "ann.old@example.com" }],
            })
            const quiet = yield* customers.create({})
            yield* store.recordBatch([viewed(survivor.id), viewed(survivor.id)])
            yield* store.recordBatch([sent(mergedAway.id)])

            const byId = yield* store.feedOf({ id: survivor.id })
            assert.deepStrictEqual(ids(byId), ids(yield* store.feed(survivor.id)))
            assert.strictEqual(byId.items.length, 2)
            const byEmail = yield* store.feedOf({
              identifier: { kind: "email", value: "ANN@example.com" },
            })
            assert.deepStrictEqual(ids(byEmail), ids(byId))
            // A customer without actions has an empty feed, not an error.
            assert.deepStrictEqual((yield* store.feedOf({ id: quiet.id })).items, [])

            yield* (yield* Profiles).merge({ id: survivor.id }, { id: mergedAway.id })
            const after = ids(yield* store.feed(survivor.id))
            assert.strictEqual(after.length, 4) // 2 + the moved MessageSent + CustomersMerged
            assert.deepStrictEqual(ids(yield* store.feedOf({ id: mergedAway.id })), after)
            assert.deepStrictEqual(
              ids(
                yield* store.feedOf({
                  identifier: { kind: "email", value: "ann.old@example.com" },
                }),
              ),
              after,
            )

            const unknownId = yield* Effect.flip(store.feedOf({ id: "c_nobody" as Ids.CustomerId }))
            assert.strictEqual(unknownId._tag, "CustomerNotFound")
            assert.include(unknownId.message, "id:c_nobody")
            const unknownEmail = yield* Effect.flip(
              store.feedOf({ identifier: { kind: "email", value: "nobody@example.com" } }),
            )
            assert.strictEqual(unknownEmail._tag, "CustomerNotFound")
            assert.include(unknownEmail.message, "email:nobody@example.com")
          }),
          driver,
        ),
      )
    })

    describe("feed", () => {
      it.effect("is newest first by event time, ties by id, keyset-paginated", () =>
        withStore(
          Effect.gen(function* () {
            const store = yield* ActionStore
            const c = yield* Effect.flatMap(Effect.service(Customers), (s) => s.create({}))
            const other = yield* Effect.flatMap(Effect.service(Customers), (s) => s.create({}))
            // 30 actions over 10 distinct event times (3 share each time), out of order.
            const times = Array.from({ length: 30 }, (_, i) => T0 - ((i * 7) % 10) * 60_000)
            yield* store.recordBatch(times.map((t) => viewed(c.id, { occurredAt: iso(t) })))
            yield* store.recordBatch([viewed(other.id)])
            const all: Array<StoredAction> = []
            let cursor: string | undefined
            let pages = 0
            do {
              const page = yield* store.feed(c.id, {
                limit: 7,
                ...(cursor === undefined ? {} : { cursor }),
              })
              all.push(...page.items)
              cursor = page.nextCursor
              pages++
            } while (cursor !== undefined)
            assert.strictEqual(all.length, 30)
            assert.strictEqual(pages, 5)
            assert.isTrue(isDescending(all))
            assert.isTrue(all.every((a) => a.customerId === c.id))
            assert.strictEqual(new Set(all.map(key)).size, 30)
          }),
          driver,
        ),
      )

      it.effect("pages carry exactly the action that is read by id (every field, any text)", () =>
        withStore(
          Effect.gen(function* () {
            const store = yield* ActionStore
            const templates = yield* Templates
            const c = yield* Effect.flatMap(Effect.service(Customers), (s) => s.create({}))
            yield* templates.create({
              displayName: "Store visited",
              category: "system",
              customFields: [
                { name: "aisle", type: "integer", required: false },
                { name: "note", type: "string", required: false },
              ],
            })
            const odd = 'quote " backslash \\ tab \t newline \n ünïcödé 😀 \u0001 </script>'
            yield* store.recordBatch(
              [
                viewed(c.id, {
                  occurredAt: iso(T0 - 3000),
                  transactionId: "tx-1",
                  payload: { product: { productId: "p-1", name: odd, price: 0.1 } },
                }),
                viewed(c.id, {
                  occurredAt: iso(T0 - 2000),
                  payload: { product: { productId: "p-2", price: 12345678901234 } },
                }),
                sent(c.id, { occurredAt: iso(T0 - 1000) }),
                input({
                  customer: { id: c.id },
                  template: "StoreVisited",
                  occurredAt: iso(T0 - 500),
                  customFields: { aisle: 7, note: odd },
                }),
              ],
              { recordedBy: { kind: "staff", id: "st:colon" } },
            )
            const feed = (yield* store.feed(c.id)).items
            const list = (yield* store.list()).items
            assert.strictEqual(feed.length, 4)
            for (const a of feed) {
              const byId = (yield* store.get(a.id)).action
              assert.deepStrictEqual(a, byId)
              assert.deepStrictEqual(
                list.find((x) => x.id === a.id),
                byId,
              )
            }
            const visited = feed.find((a) => a.template === "StoreVisited")!
            assert.strictEqual(visited._tag, "CustomAction")
            assert.strictEqual(visited.category, "system")
            assert.deepStrictEqual(visited.customFields, { aisle: 7, note: odd })
            assert.deepStrictEqual(visited.recordedBy, { kind: "staff", id: "st:colon" })
            assert.isFalse("transactionId" in feed.find((a) => a.template === "MessageSent")!)
          }),
          driver,
        ),
      )

      it.effect("cursors stay stable while new and backdated actions arrive", () =>
        withStore(
          Effect.gen(function* () {
            const store = yield* ActionStore
            const c = yield* Effect.flatMap(Effect.service(Customers), (s) => s.create({}))
            const initial = yield* store.recordBatch(
              Array.from({ length: 40 }, (_, i) =>
                viewed(c.id, { occurredAt: iso(T0 - i * 60_000) }),
              ),
            )
            const initialIds = new Set(initial.map((r) => (r.status === "recorded" ? r.id : "")))
            const seen: Array<StoredAction> = []
            let cursor: string | undefined
            let round = 0
            do {
              const page = yield* store.feed(c.id, {
                limit: 6,
                ...(cursor === undefined ? {} : { cursor }),
              })
              seen.push(...page.items)
              cursor = page.nextCursor
              round++
              // Between pages: a brand new action (newest) and a backdated one, both older and
              // newer than the cursor, and one with exactly the cursor's event time.
              yield* TestClock.adjust("1 second")
              const last = page.items[page.items.length - 1]
              yield* store.recordBatch([
                viewed(c.id),
                viewed(c.id, { occurredAt: iso(T0 - round * 7 * 60_000 - 30_000) }),
                ...(last === undefined ? [] : [viewed(c.id, { occurredAt: iso(last.occurredAt) })]),
              ])
            } while (cursor !== undefined)
            assert.isTrue(isDescending(seen), "strictly descending, so no repeats")
            const seenIds = new Set(seen.map((a) => a.id))
            assert.strictEqual(seenIds.size, seen.length)
            for (const id of initialIds) assert.isTrue(seenIds.has(id), `initial action ${id} seen`)
          }),
          driver,
        ),
      )

      it.effect("rejects a tampered cursor and an inverted range", () =>
        withStore(
          Effect.gen(function* () {
            const store = yield* ActionStore
            const bad = yield* Effect.flip(store.feed("c_x", { cursor: "not-a-cursor" }))
            assert.strictEqual(bad["_tag"], "InvalidCursor")
            const range = yield* Effect.flip(
              store.list({ filter: { occurredFrom: T0, occurredTo: T0 - 1 } }),
            )
            assert.strictEqual(range["_tag"], "InvalidFilter")
          }),
          driver,
        ),
      )

      it.effect("every filter, for one customer and across customers", () =>
        withStore(
          Effect.gen(function* () {
            const store = yield* ActionStore
            const customers = yield* Customers
            const channels = yield* Channels
            const touchpoints = yield* Touchpoints
            const brands = yield* Brands
            const settings = yield* Settings
            const templates = yield* Templates
            const a = yield* customers.create({})
            const b = yield* customers.create({})
            const offline = yield* channels.create({ externalId: "offline", name: "Offline" })
            const moscow = yield* channels.create({
              externalId: "msk",
              name: "Moscow",
              parentId: offline.id,
            })
            const online = yield* channels.create({ externalId: "online", name: "Online" })
            yield* brands.create({ id: "acme" as Ids.BrandId, name: "Acme" })
            const shop = yield* touchpoints.create({
              externalId: "shop",
              name: "Shop",
              kind: "store",
              channelId: moscow.id,
            })
            const kiosk = yield* touchpoints.create({
              externalId: "kiosk",
              name: "Kiosk",
              kind: "store",
              channelId: offline.id,
            })
            const web = yield* touchpoints.create({
              externalId: "web",
              name: "Web",
              kind: "website",
              channelId: online.id,
              brandId: "acme" as Ids.BrandId,
            })
            yield* templates.create({
              displayName: "Store visited",
              category: "personal",
              customFields: [{ name: "aisle", type: "integer", required: false }],
            })
            // Before multi-brand: everything on the default brand.
            yield* store.recordBatch([
              viewed(a.id, { occurredAt: iso(T0 - 5 * 3600_000), touchpoint: { id: shop.id } }), // 0
              viewed(a.id, { occurredAt: iso(T0 - 4 * 3600_000), touchpoint: { id: kiosk.id } }), // 1
              sent(a.id, { occurredAt: iso(T0 - 3 * 3600_000) }), // 2
              input({
                customer: { id: a.id },
                template: "StoreVisited",
                occurredAt: iso(T0 - 2 * 3600_000),
                touchpoint: { id: shop.id },
              }), // 3
              viewed(b.id, { occurredAt: iso(T0 - 1 * 3600_000), touchpoint: { id: web.id } }), // 4
            ])
            yield* TestClock.adjust("1 hour")
            yield* settings.update({ multiBrand: true })
            yield* store.recordBatch([
              viewed(a.id, { touchpoint: { id: web.id } }), // acme, recorded 1h later
              sent(b.id, { brand: "acme" }),
            ])
            const feedA = (filter: Parameters<typeof store.feed>[1]) =>
              Effect.map(store.feed(a.id, filter), (p) => names(p.items))

            assert.strictEqual((yield* store.feed(a.id)).items.length, 5)
            assert.deepStrictEqual(
              yield* feedA({ filter: { templates: ["StoreVisited" as Ids.TemplateName] } }),
              sorted([`StoreVisited@${shop.id}`]),
            )
            assert.deepStrictEqual(
              yield* feedA({ filter: { category: "system" } }),
              sorted(["MessageSent@tp_api"]),
            )
            assert.deepStrictEqual(
              yield* feedA({
                filter: { category: "system", templates: ["ProductViewed" as Ids.TemplateName] },
              }),
              [],
            )
            // Channels include their sub-channels.
            assert.deepStrictEqual(
              yield* feedA({ filter: { channels: [offline.id] } }),
              sorted([
                `ProductViewed@${kiosk.id}`,
                `ProductViewed@${shop.id}`,
                `StoreVisited@${shop.id}`,
              ]),
            )
            assert.deepStrictEqual(
              yield* feedA({ filter: { channels: [moscow.id] } }),
              sorted([`ProductViewed@${shop.id}`, `StoreVisited@${shop.id}`]),
            )
            assert.deepStrictEqual(
              yield* feedA({ filter: { touchpoints: [kiosk.id, web.id] } }),
              sorted([`ProductViewed@${kiosk.id}`, `ProductViewed@${web.id}`]),
            )
            assert.deepStrictEqual(
              yield* feedA({ filter: { brands: ["acme" as Ids.BrandId] } }),
              sorted([`ProductViewed@${web.id}`]),
            )
            assert.strictEqual(
              (yield* store.feed(a.id, { filter: { brands: ["default" as Ids.BrandId] } })).items
                .length,
              4,
            )
            assert.deepStrictEqual(
              yield* feedA({
                filter: { occurredFrom: T0 - 4 * 3600_000, occurredTo: T0 - 2 * 3600_000 },
              }),
              sorted([`MessageSent@tp_api`, `ProductViewed@${kiosk.id}`]),
            )
            assert.deepStrictEqual(
              yield* feedA({ filter: { recordedFrom: T0 + 3600_000 } }),
              sorted([`ProductViewed@${web.id}`]),
            )
            assert.strictEqual(
              (yield* store.feed(a.id, { filter: { recordedTo: T0 + 3600_000 } })).items.length,
              4,
            )
            // Across customers.
            const all = yield* store.list()
            assert.strictEqual(all.items.length, 7)
            const sentAll = yield* store.list({
              filter: { templates: ["MessageSent" as Ids.TemplateName] },
            })
            assert.deepStrictEqual(
              sentAll.items.map((x) => x.customerId).sort(),
              [a.id, b.id].sort(),
            )
            const acmeAll = yield* store.list({ filter: { brands: ["acme" as Ids.BrandId] } })
            // The web action of b was recorded before multi-brand: it stays on the default brand.
            assert.strictEqual(acmeAll.items.length, 2)
            const paged = yield* store.list({ limit: 4 })
            assert.strictEqual(paged.items.length, 4)
            const rest = yield* store.list({ limit: 4, cursor: paged.nextCursor! })
            assert.strictEqual(rest.items.length, 3)
            assert.isUndefined(rest.nextCursor)
          }),
          driver,
        ),
      )

      it.effect("uses the indexes (no full scan, no OFFSET)", () =>
        withStore(
          Effect.gen(function* () {
            const db = yield* Database
            const plan = (sql: string) =>
              Effect.map(db.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`), (rows) =>
                rows.map((r) => r.detail).join(" / "),
              )
            const feedPlan = yield* plan(
              "SELECT id FROM actions WHERE customer_id = 'c' AND occurred_at <= 5 AND (occurred_at < 5 OR id < 'x') ORDER BY occurred_at DESC, id DESC LIMIT 51",
            )
            assert.include(feedPlan, "actions_feed")
            assert.notInclude(feedPlan, "TEMP B-TREE")
            const templatePlan = yield* plan(
              "SELECT id FROM actions WHERE template IN ('A') ORDER BY occurred_at DESC, id DESC LIMIT 51",
            )
            assert.include(templatePlan, "actions_")
            const listPlan = yield* plan(
              "SELECT id FROM actions ORDER BY occurred_at DESC, id DESC LIMIT 51",
            )
            assert.include(listPlan, "actions_time")
            const exportPlan = yield* plan(
              "SELECT id FROM actions WHERE recorded_at >= 1 AND recorded_at < 2 ORDER BY recorded_at",
            )
            assert.include(exportPlan, "actions_recorded")
          }),
          driver,
        ),
      )
    })
  })
}
