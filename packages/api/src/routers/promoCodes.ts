import { Schema } from "effect"
import { Customer, Ids, Order, Time } from "@actionlog/domain"
import { PromoCodes } from "@actionlog/store"
import { audited } from "../Audit"
import { input } from "../schemas"
import { router, run } from "../trpc"
import {
  ActionEnvelope,
  Text,
  actionContext,
  auditStaff,
  configureProducer,
  ingestProducer,
  readProducer,
} from "./producerShared"

const Key = Text(200)
const Code = Text(200)

export const promoCodesRouter = router({
  createPool: configureProducer()
    .input(
      input(
        Schema.Struct({
          id: Schema.optional(Key),
          name: Key,
          description: Schema.optional(Schema.String.pipe(Schema.check(Schema.isMaxLength(2000)))),
          expiresAt: Schema.optional(Time.TimeInput),
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        audited(
          PromoCodes.use((p) => p.createPool(input)),
          (pool) => ({
            action: "promoCodes.createPool",
            targetType: "promoPool",
            targetId: pool.id,
            changes: { after: pool },
          }),
        ),
      ),
    ),

  listPools: readProducer().query(({ ctx }) =>
    run(
      ctx,
      PromoCodes.use((p) => p.listPools),
    ),
  ),

  /** A pool with its available / issued / redeemed counts. */
  pool: readProducer()
    .input(input(Schema.Struct({ id: Key })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        PromoCodes.use((p) => p.getPool(input.id)),
      ),
    ),

  /** Imports codes into a pool: all or nothing (an existing code refuses the import). */
  importCodes: configureProducer()
    .input(
      input(
        Schema.Struct({
          poolId: Key,
          codes: Schema.Array(Code).pipe(
            Schema.check(Schema.isMinLength(1), Schema.isMaxLength(10_000)),
          ),
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        audited(
          PromoCodes.use((p) => p.importCodes(input.poolId, input.codes)),
          (pool) => ({
            action: "promoCodes.importCodes",
            targetType: "promoPool",
            targetId: pool.id,
            changes: { imported: input.codes.length },
          }),
        ),
      ),
    ),

  /** Generates random codes (unambiguous letters and digits) into a pool. */
  generateCodes: configureProducer()
    .input(
      input(
        Schema.Struct({
          poolId: Key,
          count: Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 10_000 }))),
          prefix: Schema.optional(Schema.String.pipe(Schema.check(Schema.isMaxLength(20)))),
          length: Schema.optional(
            Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 6, maximum: 32 }))),
          ),
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        audited(
          PromoCodes.use((p) => p.generateCodes(input.poolId, input)),
          (pool) => ({
            action: "promoCodes.generateCodes",
            targetType: "promoPool",
            targetId: pool.id,
            changes: { generated: input.count },
          }),
        ),
      ),
    ),

  /** Issues the next available code of the pool to the customer (`PromoCodeIssued`). */
  issue: ingestProducer()
    .input(
      input(
        Schema.Struct({
          poolId: Key,
          customer: Customer.CustomerRef,
          transactionId: Schema.optional(Ids.TransactionId),
          ...ActionEnvelope,
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        auditStaff(
          ctx.caller,
          PromoCodes.use((p) => p.issue({ ...input, ...actionContext(ctx.caller, input) })),
          (r) => ({
            action: "promoCodes.issue",
            targetType: "customer",
            targetId: r.code.customerId,
            changes: { code: r.code.code, actionId: r.actionId },
          }),
        ),
      ),
    ),

  /** Redeems a code issued to the customer, optionally within an order (`PromoCodeRedeemed`). */
  redeem: ingestProducer()
    .input(
      input(
        Schema.Struct({
          code: Code,
          customer: Customer.CustomerRef,
          orderId: Schema.optional(Order.OrderId),
          ...ActionEnvelope,
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        auditStaff(
          ctx.caller,
          PromoCodes.use((p) => p.redeem({ ...input, ...actionContext(ctx.caller, input) })),
          (r) => ({
            action: "promoCodes.redeem",
            targetType: "customer",
            targetId: r.code.customerId,
            changes: { code: r.code.code, orderId: input.orderId ?? null, actionId: r.actionId },
          }),
        ),
      ),
    ),

  code: readProducer()
    .input(input(Schema.Struct({ code: Code })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        PromoCodes.use((p) => p.getCode(input.code)),
      ),
    ),

  /** Codes issued to a customer. */
  ofCustomer: readProducer()
    .input(input(Schema.Struct({ customer: Customer.CustomerRef })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        PromoCodes.use((p) => p.codesOfCustomer(input.customer)),
      ),
    ),
})
