/**
 * The order state machine (pure): which status changes are legal, for the whole order and
 * for single lines, which template records each change, and how totals are computed.
 *
 * | from \ to  | paid | confirmed | shipped | delivered | cancelled | returned |
 * |------------|------|-----------|---------|-----------|-----------|----------|
 * | placed     |  ✓   |     ✓     |         |           |     ✓     |          |
 * | paid       |      |     ✓     |    ✓    |           |     ✓     |          |
 * | confirmed  |  ✓   |           |    ✓    |           |     ✓     |          |
 * | shipped    |      |           |         |     ✓     |           |    ✓     |
 * | delivered  |      |           |         |           |           |    ✓     |
 * | cancelled  |      |           |         |           |           |          |
 * | returned   |      |           |         |           |           |          |
 *
 * `placed` is only ever the first status (creating the order). Lines follow the same table;
 * a line may not be `paid` on its own (payment is per order). An order-level change moves every
 * line that is not finished (cancelled / returned); a line-level change moves only the named
 * lines, and the order follows when every line is finished (all cancelled → cancelled; all
 * finished, some returned → returned).
 */
import { Result, Schema } from "effect"
import type { OrderLine, OrderSnapshot, OrderStatus, OrderTotals } from "./Order"

const transitions: { readonly [S in OrderStatus]: ReadonlyArray<OrderStatus> } = {
  placed: ["paid", "confirmed", "cancelled"],
  paid: ["confirmed", "shipped", "cancelled"],
  confirmed: ["paid", "shipped", "cancelled"],
  shipped: ["delivered", "returned"],
  delivered: ["returned"],
  cancelled: [],
  returned: [],
}

/** Statuses a change may target (`placed` is the creation itself). */
export const TargetStatus = Schema.Literals([
  "paid",
  "confirmed",
  "shipped",
  "delivered",
  "cancelled",
  "returned",
])
export type TargetStatus = typeof TargetStatus.Type

/** Statuses after which nothing can change. */
export const isFinished = (s: OrderStatus): boolean => s === "cancelled" || s === "returned"

/** The statuses reachable from `from` in one step. */
export const nextStatuses = (from: OrderStatus): ReadonlyArray<OrderStatus> => transitions[from]

export const canTransition = (from: OrderStatus, to: OrderStatus): boolean =>
  transitions[from].includes(to)

/** A status change the state machine does not allow (for the order or for one line). */
export class IllegalOrderTransition extends Schema.TaggedError<IllegalOrderTransition>()(
  "IllegalOrderTransition",
  {
    orderId: Schema.String,
    from: Schema.String,
    to: Schema.String,
    /** Set when a line's status blocks the change. */
    lineId: Schema.optionalKey(Schema.String),
  },
) {
  override get message(): string {
    const allowed = transitions[this.from as OrderStatus] ?? []
    const what =
      this.lineId === undefined
        ? `Order "${this.orderId}"`
        : `Line "${this.lineId}" of order "${this.orderId}"`
    return `${what} cannot go from "${this.from}" to "${this.to}" (allowed: ${allowed.length === 0 ? "none, it is finished" : allowed.join(", ")})`
  }
}

/** A line id named in a change that the order does not have (or is named twice). */
export class UnknownOrderLine extends Schema.TaggedError<UnknownOrderLine>()("UnknownOrderLine", {
  orderId: Schema.String,
  lineId: Schema.String,
  path: Schema.Array(Schema.Union([Schema.String, Schema.Number])),
}) {
  override get message(): string {
    return `Order "${this.orderId}" has no line "${this.lineId}" (or it is named twice)`
  }
}

/** Which built-in template records a change to `status` (SPEC §2: who performs it). */
export const templateFor = (
  status: OrderStatus,
): "OrderPlaced" | "OrderPaid" | "OrderReturned" | "OrderStatusChanged" =>
  status === "placed"
    ? "OrderPlaced"
    : status === "paid"
      ? "OrderPaid"
      : status === "returned"
        ? "OrderReturned"
        : "OrderStatusChanged"

