import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { Bonus, OrderLifecycle, type Order } from "../src/index"

const line = (lineId: string, quantity: number, unitPrice: number): Order.OrderLine => ({
  lineId,
  productId: `p-${lineId}`,
  quantity,
  unitPrice,
  total: OrderLifecycle.lineTotal({ quantity, unitPrice }),
  status: "placed",
})

const order = (): Order.OrderSnapshot => {
  const lines = [line("1", 2, 10.5), line("2", 1, 30)]
  return {
    orderId: "A-1" as Order.OrderId,
    status: "placed",
    currency: "EUR",
    lines,
    totals: OrderLifecycle.computeTotals(lines, { shipping: 5 }),
  }
}

const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(`expected success, got ${String(r.failure)}`)
  return r.success
}
const err = <A, E>(r: Result.Result<A, E>): E => {
  if (Result.isSuccess(r)) throw new Error("expected failure")
  return r.failure
}

describe("order lifecycle", () => {
  it("computes totals from lines, shipping, tax and discount", () => {
    expect(order().totals).toEqual({ subtotal: 51, discount: 0, shipping: 5, tax: 0, total: 56 })
    expect(
      OrderLifecycle.computeTotals([{ total: 10, status: "placed" }], { discount: 20, tax: 1 }),
    ).toEqual({ subtotal: 10, discount: 10, shipping: 0, tax: 1, total: 1 })
  })

  it("walks a full lifecycle and moves the lines with the order", () => {
    let o = order()
    for (const s of ["paid", "confirmed", "shipped", "delivered", "returned"] as const) {
      o = ok(OrderLifecycle.applyTransition(o, s))
      expect(o.status).toBe(s)
      expect(o.lines.every((l) => l.status === s)).toBe(true)
    }
  })

  it("rejects every transition not in the table with a typed error", () => {
    const statuses = ["paid", "confirmed", "shipped", "delivered", "cancelled", "returned"] as const
    const pairs = (["placed", ...statuses] as const).flatMap((f) =>
      statuses.map((to) => [f, to] as const),
    )
    const outcome = pairs.map(([f, to]) => {
      const r = OrderLifecycle.applyTransition({ ...order(), status: f }, to)
      return Result.isSuccess(r) ? "ok" : r.failure._tag
    })
    const expected = pairs.map(([f, to]) =>
      OrderLifecycle.canTransition(f, to) ? "ok" : "IllegalOrderTransition",
    )
    expect(outcome).toEqual(expected)
    expect(expected.filter((x) => x === "ok")).toHaveLength(12)
    expect(
      err(OrderLifecycle.applyTransition({ ...order(), status: "delivered" }, "paid")).message,
    ).toBe('Order "A-1" cannot go from "delivered" to "paid" (allowed: returned)')
    expect(OrderLifecycle.nextStatuses("cancelled")).toEqual([])
  })

  it("changes single lines; the order follows when every line is finished", () => {
    const paid = ok(OrderLifecycle.applyTransition(order(), "paid"))
    const one = ok(OrderLifecycle.applyTransition(paid, "cancelled", ["1"]))
    expect(one.status).toBe("paid")
    expect(one.lines.map((l) => l.status)).toEqual(["cancelled", "paid"])
    expect(one.totals.subtotal).toBe(30)
    const both = ok(OrderLifecycle.applyTransition(one, "cancelled", ["2"]))
    expect(both.status).toBe("cancelled")
  })

  it("returns part of a delivered order, then the rest", () => {
    let o = order()
    for (const s of ["paid", "shipped", "delivered"] as const)
      o = ok(OrderLifecycle.applyTransition(o, s))
    o = ok(OrderLifecycle.applyTransition(o, "returned", ["2"]))
    expect(o.status).toBe("delivered")
    o = ok(OrderLifecycle.applyTransition(o, "returned", ["1"]))
    expect(o.status).toBe("returned")
  })

  it("rejects unknown or repeated lines, line payments and finished lines", () => {
    const o = order()
    expect(err(OrderLifecycle.applyTransition(o, "cancelled", ["9"]))).toMatchObject({
      _tag: "UnknownOrderLine",
      path: ["lineIds", 0],
    })
    expect(err(OrderLifecycle.applyTransition(o, "cancelled", ["1", "1"]))._tag).toBe(
      "UnknownOrderLine",
    )
    expect(err(OrderLifecycle.applyTransition(o, "paid", ["1"]))._tag).toBe(
      "IllegalOrderTransition",
    )
    const cancelled = ok(OrderLifecycle.applyTransition(o, "cancelled", ["1"]))
    expect(err(OrderLifecycle.applyTransition(cancelled, "shipped", ["1"]))).toMatchObject({
      _tag: "IllegalOrderTransition",
      lineId: "1",
    })
  })

  it("maps statuses to templates and categories as SPEC §2 says", () => {
    expect(OrderLifecycle.templateFor("placed")).toBe("OrderPlaced")
    expect(OrderLifecycle.templateFor("paid")).toBe("OrderPaid")
    expect(OrderLifecycle.templateFor("returned")).toBe("OrderReturned")
    for (const s of ["confirmed", "shipped", "delivered", "cancelled"] as const) {
      expect(OrderLifecycle.templateFor(s)).toBe("OrderStatusChanged")
      expect(OrderLifecycle.categoryFor(s)).toBe("system")
    }
    expect(OrderLifecycle.categoryFor("paid")).toBe("personal")
  })
})

describe("bonus balance", () => {
  const points = { name: "points", allowNegative: false }
  const credit = { name: "credit", allowNegative: true }

  it("never goes negative unless the kind allows it", () => {
    expect(ok(Bonus.applyBonusChange(10, -10, points))).toBe(0)
    expect(err(Bonus.applyBonusChange(10, -10.01, points))).toMatchObject({
      _tag: "InsufficientBonusBalance",
      balance: 10,
    })
    expect(ok(Bonus.applyBonusChange(0, -50, credit))).toBe(-50)
  })

  it("refuses a zero or non-finite delta", () => {
    expect(err(Bonus.applyBonusChange(1, 0, points))._tag).toBe("InvalidBonusChange")
    expect(err(Bonus.applyBonusChange(1, Number.NaN, points))._tag).toBe("InvalidBonusChange")
  })

  it("gives credits the kind's default expiry, debits none", () => {
    expect(Bonus.expiryFor(5, { defaultExpiryDays: 1 }, 1000)).toBe(1000 + 86_400_000)
    expect(Bonus.expiryFor(5, { defaultExpiryDays: 1 }, 1000, 42)).toBe(42)
    expect(Bonus.expiryFor(-5, { defaultExpiryDays: 1 }, 1000)).toBeUndefined()
    expect(Bonus.expiryFor(5, {}, 1000)).toBeUndefined()
  })
})
