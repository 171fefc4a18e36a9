import { describe, expect, it } from "vitest"
import { Action, Catalog, Describe, Errors, Validation } from "../src/index"
import { failureOf, successOf } from "./util"

type Case = { readonly payload: unknown; readonly path: ReadonlyArray<string | number> }

const msg = { campaignId: "c", messageId: "m", channel: "email" }
const order = Catalog.getBuiltInTemplate("OrderPlaced")!.example["order"] as Record<string, unknown>

// Keyed by every built-in system name: forgetting a template is a compile error.
const invalid: { readonly [K in Action.BuiltInTemplateName]: ReadonlyArray<Case> } = {
  ProductViewed: [
    { payload: {}, path: ["payload", "product"] },
    { payload: { product: { productId: "" } }, path: ["payload", "product", "productId"] },
    { payload: { product: { productId: "p", price: -1 } }, path: ["payload", "product", "price"] },
  ],
  CategoryViewed: [{ payload: { categoryId: 7 }, path: ["payload", "categoryId"] }],
  ProductListChanged: [
    { payload: { list: "basket", op: "add", items: [] }, path: ["payload", "list"] },
    { payload: { list: "cart", op: "add", items: [] }, path: ["payload", "items"] },
    {
      payload: { list: "cart", op: "clear", items: [{ productId: "p", quantity: 1 }] },
      path: ["payload", "items"],
    },
    {
      payload: { list: "cart", op: "set", items: [{ productId: "p", quantity: 1.5 }] },
      path: ["payload", "items", 0, "quantity"],
    },
  ],
  CustomerRegistered: [
    {
      payload: { method: "email", identifiers: [{ kind: "1bad", value: "x" }] },
      path: ["payload", "identifiers", 0, "kind"],
    },
  ],
  CustomerSignedIn: [{ payload: { method: "telepathy" }, path: ["payload", "method"] }],
  OrderPlaced: [
    { payload: {}, path: ["payload", "order"] },
    { payload: { order: { ...order, currency: "euro" } }, path: ["payload", "order", "currency"] },
    {
      payload: { order: { ...order, lines: [{ lineId: "1" }] } },
      path: ["payload", "order", "lines", 0, "productId"],
    },
    {
      payload: { order: { ...order, totals: { ...(order["totals"] as object), total: "84" } } },
      path: ["payload", "order", "totals", "total"],
    },
  ],
  OrderPaid: [{ payload: { order }, path: ["payload", "payment"] }],
  OrderReturned: [
    {
      payload: { order, lines: [{ lineId: "1", quantity: 0 }] },
      path: ["payload", "lines", 0, "quantity"],
    },
  ],
  MessageOpened: [
    { payload: { message: { ...msg, channel: "fax" } }, path: ["payload", "message", "channel"] },
  ],
  MessageClicked: [{ payload: { message: msg }, path: ["payload", "url"] }],
  UnsubscribeRequested: [{ payload: { channel: "pigeon" }, path: ["payload", "channel"] }],
  ProfileEdited: [
    { payload: { changes: [] }, path: ["payload", "changes"] },
    {
      payload: { changes: [{ field: "", before: 1, after: 2 }] },
      path: ["payload", "changes", 0, "field"],
    },
  ],
  SubscriptionChanged: [
    {
      payload: { changes: [{ channel: "sms", brandId: "b", subscribed: "yes" }] },
      path: ["payload", "changes", 0, "subscribed"],
    },
  ],
  PromoCodeRedeemed: [{ payload: { poolId: "p" }, path: ["payload", "code"] }],
  OrderStatusChanged: [
    {
      payload: { order, status: "placed", previousStatus: "paid" },
      path: ["payload", "status"],
    },
  ],
  MessageSent: [
    { payload: { message: { ...msg, messageId: "" } }, path: ["payload", "message", "messageId"] },
  ],
  MessageDelivered: [{ payload: {}, path: ["payload", "message"] }],
  MessageDeliveryFailed: [
    { payload: { message: msg, reason: "gremlins" }, path: ["payload", "reason"] },
  ],
  MessageNotSent: [{ payload: { message: msg }, path: ["payload", "reason"] }],
  PromoCodeIssued: [
    { payload: { code: "X", poolId: "p", expiresAt: -5 }, path: ["payload", "expiresAt"] },
  ],
  RewardIssued: [{ payload: { reward: "r", amount: Number.NaN }, path: ["payload", "amount"] }],
  BonusPointsChanged: [{ payload: { delta: 1 }, path: ["payload", "reason"] }],
  ProfileCorrected: [{ payload: { changes: [], reason: "x" }, path: ["payload", "changes"] }],
  NoteAdded: [
    { payload: { text: "" }, path: ["payload", "text"] },
    { payload: { text: "x".repeat(10_001) }, path: ["payload", "text"] },
  ],
  TagAdded: [{ payload: { tag: "" }, path: ["payload", "tag"] }],
  TagRemoved: [{ payload: { tag: 5 }, path: ["payload", "tag"] }],
  CustomersMerged: [{ payload: { mergedIdentifiers: [] }, path: ["payload", "mergedId"] }],
  CustomerImported: [{ payload: { source: "" }, path: ["payload", "source"] }],
}