/** Personal (the customer placed, paid, returned) or system (the shop did it). */
export const categoryFor = (status: OrderStatus): "personal" | "system" =>
  templateFor(status) === "OrderStatusChanged" ? "system" : "personal"

const round2 = (n: number) => Math.round(n * 100) / 100

/** A line's total: quantity × unit price − discount, never below 0, to the cent. */
export const lineTotal = (line: {
  readonly quantity: number
  readonly unitPrice: number
  readonly discount?: number | undefined
}): number => Math.max(0, round2(line.quantity * line.unitPrice - (line.discount ?? 0)))

/**
 * Order totals from its lines. Cancelled lines do not count; returned lines still count (the
 * money was paid; a refund is not a total change).
 */
export const computeTotals = (
  lines: ReadonlyArray<Pick<OrderLine, "total" | "status">>,
  extra: { readonly shipping?: number; readonly tax?: number; readonly discount?: number } = {},
): OrderTotals => {
  const subtotal = round2(
    lines.filter((l) => l.status !== "cancelled").reduce((sum, l) => sum + l.total, 0),
  )
  const discount = round2(Math.min(extra.discount ?? 0, subtotal))
  const shipping = round2(extra.shipping ?? 0)
  const tax = round2(extra.tax ?? 0)
  return { subtotal, discount, shipping, tax, total: round2(subtotal - discount + shipping + tax) }
}

/** The extra amounts of a snapshot (to recompute totals after lines change). */
const extrasOf = (o: OrderSnapshot) => ({
  shipping: o.totals.shipping,
  tax: o.totals.tax,
  discount: o.totals.discount,
})

/** The status an order derives from its lines after a line-level change. */
const derivedStatus = (current: OrderStatus, lines: ReadonlyArray<OrderLine>): OrderStatus => {
  if (lines.length === 0 || !lines.every((l) => isFinished(l.status))) return current
  return lines.every((l) => l.status === "cancelled") ? "cancelled" : "returned"
}

/**
 * Apply a status change to an order snapshot: the whole order (`lineIds` absent) or some lines.
 * Returns the new snapshot (totals recomputed) or why the change is illegal.
 */
export const applyTransition = (
  order: OrderSnapshot,
  to: TargetStatus,
  lineIds?: ReadonlyArray<string>,
): Result.Result<OrderSnapshot, IllegalOrderTransition | UnknownOrderLine> => {
  const illegal = (from: OrderStatus, lineId?: string) =>
    Result.fail(
      new IllegalOrderTransition({
        orderId: order.orderId,
        from,
        to,
        ...(lineId === undefined ? {} : { lineId }),
      }),
    )
  if (lineIds === undefined) {
    if (!canTransition(order.status, to)) return illegal(order.status)
    const lines = order.lines.map((l) =>
      isFinished(l.status) || !canTransition(l.status, to) ? l : { ...l, status: to },
    )
    return Result.succeed({
      ...order,
      status: to,
      lines,
      totals: computeTotals(lines, extrasOf(order)),
    })
  }
  if (to === "paid") return illegal(order.status)
  if (lineIds.length === 0) {
    return Result.fail(
      new UnknownOrderLine({ orderId: order.orderId, lineId: "", path: ["lineIds"] }),
    )
  }
  const wanted = new Set<string>()
  for (const [i, id] of lineIds.entries()) {
    if (wanted.has(id) || !order.lines.some((l) => l.lineId === id)) {
      return Result.fail(
        new UnknownOrderLine({ orderId: order.orderId, lineId: id, path: ["lineIds", i] }),
      )
    }
    wanted.add(id)
  }
  if (isFinished(order.status)) return illegal(order.status)
  const lines: Array<OrderLine> = []
  for (const l of order.lines) {
    if (!wanted.has(l.lineId)) {
      lines.push(l)
      continue
    }
    if (!canTransition(l.status, to)) return illegal(l.status, l.lineId)
    lines.push({ ...l, status: to })
  }
  return Result.succeed({
    ...order,
    status: derivedStatus(order.status, lines),
    lines,
    totals: computeTotals(lines, extrasOf(order)),
  })
}
