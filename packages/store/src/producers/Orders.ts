/**
 * Orders (SPEC §5): an order's current snapshot and its history. Creating an order records
 * `OrderPlaced`; every status change (whole order or some lines, checked by the domain's
 * state machine) records its action with the snapshot as it was then — the change and its
 * action in ONE transaction.
 */
import {
  Customer,
  Errors,
  OrderLifecycle,
  ProducerErrors,
  type Ids,
  type Order,
} from "@actionlog/domain"
import { Clock, Context, Effect, Layer, Result } from "effect"
import { ActionStore, type RecordedAction } from "../ActionStore"
import { Customers } from "../Customers"
import { Database, type Row } from "../Database"
import type { DatabaseError } from "../DatabaseError"
import { num, optStr, str } from "../internal/rows"
import { guard } from "../internal/writeBatch"
import { envelope, recordOptions, tn, type ActionContext } from "./Shared"

export interface OrderLineInput {
  /** Absent → the line's position ("1", "2", …). */
  readonly lineId?: string | undefined
  readonly productId: string
  readonly sku?: string | undefined
  readonly name?: string | undefined
  readonly quantity: number
  readonly unitPrice: number
  readonly discount?: number | undefined
}

export interface CreateOrderInput extends ActionContext {
  readonly orderId: string
  readonly customer: Customer.CustomerRef
  readonly currency: string
  readonly lines: ReadonlyArray<OrderLineInput>
  readonly shipping?: number | undefined
  readonly tax?: number | undefined
  /** Order-level discount (line discounts go on the lines). */
  readonly discount?: number | undefined
  readonly promoCodes?: ReadonlyArray<string> | undefined
}

export interface ChangeOrderStatusInput extends ActionContext {
  readonly orderId: string
  readonly status: OrderLifecycle.TargetStatus
  /** Only these lines change (absent: the whole order). */
  readonly lineIds?: ReadonlyArray<string> | undefined
  readonly reason?: string | undefined
  /** For `paid`: how it was paid (default: the order total, method "unknown"). */
  readonly payment?: { readonly method: string; readonly amount: number } | undefined
}

export interface OrderView {
  readonly orderId: string
  readonly customerId: string
  readonly status: Order.OrderStatus
  readonly snapshot: Order.OrderSnapshot
  readonly brandId: string
  readonly touchpointId: string
  /** When it was recorded in actionlog. */
  readonly createdAt: number
  /** Event time of its first action (when the customer placed it); `createdAt` if none. */
  readonly placedAt: number
  readonly updatedAt: number
}

export interface OrderEvent {
  readonly actionId: string
  readonly template: string
  readonly status: Order.OrderStatus
  readonly previousStatus: Order.OrderStatus | null
  readonly lineIds: ReadonlyArray<string> | null
  readonly snapshot: Order.OrderSnapshot
  readonly occurredAt: number
}

export interface OrderChange {
  readonly order: OrderView
  readonly actionId: Ids.ActionId
}

export type OrderError =
  | ProducerErrors.OrderNotFound
  | ProducerErrors.OrderAlreadyExists
  | OrderLifecycle.IllegalOrderTransition
  | OrderLifecycle.UnknownOrderLine
  | Errors.CustomerNotFound
  | Errors.InvalidPayload
  | Errors.ActionRejection
  | DatabaseError

const rowToOrder = (r: Row): OrderView => ({
  orderId: str(r, "id"),
  customerId: str(r, "customer_id"),
  status: str(r, "status") as Order.OrderStatus,
  snapshot: JSON.parse(str(r, "snapshot")) as Order.OrderSnapshot,
  brandId: str(r, "brand_id"),
  touchpointId: str(r, "touchpoint_id"),
  createdAt: num(r, "created_at"),
  placedAt:
    r["placed_at"] === null || r["placed_at"] === undefined
      ? num(r, "created_at")
      : num(r, "placed_at"),
  updatedAt: num(r, "updated_at"),
})

const ORDER_COLUMNS =
  "id, customer_id, status, snapshot, brand_id, touchpoint_id, created_at, updated_at"
// What reads select: the columns plus the first event's time (order_events by order id).
const ORDER_READ_COLUMNS = `${ORDER_COLUMNS}, (SELECT min(occurred_at) FROM order_events e WHERE e.order_id = orders.id) AS placed_at`

export class Orders extends Context.Service<
  Orders,
  {
    readonly create: (input: CreateOrderInput) => Effect.Effect<OrderChange, OrderError>
    readonly changeStatus: (input: ChangeOrderStatusInput) => Effect.Effect<OrderChange, OrderError>
    readonly get: (
      orderId: string,
    ) => Effect.Effect<OrderView, ProducerErrors.OrderNotFound | DatabaseError>
    /** Status changes, oldest first, each with the snapshot as it was then. */
    readonly history: (
      orderId: string,
    ) => Effect.Effect<ReadonlyArray<OrderEvent>, ProducerErrors.OrderNotFound | DatabaseError>
    /** A customer's orders, newest first. */
    readonly listByCustomer: (
      customer: Customer.CustomerRef,
      options?: { readonly limit?: number | undefined },
    ) => Effect.Effect<ReadonlyArray<OrderView>, Errors.CustomerNotFound | DatabaseError>
  }