describe("Catalog", () => {
  it("lists every built-in action class exactly once, personal and system", () => {
    const all = Catalog.listBuiltInTemplates()
    expect(all.map((t) => t.definition.systemName)).toEqual(
      Action.builtInActions.map((c) => c.identifier),
    )
    expect(new Set(all.map((t) => t.definition.systemName)).size).toBe(28)
    expect(all.filter((t) => t.definition.category === "personal")).toHaveLength(14)
    for (const t of all) {
      expect(t.definition.builtIn).toBe(true)
      expect(t.definition.displayName.length).toBeGreaterThan(0)
      expect(t.definition.description.length).toBeGreaterThan(0)
      expect(Catalog.getBuiltInTemplate(t.definition.systemName)).toBe(t)
      expect(Catalog.isBuiltIn(t.definition.systemName)).toBe(true)
    }
    expect(Catalog.getBuiltInTemplate("NoSuchTemplate")).toBeUndefined()
    expect(Catalog.getBuiltInTemplate("CustomAction")).toBeUndefined()
  })

  it("categories match the action classes", () => {
    for (const t of Catalog.listBuiltInTemplates()) {
      const expected = (Action.personalActions as ReadonlyArray<unknown>).includes(t.action)
        ? "personal"
        : "system"
      expect(t.definition.category).toBe(expected)
    }
  })

  describe.each(Catalog.listBuiltInTemplates().map((t) => [t.definition.systemName, t] as const))(
    "%s",
    (name, t) => {
      it("accepts its example payload", () => {
        const r = successOf(Validation.validatePayload(t.definition, t.example, {}))
        expect(r.payload).toEqual(t.example)
      })

      it("rejects unknown payload fields", () => {
        const e = failureOf(
          Validation.validatePayload(t.definition, { ...t.example, bogus: 1 }, {}),
        )
        expect(e).toBeInstanceOf(Errors.InvalidPayload)
        expect(e).toMatchObject({ path: ["payload", "bogus"], field: "payload.bogus" })
      })

      const cases = invalid[name as Action.BuiltInTemplateName]
      it.each(cases.map((c) => [c.path.join("."), c] as const))("rejects bad %s", (_, c) => {
        const e = failureOf(Validation.validatePayload(t.definition, c.payload, {}))
        expect(e).toBeInstanceOf(Errors.InvalidPayload)
        expect(e).toMatchObject({ path: c.path })
        expect(e.message.length).toBeGreaterThan(0)
      })
    },
  )
})

describe("describeAction", () => {
  it("describes every built-in example in one line", () => {
    const lines = Catalog.listBuiltInTemplates().map((t) =>
      Describe.describeAction({ template: t.definition.systemName, payload: t.example }),
    )
    for (const l of lines) {
      expect(l.length).toBeGreaterThan(5)
      expect(l).not.toContain("undefined")
      expect(l).not.toContain("\n")
    }
    expect(new Set(lines).size).toBe(lines.length)
    expect(lines[5]).toBe("Placed order A-1001 · 84.7 EUR")
  })

  it("falls back for custom templates and malformed payloads", () => {
    expect(
      Describe.describeAction({
        template: "StoreVisit",
        payload: { store: "Berlin", n: 2, o: {} },
      }),
    ).toBe("StoreVisit · store: Berlin, n: 2")
    expect(Describe.describeAction({ template: "StoreVisit", payload: {} })).toBe("StoreVisit")
    expect(Describe.describeAction({ template: "OrderPlaced", payload: { x: 1 } })).toBe(
      "OrderPlaced · x: 1",
    )
  })
})
