import { Schema } from "effect"
import { Customer, Order, OrderLifecycle } from "@actionlog/domain"
import { Orders } from "@actionlog/store"
import { input } from "../schemas"
import { router, run } from "../trpc"
import {
  ActionEnvelope,
  Text,
  actionContext,
  auditStaff,
  ingestProducer,
  readProducer,
} from "./producerShared"

const Money = Schema.Finite.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))

const LineInput = Schema.Struct({
  lineId: Schema.optional(Text(200)),
  productId: Text(200),
  sku: Schema.optional(Text(200)),
  name: Schema.optional(Schema.String.pipe(Schema.check(Schema.isMaxLength(500)))),
  quantity: Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 1_000_000 }))),
  unitPrice: Money,
  discount: Schema.optional(Money),
})

export const ordersRouter = router({
  /** Creates an order (status `placed`) and records `OrderPlaced` with its snapshot. */
  create: ingestProducer()
    .input(
      input(
        Schema.Struct({
          orderId: Order.OrderId,
          customer: Customer.CustomerRef,
          currency: Order.Currency,
          lines: Schema.Array(LineInput).pipe(
            Schema.check(Schema.isMinLength(1), Schema.isMaxLength(500)),
          ),
          shipping: Schema.optional(Money),
          tax: Schema.optional(Money),
          discount: Schema.optional(Money),
          promoCodes: Schema.optional(
            Schema.Array(Text(200)).pipe(Schema.check(Schema.isMaxLength(20))),
          ),
          ...ActionEnvelope,
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        auditStaff(
          ctx.caller,
          Orders.use((o) => o.create({ ...input, ...actionContext(ctx.caller, input) })),
          (r) => ({
            action: "orders.create",
            targetType: "order",
            targetId: r.order.orderId,
            changes: { after: r.order.snapshot, actionId: r.actionId },
          }),
        ),
      ),
    ),

  /**
   * Moves the order (or only `lineIds`) to `status`, following the state machine in
   * docs/producers.md; records OrderPaid / OrderReturned / OrderStatusChanged with the snapshot.
   */
  changeStatus: ingestProducer()
    .input(
      input(
        Schema.Struct({
          orderId: Order.OrderId,
          status: OrderLifecycle.TargetStatus,
          lineIds: Schema.optional(
            Schema.Array(Text(200)).pipe(Schema.check(Schema.isMaxLength(500))),
          ),
          reason: Schema.optional(Schema.String.pipe(Schema.check(Schema.isMaxLength(2000)))),
          payment: Schema.optional(Schema.Struct({ method: Text(200), amount: Money })),
          ...ActionEnvelope,
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        auditStaff(
          ctx.caller,
          Orders.use((o) => o.changeStatus({ ...input, ...actionContext(ctx.caller, input) })),
          (r) => ({
            action: "orders.changeStatus",
            targetType: "order",
            targetId: r.order.orderId,
            changes: { status: input.status, lineIds: input.lineIds ?? null, actionId: r.actionId },
          }),
        ),
      ),
    ),

  get: readProducer()
    .input(input(Schema.Struct({ orderId: Order.OrderId })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        Orders.use((o) => o.get(input.orderId)),
      ),
    ),

  /** Every status change of the order, oldest first, with the snapshot as it was then. */
  history: readProducer()
    .input(input(Schema.Struct({ orderId: Order.OrderId })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        Orders.use((o) => o.history(input.orderId)),
      ),
    ),

  /** A customer's orders, newest first. */
  listByCustomer: readProducer()
    .input(
      input(
        Schema.Struct({
          customer: Customer.CustomerRef,
          limit: Schema.optional(
            Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 500 }))),
          ),
        }),
      ),
    )
    .query(({ ctx, input }) =>
      run(
        ctx,
        Orders.use((o) => o.listByCustomer(input.customer, { limit: input.limit })),
      ),
    ),
})
