import { assert, describe, it } from "@effect/vitest"
import type { Ids } from "@actionlog/domain"
import { Effect } from "effect"
import {
  ActionStore,
  Brands,
  Channels,
  Customers,
  Settings,
  Templates,
  Touchpoints,
} from "../src/index"
import { input, withStore } from "./support"

for (const driver of ["native", "client"] as const) {
  describe(`with the ${driver} driver`, () => {
    describe("registries", () => {
      it.effect("brands: create, update, list, duplicates refused", () =>
        withStore(
          Effect.gen(function* () {
            const brands = yield* Brands
            yield* brands.create({ id: "acme" as Ids.BrandId, name: "Acme", industry: "retail" })
            const dup = yield* Effect.flip(
              brands.create({ id: "acme" as Ids.BrandId, name: "Again" }),
            )
            assert.strictEqual(dup["_tag"], "AlreadyExists")
            const updated = yield* brands.update("acme" as Ids.BrandId, { name: "Acme Inc." })
            assert.deepStrictEqual(updated, { id: "acme", name: "Acme Inc.", industry: "retail" })
            assert.deepStrictEqual(
              (yield* brands.list).map((b) => b.id),
              ["acme", "default"],
            )
            const missing = yield* Effect.flip(brands.update("nope" as Ids.BrandId, { name: "x" }))
            assert.strictEqual(missing["_tag"], "UnknownBrand")
          }),
          driver,
        ),
      )

      it.effect("channels: a tree, moves, and no cycles", () =>
        withStore(
          Effect.gen(function* () {
            const channels = yield* Channels
            const offline = yield* channels.create({ externalId: "offline", name: "Offline" })
            const region = yield* channels.create({
              externalId: "region",
              name: "Region",
              parentId: offline.id,
            })
            const city = yield* channels.create({
              externalId: "city",
              name: "City",
              parentId: region.id,
            })
            const online = yield* channels.create({ externalId: "online", name: "Online" })
            assert.deepStrictEqual(
              (yield* channels.path(city.id)).map((c) => c.name),
              ["Offline", "Region", "City"],
            )
            const cycle = yield* Effect.flip(channels.move(offline.id, city.id))
            assert.strictEqual(cycle["_tag"], "InvalidPayload")
            const self = yield* Effect.flip(channels.move(region.id, region.id))
            assert.strictEqual(self["_tag"], "InvalidPayload")
            yield* channels.move(region.id, online.id)
            assert.deepStrictEqual(
              (yield* channels.path(city.id)).map((c) => c.name),
              ["Online", "Region", "City"],
            )
            const root = yield* channels.move(region.id, null)
            assert.isUndefined(root.parentId)
            const dup = yield* Effect.flip(channels.create({ externalId: "city", name: "Again" }))
            assert.strictEqual(dup["_tag"], "AlreadyExists")
            const unknownParent = yield* Effect.flip(
              channels.create({ externalId: "x", name: "X", parentId: "ch_nope" as Ids.ChannelId }),
            )
            assert.strictEqual(unknownParent["_tag"], "UnknownChannel")
            const renamed = yield* channels.update(city.id, { name: "Big city" })
            assert.strictEqual(renamed.name, "Big city")
            assert.strictEqual((yield* channels.list).length, 5)
          }),
          driver,
        ),
      )

      it.effect("touchpoints: deleted ones stay on past actions but take no new ones", () =>
        withStore(
          Effect.gen(function* () {
            const touchpoints = yield* Touchpoints
            const store = yield* ActionStore
            const customers = yield* Customers
            const c = yield* customers.create({})
            const tp = yield* touchpoints.create({
              externalId: "app",
              name: "App",
              kind: "mobileApp",
              channelId: "ch_default" as Ids.ChannelId,
            })
            const dup = yield* Effect.flip(
              touchpoints.create({
                externalId: "app",
                name: "App 2",
                kind: "mobileApp",
                channelId: "ch_default" as Ids.ChannelId,
              }),
            )
            assert.strictEqual(dup["_tag"], "AlreadyExists")
            const badChannel = yield* Effect.flip(
              touchpoints.create({
                externalId: "x",
                name: "X",
                kind: "other",
                channelId: "ch_no" as Ids.ChannelId,
              }),
            )
            assert.strictEqual(badChannel["_tag"], "UnknownChannel")
            const badBrand = yield* Effect.flip(
              touchpoints.create({
                externalId: "x",
                name: "X",
                kind: "other",
                channelId: "ch_default" as Ids.ChannelId,
                brandId: "nope" as Ids.BrandId,
              }),
            )
            assert.strictEqual(badBrand["_tag"], "UnknownBrand")
            const signedIn = (extra = {}) =>
              input({
                customer: { id: c.id },
                template: "CustomerSignedIn",
                payload: { method: "password" },
                touchpoint: { externalId: "app" },
                ...extra,
              })
            const past = yield* store.record(signedIn())
            yield* touchpoints.remove(tp.id)
            const refused = yield* Effect.flip(store.record(signedIn()))
            assert.strictEqual(refused["_tag"], "TouchpointDeleted")
            const detail = yield* store.get(past.id)
            assert.strictEqual(detail.touchpoint?.name, "App")
            assert.isTrue(detail.touchpoint?.deleted)
            assert.isFalse((yield* touchpoints.list()).some((t) => t.id === tp.id))
            assert.isTrue(
              (yield* touchpoints.list({ includeDeleted: true })).some((t) => t.id === tp.id),
            )
            yield* touchpoints.restore(tp.id)
            assert.strictEqual((yield* store.record(signedIn())).status, "recorded")
            const renamed = yield* touchpoints.update(tp.id, { name: "Mobile app" })
            assert.strictEqual(renamed.name, "Mobile app")
            assert.strictEqual((yield* touchpoints.getByExternalId("app")).id, tp.id)
          }),
          driver,
        ),
      )

      it.effect(
        "settings: default touchpoint must exist and be live; none means TouchpointRequired",
        () =>
          withStore(
            Effect.gen(function* () {
              const settings = yield* Settings
              const touchpoints = yield* Touchpoints
              const store = yield* ActionStore
              const c = yield* Effect.flatMap(Effect.service(Customers), (s) => s.create({}))
              assert.deepStrictEqual<object>(yield* settings.get, {
                multiBrand: false,
                defaultBrandId: "default",
                defaultTouchpointId: "tp_api",
              })
              const unknown = yield* Effect.flip(
                settings.update({ defaultTouchpointId: "tp_x" as Ids.TouchpointId }),
              )
              assert.strictEqual(unknown["_tag"], "UnknownTouchpoint")
              const tp = yield* touchpoints.create({
                externalId: "old",
                name: "Old",
                kind: "other",
                channelId: "ch_default" as Ids.ChannelId,
              })
              yield* touchpoints.remove(tp.id)
              const deleted = yield* Effect.flip(settings.update({ defaultTouchpointId: tp.id }))
              assert.strictEqual(deleted["_tag"], "TouchpointDeleted")
              const badBrand = yield* Effect.flip(
                settings.update({ defaultBrandId: "nope" as Ids.BrandId }),
              )
              assert.strictEqual(badBrand["_tag"], "UnknownBrand")
              yield* settings.update({ defaultTouchpointId: null })
              const required = yield* Effect.flip(
                store.record(
                  input({
                    customer: { id: c.id },
                    template: "CustomerSignedIn",
                    payload: { method: "sso" },
                  }),
                ),
              )
              assert.strictEqual(required["_tag"], "TouchpointRequired")
            }),
            driver,
          ),
      )
    })

    describe("templates", () => {
      it.effect("lists built-ins, creates custom ones, refuses taken names", () =>
        withStore(
          Effect.gen(function* () {
            const templates = yield* Templates
            const all = yield* templates.list()
            assert.isTrue(all.some((t) => t.systemName === "OrderPlaced" && t.builtIn))
            const created = yield* templates.create({
              displayName: "Visited store #3",
              category: "personal",
              tags: ["offline"],
            })
            assert.strictEqual(created.systemName, "VisitedStore3")
            assert.isFalse(created.builtIn)
            assert.strictEqual(
              (yield* templates.get("VisitedStore3")).displayName,
              "Visited store #3",
            )
            const dup = yield* Effect.flip(
              templates.create({ displayName: "Visited store 3", category: "system" }),
            )
            assert.strictEqual(dup["_tag"], "TemplateAlreadyExists")
            const builtIn = yield* Effect.flip(
              templates.create({
                displayName: "x",
                systemName: "OrderPlaced" as Ids.TemplateName,
                category: "system",
              }),
            )
            assert.strictEqual(builtIn["_tag"], "TemplateAlreadyExists")
            const badBrand = yield* Effect.flip(
              templates.create({
                displayName: "Y",
                category: "system",
                allowedBrands: ["nope" as Ids.BrandId],
              }),
            )
            assert.strictEqual(badBrand["_tag"], "UnknownBrand")
            const system = yield* templates.list({ category: "system" })
            assert.isTrue(system.every((t) => t.category === "system"))
            const missing = yield* Effect.flip(templates.get("Nope"))
            assert.strictEqual(missing["_tag"], "UnknownTemplate")
          }),
          driver,
        ),
      )

      it.effect("custom fields are validated, external identities are unique per template", () =>
        withStore(
          Effect.gen(function* () {
            const templates = yield* Templates
            const store = yield* ActionStore
            const c = yield* Effect.flatMap(Effect.service(Customers), (s) => s.create({}))
            yield* templates.create({
              displayName: "Ticket bought",
              category: "personal",
              customFields: [
                { name: "seats", type: "integer", required: true },
                { name: "section", type: "enum", values: ["A", "B"], required: false },
                { name: "ticketNo", type: "externalIdentity", required: false },
              ],
            })
            const ticket = (customFields: Record<string, unknown>, extra = {}) =>
              input({
                customer: { id: c.id },
                template: "TicketBought",
                payload: { note: "anything goes in a custom payload" },
                customFields,
                ...extra,
              })
            const ok = yield* store.record(ticket({ seats: 2, section: "A", ticketNo: "T-1" }))
            const d = yield* store.get(ok.id)
            assert.deepStrictEqual(d.action.customFields, {
              seats: 2,
              section: "A",
              ticketNo: "T-1",
            })
            assert.strictEqual(d.action["_tag"], "CustomAction")
            const wrongType = yield* Effect.flip(store.record(ticket({ seats: "two" })))
            assert.isTrue(
              wrongType["_tag"] === "InvalidPayload" && wrongType.path[0] === "customFields",
            )
            const badEnum = yield* Effect.flip(store.record(ticket({ seats: 1, section: "Z" })))
            assert.strictEqual(badEnum["_tag"], "InvalidPayload")
            const missing = yield* Effect.flip(store.record(ticket({})))
            assert.strictEqual(missing["_tag"], "InvalidPayload")
            const unknownField = yield* Effect.flip(
              store.record(ticket({ seats: 1, color: "red" })),
            )
            assert.strictEqual(unknownField["_tag"], "InvalidPayload")
            const taken = yield* Effect.flip(store.record(ticket({ seats: 1, ticketNo: "T-1" })))
            assert.strictEqual(taken["_tag"], "ExternalIdentityTaken")
            const inBatch = yield* store.recordBatch([
              ticket({ seats: 1, ticketNo: "T-2" }),
              ticket({ seats: 1, ticketNo: "T-2" }),
              ticket({ seats: 1, ticketNo: "T-3" }),
            ])
            assert.deepStrictEqual(
              inBatch.map((r) => (r.status === "rejected" ? r.tag : r.status)),
              ["recorded", "ExternalIdentityTaken", "recorded"],
            )
          }),
          driver,
        ),
      )

      it.effect("evolution: a template in use only gains optional fields", () =>
        withStore(
          Effect.gen(function* () {
            const templates = yield* Templates
            const store = yield* ActionStore
            const c = yield* Effect.flatMap(Effect.service(Customers), (s) => s.create({}))
            yield* templates.create({
              displayName: "Survey answered",
              category: "personal",
              customFields: [{ name: "score", type: "integer", required: true }],
            })
            // Not in use yet: anything but the name and category may change.
            const retyped = yield* templates.update("SurveyAnswered", {
              customFields: [{ name: "score", type: "decimal", required: true }],
            })
            assert.strictEqual(retyped.version, 2)
            assert.isFalse(yield* templates.inUse("SurveyAnswered"))
            yield* store.record(
              input({
                customer: { id: c.id },
                template: "SurveyAnswered",
                customFields: { score: 4.5 },
              }),
            )
            assert.isTrue(yield* templates.inUse("SurveyAnswered"))
            const typeChange = yield* Effect.flip(
              templates.update("SurveyAnswered", {
                customFields: [{ name: "score", type: "string", required: true }],
              }),
            )
            assert.strictEqual(typeChange["_tag"], "TemplateEvolutionRejected")
            const required = yield* Effect.flip(
              templates.update("SurveyAnswered", {
                customFields: [
                  { name: "score", type: "decimal", required: true },
                  { name: "comment", type: "string", required: true },
                ],
              }),
            )
            assert.strictEqual(required["_tag"], "TemplateEvolutionRejected")
            const added = yield* templates.update("SurveyAnswered", {
              customFields: [
                { name: "score", type: "decimal", required: true },
                { name: "comment", type: "string", required: false },
              ],
              description: "NPS",
            })
            assert.strictEqual(added.customFields.length, 2)
            // The new field is enforced at once (the registry cache follows the change).
            const r = yield* store.record(
              input({
                customer: { id: c.id },
                template: "SurveyAnswered",
                customFields: { score: 3, comment: "ok" },
              }),
            )
            assert.strictEqual(r.status, "recorded")
            // Built-in templates can carry custom fields too.
            yield* templates.update("CustomerSignedIn", {
              customFields: [{ name: "device", type: "string", required: false }],
            })
            const signed = yield* store.record(
              input({
                customer: { id: c.id },
                template: "CustomerSignedIn",
                payload: { method: "password" },
                customFields: { device: "iPhone" },
              }),
            )
            assert.deepStrictEqual((yield* store.get(signed.id)).action.customFields, {
              device: "iPhone",
            })
            assert.isTrue((yield* templates.get("CustomerSignedIn")).builtIn)
          }),
          driver,
        ),
      )
    })
  })
}
