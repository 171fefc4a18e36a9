import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { failure, snapshot, startFixture, tagOf, type ProducerFixture } from "./setup"

let f: ProducerFixture
beforeAll(async () => {
  f = await startFixture()
})
afterAll(() => f.t.close())

const lines = [
  { lineId: "L1", productId: "shoe", quantity: 2, unitPrice: 40 },
  { lineId: "L2", productId: "sock", quantity: 3, unitPrice: 5, discount: 1 },
]

describe("orders", () => {
  it("creating an order stores it and records OrderPlaced with the snapshot, touchpoint and brand", async () => {
    const customerId = await f.newCustomer("order1@example.com")
    const created = await f.api.orders.create.mutate({
      orderId: "O-1",
      customer: { identifier: { kind: "email", value: "ORDER1@example.com" } },
      currency: "EUR",
      lines,
      shipping: 4.5,
      touchpoint: { externalId: "acme-web" },
    })
    expect(created.order).toMatchObject({
      orderId: "O-1",
      customerId,
      status: "placed",
      brandId: "acme",
    })
    expect(created.order.snapshot.totals).toEqual({
      subtotal: 94,
      discount: 0,
      shipping: 4.5,
      tax: 0,
      total: 98.5,
    })
    const [action] = await f.feed(customerId)
    expect(action).toMatchObject({
      id: created.actionId,
      template: "OrderPlaced",
      category: "personal",
      touchpointId: f.touchpointId,
      brandId: "acme",
      recordedBy: { kind: "apiKey" },
      payload: { order: created.order.snapshot },
    })
  })

  it("keeps the order's brand and touchpoint for later changes unless told otherwise", async () => {
    const customerId = await f.newCustomer("order0@example.com")
    await f.api.orders.create.mutate({
      orderId: "O-0",
      customer: { id: customerId as never },
      currency: "EUR",
      lines,
      touchpoint: { externalId: "api" },
      brand: "beta" as never,
    })
    const paid = await f.api.orders.changeStatus.mutate({ orderId: "O-0", status: "paid" })
    expect(paid.order).toMatchObject({ brandId: "beta", touchpointId: "tp_api" })
    await f.api.orders.changeStatus.mutate({
      orderId: "O-0",
      status: "confirmed",
      touchpoint: { externalId: "acme-web" },
    })
    const feed = await f.feed(customerId)
    expect(feed.map((a) => [a.template, a.brandId, a.touchpointId])).toEqual([
      ["OrderStatusChanged", "acme", f.touchpointId],
      ["OrderPaid", "beta", "tp_api"],
      ["OrderPlaced", "beta", "tp_api"],
    ])
    expect(feed[1]!.payload).toMatchObject({ payment: { method: "unknown", amount: 94 } })
  })

  it("walks the lifecycle: each change is one action with the snapshot as it was then", async () => {
    const customerId = await f.newCustomer("order2@example.com")
    await f.api.orders.create.mutate({
      orderId: "O-2",
      customer: { id: customerId as never },
      currency: "EUR",
      lines,
    })
    const paid = await f.api.orders.changeStatus.mutate({
      orderId: "O-2",
      status: "paid",
      payment: { method: "card", amount: 94 },
    })
    const shipped = await f.api.orders.changeStatus.mutate({ orderId: "O-2", status: "shipped" })
    const delivered = await f.api.orders.changeStatus.mutate({
      orderId: "O-2",
      status: "delivered",
    })
    const returned = await f.api.orders.changeStatus.mutate({
      orderId: "O-2",
      status: "returned",
      lineIds: ["L2"],
      reason: "too small",
    })
    expect(returned.order.status).toBe("delivered")
    expect(returned.order.snapshot.lines.map((l) => l.status)).toEqual(["delivered", "returned"])

    const feed = await f.feed(customerId)
    expect(feed.map((a) => [a.template, a.category])).toEqual([
      ["OrderReturned", "personal"],
      ["OrderStatusChanged", "system"],
      ["OrderStatusChanged", "system"],
      ["OrderPaid", "personal"],
      ["OrderPlaced", "personal"],
    ])
    expect(feed[0]!.payload).toMatchObject({
      lines: [{ lineId: "L2", quantity: 3 }],
      reason: "too small",
    })
    expect(feed[1]!.payload).toMatchObject({
      status: "delivered",
      previousStatus: "shipped",
      order: { status: "delivered" },
    })
    expect(feed[2]!.payload).toMatchObject({ status: "shipped", previousStatus: "paid" })
    expect(feed[3]!.payload).toMatchObject({
      payment: { method: "card", amount: 94 },
      order: { status: "paid" },
    })
    expect(
      new Set([paid.actionId, shipped.actionId, delivered.actionId, returned.actionId]).size,
    ).toBe(4)

    const history = await f.api.orders.history.query({ orderId: "O-2" })
    expect(history.map((h) => h.status)).toEqual([
      "placed",
      "paid",
      "shipped",
      "delivered",
      "delivered",
    ])
    expect(history.map((h) => h.actionId)).toEqual(feed.toReversed().map((a) => a.id))
    expect(history[1]!.snapshot.status).toBe("paid")

    const mine = await f.api.orders.listByCustomer.query({ customer: { id: customerId as never } })
    expect(mine.map((o) => o.orderId)).toEqual(["O-2"])
  })

  it("cancels single lines; the order follows when all are cancelled", async () => {
    const customerId = await f.newCustomer("order3@example.com")
    await f.api.orders.create.mutate({
      orderId: "O-3",
      customer: { id: customerId as never },
      currency: "EUR",
      lines,
    })
    const one = await f.api.orders.changeStatus.mutate({
      orderId: "O-3",
      status: "cancelled",
      lineIds: ["L1"],
    })
    expect(one.order.status).toBe("placed")
    expect(one.order.snapshot.totals.subtotal).toBe(14)
    const all = await f.api.orders.changeStatus.mutate({
      orderId: "O-3",
      status: "cancelled",
      lineIds: ["L2"],
    })
    expect(all.order.status).toBe("cancelled")
    const [last] = await f.feed(customerId)
    expect(last).toMatchObject({
      template: "OrderStatusChanged",
      category: "system",
      payload: { lineIds: ["L2"], status: "cancelled" },
    })
  })

  it("rejects illegal transitions, unknown orders and lines with typed errors, changing nothing", async () => {
    const customerId = await f.newCustomer("order4@example.com")
    await f.api.orders.create.mutate({
      orderId: "O-4",
      customer: { id: customerId as never },
      currency: "EUR",
      lines,
    })
    await f.api.orders.changeStatus.mutate({ orderId: "O-4", status: "cancelled" })
    const before = await snapshot(f.t.server)
    expect(
      await tagOf(f.api.orders.changeStatus.mutate({ orderId: "O-4", status: "shipped" })),
    ).toMatchObject({
      tag: "IllegalOrderTransition",
      status: 400,
    })
    expect(
      await tagOf(f.api.orders.changeStatus.mutate({ orderId: "nope", status: "paid" })),
    ).toMatchObject({
      tag: "OrderNotFound",
      status: 404,
    })
    expect(
      await tagOf(
        f.api.orders.create.mutate({
          orderId: "O-4",
          customer: { id: customerId as never },
          currency: "EUR",
          lines,
        }),
      ),
    ).toMatchObject({ tag: "OrderAlreadyExists", status: 409 })
    expect(
      await tagOf(
        f.api.orders.create.mutate({
          orderId: "O-5",
          customer: { id: "c_missing" as never },
          currency: "EUR",
          lines,
        }),
      ),
    ).toMatchObject({ tag: "CustomerNotFound" })
    expect(await snapshot(f.t.server)).toBe(before)
  })

  it("bad inputs get InputInvalid with the field path and change nothing", async () => {
    const customerId = await f.newCustomer("order-bad@example.com")
    const before = await snapshot(f.t.server)
    const base = { orderId: "O-bad", customer: { id: customerId as never }, currency: "EUR", lines }
    const bad = [
      [{ ...base, lines: [{ ...lines[0]!, quantity: 0 }] }, ["lines", 0, "quantity"]],
      [{ ...base, currency: "euro" }, ["currency"]],
      [{ ...base, lines: [] }, ["lines"]],
      [{ ...base, lines: [{ ...lines[0]!, unitPrice: -1 }] }, ["lines", 0, "unitPrice"]],
    ] as const
    for (const [input, path] of bad) {
      const e = await failure(f.api.orders.create.mutate(input as never))
      expect(e.data).toMatchObject({ tag: "InputInvalid", httpStatus: 400, fieldPath: path })
    }
    const dup = await failure(
      f.api.orders.create.mutate({ ...base, lines: [lines[0]!, { ...lines[1]!, lineId: "L1" }] }),
    )
    expect(dup.data).toMatchObject({ tag: "InvalidPayload", fieldPath: ["lines", 1, "lineId"] })
    const status = await failure(
      f.api.orders.changeStatus.mutate({ orderId: "O-1", status: "placed" as never }),
    )
    expect(status.data).toMatchObject({ tag: "InputInvalid", fieldPath: ["status"] })
    expect(await snapshot(f.t.server)).toBe(before)
  })

  it("is atomic: when the action cannot be recorded, the order change is not there either", async () => {
    const customerId = await f.newCustomer("order5@example.com")
    const before = await snapshot(f.t.server)
    expect(
      await tagOf(
        f.api.orders.create.mutate({
          orderId: "O-6",
          customer: { id: customerId as never },
          currency: "EUR",
          lines,
          touchpoint: { externalId: "no-such-touchpoint" },
        }),
      ),
    ).toMatchObject({ tag: "UnknownTouchpoint" })
    expect(await snapshot(f.t.server)).toBe(before)
    expect(await tagOf(f.api.orders.get.query({ orderId: "O-6" }))).toMatchObject({
      tag: "OrderNotFound",
    })

    await f.api.orders.create.mutate({
      orderId: "O-7",
      customer: { id: customerId as never },
      currency: "EUR",
      lines,
    })
    const mid = await snapshot(f.t.server)
    expect(
      await tagOf(
        f.api.orders.changeStatus.mutate({
          orderId: "O-7",
          status: "paid",
          touchpoint: { externalId: "no-such-touchpoint" },
        }),
      ),
    ).toMatchObject({ tag: "UnknownTouchpoint" })
    expect(await snapshot(f.t.server)).toBe(mid)
    expect((await f.api.orders.get.query({ orderId: "O-7" })).status).toBe("placed")
  })
})
