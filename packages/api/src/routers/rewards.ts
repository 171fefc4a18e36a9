import { Schema } from "effect"
import { Bonus, Customer, Order, Time } from "@actionlog/domain"
import { Rewards } from "@actionlog/store"
import { audited } from "../Audit"
import { input } from "../schemas"
import { procedure, router, run } from "../trpc"
import {
  ActionEnvelope,
  Text,
  actionContext,
  auditStaff,
  configureProducer,
  ingestProducer,
  readProducer,
} from "./producerShared"

const CustomerOnly = Schema.Struct({ customer: Customer.CustomerRef })

export const rewardsRouter = router({
  /** Issues a reward (`RewardIssued`, system). */
  issue: ingestProducer()
    .input(
      input(
        Schema.Struct({
          customer: Customer.CustomerRef,
          reward: Text(200),
          description: Schema.optional(Schema.String.pipe(Schema.check(Schema.isMaxLength(2000)))),
          amount: Schema.optional(Schema.Finite),
          ...ActionEnvelope,
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        auditStaff(
          ctx.caller,
          Rewards.use((r) => r.issueReward({ ...input, ...actionContext(ctx.caller, input) })),
          (r) => ({
            action: "rewards.issue",
            targetType: "customer",
            targetId: r.reward.customerId,
            changes: { reward: r.reward, actionId: r.actionId },
          }),
        ),
      ),
    ),

  list: readProducer()
    .input(input(CustomerOnly))
    .query(({ ctx, input }) =>
      run(
        ctx,
        Rewards.use((r) => r.rewardsOf(input.customer)),
      ),
    ),

  /**
   * Changes a bonus balance by `delta` (`BonusPointsChanged`, system, with the balance after);
   * refused when it would go below 0 and the kind does not allow that.
   */
  changeBonus: ingestProducer()
    .input(
      input(
        Schema.Struct({
          customer: Customer.CustomerRef,
          kind: Schema.optional(Bonus.BonusKindName),
          delta: Schema.Finite,
          reason: Text(200),
          orderId: Schema.optional(Order.OrderId),
          expiresAt: Schema.optional(Time.TimeInput),
          ...ActionEnvelope,
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        auditStaff(
          ctx.caller,
          Rewards.use((r) => r.changeBonus({ ...input, ...actionContext(ctx.caller, input) })),
          (r) => ({
            action: "rewards.changeBonus",
            targetType: "customer",
            targetId: null,
            changes: { change: r.change },
          }),
        ),
      ),
    ),

  balances: readProducer()
    .input(input(CustomerOnly))
    .query(({ ctx, input }) =>
      run(
        ctx,
        Rewards.use((r) => r.balances(input.customer)),
      ),
    ),

  bonusHistory: readProducer()
    .input(input(CustomerOnly))
    .query(({ ctx, input }) =>
      run(
        ctx,
        Rewards.use((r) => r.bonusHistory(input.customer)),
      ),
    ),

  /**
   * Takes away credits that expired (by `now`, default the server clock): one
   * `BonusPointsChanged` (reason `expired`) per customer and kind. Run it periodically.
   */
  expireCredits: procedure
    .requires({ scope: "admin", permission: "settings.manage" })
    .input(input(Schema.Struct({ now: Schema.optional(Time.TimeInput) })))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        audited(
          Rewards.use((r) => r.expireCredits(input.now)),
          (changes) => ({
            action: "rewards.expireCredits",
            targetType: "bonus",
            targetId: null,
            changes: { expired: changes.length },
          }),
        ),
      ),
    ),

  kinds: readProducer().query(({ ctx }) =>
    run(
      ctx,
      Rewards.use((r) => r.listKinds),
    ),
  ),

  defineKind: configureProducer()
    .input(input(Bonus.BonusKind))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        audited(
          Rewards.use((r) => r.defineKind(input)),
          (kind) => ({
            action: "rewards.defineKind",
            targetType: "bonusKind",
            targetId: kind.name,
            changes: { after: kind },
          }),
        ),
      ),
    ),
})