>()("@actionlog/store/Orders") {
  static readonly layer = Layer.effect(
    Orders,
    Effect.gen(function* () {
      const db = yield* Database
      const actions = yield* ActionStore
      const customers = yield* Customers

      const get = Effect.fn("Orders.get")(function* (orderId: string) {
        const [row] = yield* db.query(`SELECT ${ORDER_READ_COLUMNS} FROM orders WHERE id = ?`, [
          orderId,
        ])
        if (row === undefined) return yield* new ProducerErrors.OrderNotFound({ orderId })
        return rowToOrder(row)
      })

      /** Record the action of a change and its history row (inside the caller's transaction). */
      const recordChange = (
        customerId: string,
        template: string,
        payload: Record<string, unknown>,
        ctx: ActionContext,
        event: {
          orderId: string
          status: Order.OrderStatus
          previous: Order.OrderStatus | null
          lineIds: ReadonlyArray<string> | undefined
          snapshot: Order.OrderSnapshot
        },
      ) =>
        Effect.gen(function* () {
          const recorded = yield* actions.record(
            {
              customer: { id: customerId as Ids.CustomerId },
              template: tn(template),
              payload,
              ...envelope(ctx),
            },
            recordOptions(ctx),
          )
          const { action } = yield* actions
            .get(recorded.id)
            .pipe(Effect.catchTag("ActionNotFound", Effect.die))
          yield* db.execute(
            "INSERT INTO order_events (order_id, action_id, template, status, previous_status, line_ids, snapshot, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
              event.orderId,
              recorded.id,
              template,
              event.status,
              event.previous,
              event.lineIds === undefined ? null : JSON.stringify(event.lineIds),
              JSON.stringify(event.snapshot),
              action.occurredAt,
            ],
          )
          return { actionId: recorded.id, action }
        })

      const create = Effect.fn("Orders.create")(function* (input: CreateOrderInput) {
        const lines: Array<Order.OrderLine> = []
        const seen = new Set<string>()
        for (const [i, l] of input.lines.entries()) {
          const lineId = l.lineId ?? String(i + 1)
          if (seen.has(lineId)) {
            return yield* Errors.InvalidPayload.at(
              ["lines", i, "lineId"],
              `"${lineId}" is used twice`,
            )
          }
          seen.add(lineId)
          lines.push({
            lineId,
            productId: l.productId,
            ...(l.sku === undefined ? {} : { sku: l.sku }),
            ...(l.name === undefined ? {} : { name: l.name }),
            quantity: l.quantity,
            unitPrice: l.unitPrice,
            ...(l.discount === undefined ? {} : { discount: l.discount }),
            total: OrderLifecycle.lineTotal(l),
            status: "placed",
          })
        }
        if (lines.length === 0) {
          return yield* Errors.InvalidPayload.at(["lines"], "an order needs at least one line")
        }
        const snapshot: Order.OrderSnapshot = {
          orderId: input.orderId as Order.OrderId,
          status: "placed",
          currency: input.currency,
          lines,
          totals: OrderLifecycle.computeTotals(lines, {
            ...(input.shipping === undefined ? {} : { shipping: input.shipping }),
            ...(input.tax === undefined ? {} : { tax: input.tax }),
            ...(input.discount === undefined ? {} : { discount: input.discount }),
          }),
          ...(input.promoCodes === undefined || input.promoCodes.length === 0
            ? {}
            : { promoCodes: input.promoCodes }),
        }
        return yield* db.transaction(
          Effect.gen(function* () {
            const customer = yield* customers.resolve(input.customer)
            const exists = yield* db.query("SELECT 1 FROM orders WHERE id = ?", [input.orderId])
            if (exists.length > 0) {
              return yield* new ProducerErrors.OrderAlreadyExists({ orderId: input.orderId })
            }
            const now = yield* Clock.currentTimeMillis
            // Brand and touchpoint are filled from the recorded action right after.
            yield* db.execute(
              `INSERT INTO orders (${ORDER_COLUMNS}) VALUES (?, ?, 'placed', ?, '', '', ?, ?)`,
              [input.orderId, customer.id, JSON.stringify(snapshot), now, now],
            )
            const { actionId, action } = yield* recordChange(
              customer.id,
              "OrderPlaced",
              { order: snapshot },
              input,
              {
                orderId: input.orderId,
                status: "placed",
                previous: null,
                lineIds: undefined,
                snapshot,
              },
            )
            yield* db.execute("UPDATE orders SET brand_id = ?, touchpoint_id = ? WHERE id = ?", [
              action.brandId,
              action.touchpointId,
              input.orderId,
            ])
            const order = yield* get(input.orderId).pipe(
              Effect.catchTag("OrderNotFound", Effect.die),
            )
            return { order, actionId }
          }),
        )
      })

      const changeStatus = Effect.fn("Orders.changeStatus")(function* (
        input: ChangeOrderStatusInput,
      ) {
        // Read, decide, then write the change with its action in one go (ActionStore.recordWith):
        // three round trips on a remote database, run again if the order changed meanwhile.
        const { recorded, value } = yield* actions.recordWith(
          Effect.gen(function* () {
            const [row] = yield* db.query(`SELECT ${ORDER_READ_COLUMNS} FROM orders WHERE id = ?`, [
              input.orderId,
            ])
            if (row === undefined) {
              return yield* new ProducerErrors.OrderNotFound({ orderId: input.orderId })
            }
            const before = rowToOrder(row)
            const applied = OrderLifecycle.applyTransition(
              before.snapshot,
              input.status,
              input.lineIds,
            )
            if (Result.isFailure(applied)) return yield* applied.failure
            const after = applied.success
            const template = OrderLifecycle.templateFor(input.status)
            const reason = input.reason === undefined ? {} : { reason: input.reason }
            const payload: Record<string, unknown> =
              template === "OrderPaid"
                ? {
                    order: after,
                    payment: input.payment ?? { method: "unknown", amount: after.totals.total },
                  }
                : template === "OrderReturned"
                  ? {
                      order: after,
                      lines: (input.lineIds ?? []).map((lineId) => ({
                        lineId,
                        quantity:
                          before.snapshot.lines.find((l) => l.lineId === lineId)?.quantity ?? 1,
                      })),
                      ...reason,
                    }
                  : {
                      order: after,
                      status: input.status,
                      previousStatus: before.status,
                      ...(input.lineIds === undefined ? {} : { lineIds: input.lineIds }),
                      ...reason,
                    }
            const now = yield* Clock.currentTimeMillis
            // Later changes stay at the order's touchpoint and brand unless the caller names
            // a touchpoint (then its brand applies) or a brand.
            const ctx: ActionContext =
              input.touchpoint === undefined
                ? {
                    ...input,
                    touchpoint: { id: before.touchpointId as Ids.TouchpointId },
                    brand: input.brand ?? (before.brandId as Ids.BrandId),
                  }
                : input
            const snapshot = JSON.stringify(after)
            return {
              input: {
                customer: { id: before.customerId as Ids.CustomerId },
                template: tn(template),
                payload,
                ...envelope(ctx),
              },
              options: recordOptions(ctx),
              value: { before, after: JSON.parse(snapshot) as Order.OrderSnapshot, now },
              statements: (action: RecordedAction) => [
                // The order as it was read: a change committed since fails the write.
                guard(
                  "NOT EXISTS (SELECT 1 FROM orders WHERE id = ? AND status = ? AND snapshot = ?)",
                  [input.orderId, before.status, str(row, "snapshot")],
                ),
                {
                  sql: "UPDATE orders SET status = ?, snapshot = ?, updated_at = ? WHERE id = ?",
                  args: [after.status, snapshot, now, input.orderId],
                },
                {
                  sql: "INSERT INTO order_events (order_id, action_id, template, status, previous_status, line_ids, snapshot, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                  args: [
                    input.orderId,
                    action.id,
                    template,
                    after.status,
                    before.status,
                    input.lineIds === undefined ? null : JSON.stringify(input.lineIds),
                    snapshot,
                    action.occurredAt,
                  ],
                },
              ],
            }
          }),
        )
        const order: OrderView = {
          ...value.before,
          status: value.after.status,
          snapshot: value.after,
          updatedAt: value.now,
        }
        return { order, actionId: recorded.id }
      })

      const history = Effect.fn("Orders.history")(function* (orderId: string) {
        yield* get(orderId)
        const rows = yield* db.query(
          "SELECT action_id, template, status, previous_status, line_ids, snapshot, occurred_at FROM order_events WHERE order_id = ? ORDER BY seq",
          [orderId],
        )
        return rows.map((r): OrderEvent => ({
          actionId: str(r, "action_id"),
          template: str(r, "template"),
          status: str(r, "status") as Order.OrderStatus,
          previousStatus: (optStr(r, "previous_status") ?? null) as Order.OrderStatus | null,
          lineIds: r["line_ids"] == null ? null : (JSON.parse(str(r, "line_ids")) as Array<string>),
          snapshot: JSON.parse(str(r, "snapshot")) as Order.OrderSnapshot,
          occurredAt: num(r, "occurred_at"),
        }))
      })

      const listByCustomer = Effect.fn("Orders.listByCustomer")(function* (
        ref: Customer.CustomerRef,
        options?: { readonly limit?: number | undefined },
      ) {
        const customer = yield* customers.resolve(ref)
        const limit = Math.max(1, Math.min(500, options?.limit ?? 100))
        const rows = yield* db.query(
          `SELECT ${ORDER_READ_COLUMNS} FROM orders WHERE customer_id = ? ORDER BY placed_at DESC, created_at DESC, id DESC LIMIT ?`,
          [customer.id, limit],
        )
        return rows.map(rowToOrder)
      })

      return Orders.of({ create, changeStatus, get, history, listByCustomer })
    }),
  )
}
