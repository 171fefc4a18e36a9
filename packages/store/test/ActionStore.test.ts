import { assert, describe, it } from "@effect/vitest"
import type { Ids } from "@actionlog/domain"
import { Context, Effect, Exit, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import * as Store from "../src/index"
import {
  ActionStore,
  Brands,
  Channels,
  Customers,
  Database,
  Settings,
  Templates,
  Touchpoints,
  type BatchItemResult,
} from "../src/index"
import { drivers, storeLayer } from "./helpers"
import { T0, input, iso, viewed, withStore } from "./support"

const recordedIds = (rs: ReadonlyArray<BatchItemResult>) =>
  rs.map((r) => (r.status === "rejected" ? `rejected:${r.tag}` : `${r.status}:${r.id}`))

const countActions = Effect.gen(function* () {
  const db = yield* Database
  const [row] = yield* db.query<{ n: number }>("SELECT count(*) AS n FROM actions")
  return row?.n ?? -1
})

const newCustomer = (email: string) =>
  Effect.flatMap(Effect.service(Customers), (c) =>
    c.create({ identifiers: [{ kind: "email", value: email }] }),
  )

for (const driver of drivers) {
  describe(`with the ${driver} driver`, () => {
    describe("ActionStore.record", () => {
      it.effect("records one action with server times, default touchpoint and default brand", () =>
        withStore(
          Effect.gen(function* () {
            const store = yield* ActionStore
            const c = yield* newCustomer("ann@example.com")
            const r = yield* store.record(viewed(c.id), {
              recordedBy: { kind: "apiKey", id: "k1" },
            })
            assert.strictEqual(r.status, "recorded")
            const d = yield* store.get(r.id)
            assert.strictEqual(d.action.recordedAt, T0)
            assert.strictEqual(d.action.occurredAt, T0)
            assert.strictEqual(d.action.customerId, c.id)
            assert.strictEqual(d.action.category, "personal")
            assert.strictEqual(d.action.touchpointId, "tp_api")
            assert.strictEqual(d.action.brandId, "default")
            assert.deepStrictEqual(d.action.recordedBy, { kind: "apiKey", id: "k1" })
            assert.strictEqual(d.touchpoint?.name, "API")
            assert.deepStrictEqual(
              d.channelPath.map((ch) => ch.name),
              ["Default channel"],
            )
            assert.strictEqual(d.brand?.id, "default")
          }),
          driver,
        ),
      )

      it.effect("takes the recorded time from the Clock, and accepts backfills", () =>
        withStore(
          Effect.gen(function* () {
            const store = yield* ActionStore
            const c = yield* newCustomer("ann@example.com")
            yield* TestClock.adjust("1 hour")
            const r = yield* store.record(viewed(c.id, { occurredAt: "2020-01-01T00:00:00Z" }))
            const d = yield* store.get(r.id)
            assert.strictEqual(d.action.recordedAt, T0 + 3600_000)
            assert.strictEqual(d.action.occurredAt, Date.parse("2020-01-01T00:00:00Z"))
          }),
          driver,
        ),
      )

      it.effect("rejects with a typed error and writes nothing", () =>
        withStore(
          Effect.gen(function* () {
            const store = yield* ActionStore
            const c = yield* newCustomer("ann@example.com")
            const cases: ReadonlyArray<[ReturnType<typeof input>, string]> = [
              [input({ customer: { id: c.id }, template: "NoSuchTemplate" }), "UnknownTemplate"],
              [viewed(c.id, { payload: { product: { productId: 5 } } }), "InvalidPayload"],
              [viewed(c.id, { occurredAt: iso(T0 + 6 * 60_000) }), "EventTimeInFuture"],
              [viewed(c.id, { occurredAt: "yesterday" }), "InvalidPayload"],
              [viewed("c_nobody"), "CustomerNotFound"],
              [
                viewed(c.id, {
                  payload: { product: { productId: "p", name: "x".repeat(33 * 1024) } },
                }),
                "PayloadTooLarge",
              ],
              [viewed(c.id, { touchpoint: { id: "tp_nope" } }), "UnknownTouchpoint"],
              [viewed(c.id, { touchpoint: { externalId: "nope" } }), "UnknownTouchpoint"],
            ]
            for (const [i, tag] of cases) {
              const exit = yield* Effect.exit(store.record(i))
              assert.isTrue(Exit.isFailure(exit), tag)
              const err = yield* Effect.flip(store.record(i))
              assert.strictEqual(err["_tag"], tag)
              assert.isString(err.message)
            }
            const invalid = yield* Effect.flip(
              store.record(viewed(c.id, { payload: { product: { productId: 5 } } })),
            )
            assert.deepStrictEqual(invalid["_tag"] === "InvalidPayload" ? invalid.path : [], [
              "payload",
              "product",
              "productId",
            ])
            assert.strictEqual(yield* countActions, 0)
            // 4 minutes ahead is clock skew, not the future.
            const ok = yield* store.record(viewed(c.id, { occurredAt: iso(T0 + 4 * 60_000) }))
            assert.strictEqual(ok.status, "recorded")
          }),
          driver,
        ),
      )

      it.effect("resolves customers by identifier and creates them on request", () =>
        withStore(
          Effect.gen(function* () {
            const store = yield* ActionStore
            const customers = yield* Customers
            const c = yield* newCustomer("ann@example.com")
            const byEmail = yield* store.record(
              input({
                customer: { identifier: { kind: "email", value: "  ANN@Example.com " } },
                template: "CustomerSignedIn",
                payload: { method: "password" },
              }),
            )
            assert.strictEqual((yield* store.get(byEmail.id)).action.customerId, c.id)
            const unknown = input({
              customer: { identifier: { kind: "phone", value: "+1 555 0100" } },
              template: "CustomerSignedIn",
              payload: { method: "password" },
            })
            const err = yield* Effect.flip(store.record(unknown))
            assert.strictEqual(err["_tag"], "CustomerNotFound")
            const created = yield* store.record({ ...unknown, createCustomer: true })
            const found = yield* customers.findByIdentifier({ kind: "phone", value: "+15550100" })
            assert.strictEqual((yield* store.get(created.id)).action.customerId, found.id)
            // A second action for the same identifier finds the created customer.
            const again = yield* store.record({ ...unknown, createCustomer: true })
            assert.strictEqual((yield* store.get(again.id)).action.customerId, found.id)
          }),
          driver,
        ),
      )
    })

    describe("ActionStore.recordBatch", () => {
      it.effect("answers per item; valid items are written even when others are rejected", () =>
        withStore(
          Effect.gen(function* () {
            const store = yield* ActionStore
            const c = yield* newCustomer("ann@example.com")
            const results = yield* store.recordBatch([
              viewed(c.id, { transactionId: "t1" }),
              viewed(c.id, { payload: {} }),
              viewed(c.id, { transactionId: "t2" }),
              input({
                customer: { identifier: { kind: "email", value: "new@example.com" } },
                template: "CustomerSignedIn",
                payload: { method: "sso" },
                createCustomer: true,
              }),
            ])
            assert.deepStrictEqual(
              results.map((r) => r.status),
              ["recorded", "rejected", "recorded", "recorded"],
            )
            const rejected = results[1]!
            assert.isTrue(rejected.status === "rejected" && rejected.tag === "InvalidPayload")
            assert.deepStrictEqual(rejected.status === "rejected" ? rejected.path : [], [
              "payload",
              "product",
            ])
            assert.strictEqual(yield* countActions, 3)
          }),
          driver,
        ),
      )

      it.effect("the same batch twice gives one action per item", () =>
        withStore(
          Effect.gen(function* () {
            const store = yield* ActionStore
            const c = yield* newCustomer("ann@example.com")
            const batch = Array.from({ length: 50 }, (_, i) =>
              viewed(c.id, { transactionId: `tx-${i}` }),
            )
            const first = yield* store.recordBatch(batch)
            const second = yield* store.recordBatch(batch)
            assert.isTrue(first.every((r) => r.status === "recorded"))
            assert.isTrue(second.every((r) => r.status === "alreadyProcessed"))
            assert.deepStrictEqual(
              second.map((r) => (r.status === "rejected" ? "" : r.id)),
              first.map((r) => (r.status === "rejected" ? "" : r.id)),
            )
            assert.strictEqual(yield* countActions, 50)
          }),
          driver,
        ),
      )

      it.effect(
        "duplicates inside one batch: the first is recorded, later ones already processed",
        () =>
          withStore(
            Effect.gen(function* () {
              const store = yield* ActionStore
              const c = yield* newCustomer("ann@example.com")
              const rs = yield* store.recordBatch([
                viewed(c.id, { transactionId: "dup", payload: {} }), // rejected: does not claim the id
                viewed(c.id, { transactionId: "dup" }),
                viewed(c.id, { transactionId: "other" }),
                viewed(c.id, { transactionId: "dup" }),
              ])
              const ids = recordedIds(rs)
              assert.strictEqual(ids[0], "rejected:InvalidPayload")
              assert.isTrue(ids[1]!.startsWith("recorded:"))
              assert.strictEqual(ids[3], ids[1]!.replace("recorded", "alreadyProcessed"))
              assert.strictEqual(yield* countActions, 2)
            }),
            driver,
          ),
      )

      it.effect("transaction ids are unique forever, and a retry is never rejected", () =>
        withStore(
          Effect.gen(function* () {
            const store = yield* ActionStore
            const touchpoints = yield* Touchpoints
            const c = yield* newCustomer("ann@example.com")
            const tp = yield* touchpoints.create({
              externalId: "web",
              name: "Website",
              kind: "website",
              channelId: "ch_default" as Ids.ChannelId,
            })
            const first = yield* store.record(
              viewed(c.id, { transactionId: "once", touchpoint: { id: tp.id } }),
            )
            yield* TestClock.adjust("400 days")
            yield* touchpoints.remove(tp.id)
            const again = yield* store.record(
              viewed(c.id, { transactionId: "once", touchpoint: { id: tp.id } }),
            )
            assert.deepStrictEqual(again, { status: "alreadyProcessed", id: first.id })
            const fresh = yield* Effect.flip(
              store.record(viewed(c.id, { transactionId: "fresh", touchpoint: { id: tp.id } })),
            )
            assert.strictEqual(fresh["_tag"], "TouchpointDeleted")
          }),
          driver,
        ),
      )

      it.effect("the same transaction id in concurrent batches gives one action", () =>
        withStore(
          Effect.gen(function* () {
            const store = yield* ActionStore
            const c = yield* newCustomer("ann@example.com")
            const batch = (k: number) =>
              Array.from({ length: 20 }, (_, i) =>
                viewed(c.id, { transactionId: `shared-${i}`, brand: `b${k}` }),
              )
            const fibers = yield* Effect.forEach([1, 2, 3, 4], (k) =>
              Effect.forkChild(store.recordBatch(batch(k))),
            )
            const results = yield* Fiber.joinAll(fibers)
            const recorded = results.flat().filter((r) => r.status === "recorded")
            assert.strictEqual(recorded.length, 20)
            assert.strictEqual(yield* countActions, 20)
          }),
          driver,
        ),
      )

      it.effect("refuses more than 1,000 items as a whole", () =>
        withStore(
          Effect.gen(function* () {
            const store = yield* ActionStore
            const c = yield* newCustomer("ann@example.com")
            const err = yield* Effect.flip(
              store.recordBatch(Array.from({ length: 1001 }, () => viewed(c.id))),
            )
            assert.strictEqual(err["_tag"], "BatchTooLarge")
            const big = yield* Effect.flip(
              store.recordBatch([viewed(c.id)], { bytes: 2 * 1024 * 1024 }),
            )
            assert.strictEqual(big["_tag"], "BatchTooLarge")
            assert.strictEqual(yield* countActions, 0)
          }),
          driver,
        ),
      )
    })

    describe("brands", () => {
      it.effect("multi-brand rules, and past actions keep the default brand", () =>
        withStore(
          Effect.gen(function* () {
            const store = yield* ActionStore
            const settings = yield* Settings
            const touchpoints = yield* Touchpoints
            const brands = yield* Brands
            const templates = yield* Templates
            const c = yield* newCustomer("ann@example.com")
            const before = yield* store.record(viewed(c.id))
            yield* brands.create({ id: "acme" as Ids.BrandId, name: "Acme" })
            yield* brands.create({ id: "zeta" as Ids.BrandId, name: "Zeta" })
            const acmeShop = yield* touchpoints.create({
              externalId: "acme-web",
              name: "Acme web",
              kind: "website",
              channelId: "ch_default" as Ids.ChannelId,
              brandId: "acme" as Ids.BrandId,
            })
            // Single-brand: whatever is asked, the default brand.
            const single = yield* store.record(viewed(c.id, { brand: "zeta" }))
            assert.strictEqual((yield* store.get(single.id)).action.brandId, "default")

            yield* settings.update({ multiBrand: true })
            assert.strictEqual((yield* store.get(before.id)).action.brandId, "default")
            const required = yield* Effect.flip(store.record(viewed(c.id)))
            assert.strictEqual(required["_tag"], "BrandRequired")
            const implied = yield* store.record(viewed(c.id, { touchpoint: { id: acmeShop.id } }))
            assert.strictEqual((yield* store.get(implied.id)).action.brandId, "acme")
            const given = yield* store.record(viewed(c.id, { brand: "zeta" }))
            assert.strictEqual((yield* store.get(given.id)).action.brandId, "zeta")
            const conflict = yield* Effect.flip(
              store.record(viewed(c.id, { brand: "zeta", touchpoint: { id: acmeShop.id } })),
            )
            assert.strictEqual(conflict["_tag"], "BrandConflict")
            const unknown = yield* Effect.flip(store.record(viewed(c.id, { brand: "nope" })))
            assert.strictEqual(unknown["_tag"], "UnknownBrand")
            yield* templates.update("ProductViewed", { allowedBrands: ["acme" as Ids.BrandId] })
            const notAllowed = yield* Effect.flip(store.record(viewed(c.id, { brand: "zeta" })))
            assert.strictEqual(notAllowed["_tag"], "TemplateNotAllowedForBrand")
            const allowed = yield* store.record(viewed(c.id, { brand: "acme" }))
            assert.strictEqual(allowed.status, "recorded")
          }),
          driver,
        ),
      )
    })

    describe("producers", () => {
      it.effect("a caller's own write and the action commit or roll back together", () =>
        withStore(
          Effect.gen(function* () {
            const db = yield* Database
            const store = yield* ActionStore
            const c = yield* newCustomer("ann@example.com")
            yield* db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
            const addNote = (text: string, fail: boolean) =>
              db.transaction(
                Effect.gen(function* () {
                  yield* db.execute("INSERT INTO notes (text) VALUES (?)", [text])
                  const r = yield* store.record(
                    input({ customer: { id: c.id }, template: "NoteAdded", payload: { text } }),
                  )
                  if (fail) return yield* Effect.fail("after the action" as const)
                  return r
                }),
              )
            yield* addNote("kept", false)
            yield* Effect.exit(addNote("dropped", true))
            // A rejected action rolls back the caller's write too.
            yield* Effect.exit(
              db.transaction(
                Effect.andThen(
                  db.execute("INSERT INTO notes (text) VALUES ('also dropped')"),
                  store.record(
                    input({ customer: { id: c.id }, template: "NoteAdded", payload: {} }),
                  ),
                ),
              ),
            )
            const notes = yield* db.query<{ text: string }>("SELECT text FROM notes")
            assert.deepStrictEqual(
              notes.map((n) => n.text),
              ["kept"],
            )
            assert.strictEqual(yield* countActions, 1)
          }),
          driver,
        ),
      )
    })

    describe("registry cache across instances", () => {
      it.effect(
        "a change made through one store instance is seen by another on the same file",
        () =>
          Effect.gen(function* () {
            const t = storeLayer()
            yield* TestClock.setTime(T0)
            yield* Effect.scoped(
              Effect.gen(function* () {
                const a = yield* Layer.build(t.layer)
                const b = yield* Layer.build(Store.layer({ url: t.url, synchronous: "NORMAL" }))
                const storeA = Context.get(a, Store.ActionStore)
                const storeB = Context.get(b, Store.ActionStore)
                const c = yield* Context.get(a, Store.Customers).create({})
                const tp = yield* Context.get(a, Store.Touchpoints).create({
                  externalId: "pos",
                  name: "POS",
                  kind: "store",
                  channelId: "ch_default" as Ids.ChannelId,
                })
                assert.strictEqual(
                  (yield* storeB.record(viewed(c.id, { touchpoint: { id: tp.id } }))).status,
                  "recorded",
                )
                yield* Context.get(a, Store.Touchpoints).remove(tp.id)
                const err = yield* Effect.flip(
                  storeB.record(viewed(c.id, { touchpoint: { id: tp.id } })),
                )
                assert.strictEqual(err["_tag"], "TouchpointDeleted")
                void storeA
              }),
            ).pipe(Effect.ensuring(Effect.sync(t.cleanup)))
          }),
      )
    })

    describe("channels in details", () => {
      it.effect("an action's detail shows the channel path root → leaf", () =>
        withStore(
          Effect.gen(function* () {
            const store = yield* ActionStore
            const channels = yield* Channels
            const touchpoints = yield* Touchpoints
            const c = yield* newCustomer("ann@example.com")
            const offline = yield* channels.create({ externalId: "offline", name: "Offline" })
            const central = yield* channels.create({
              externalId: "central",
              name: "Central",
              parentId: offline.id,
            })
            const moscow = yield* channels.create({
              externalId: "moscow",
              name: "Moscow",
              parentId: central.id,
            })
            const shop = yield* touchpoints.create({
              externalId: "shop-1",
              name: "Shop 1",
              kind: "store",
              channelId: moscow.id,
            })
            const r = yield* store.record(viewed(c.id, { touchpoint: { externalId: "shop-1" } }))
            const d = yield* store.get(r.id)
            assert.deepStrictEqual(
              d.channelPath.map((x) => x.name),
              ["Offline", "Central", "Moscow"],
            )
            assert.strictEqual(d.touchpoint?.id, shop.id)
            const missing = yield* Effect.flip(store.get("0190a0a0-0000-7000-8000-000000000000"))
            assert.strictEqual(missing["_tag"], "ActionNotFound")
          }),
          driver,
        ),
      )
    })
  })
}
