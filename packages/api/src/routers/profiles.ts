import { Schema } from "effect"
import { Customer } from "@actionlog/domain"
import { Profiles } from "@actionlog/store"
import { audited } from "../Audit"
import { input } from "../schemas"
import { router, run } from "../trpc"
import { ActionEnvelope, actionContext, auditStaff, editCustomer } from "./producerShared"

// Profile edits and corrections are `customers.edit` (ProfileEdited / ProfileCorrected);
// these are the other profile producers.
export const profilesRouter = router({
  /**
   * Sets consent per messaging channel and brand; records `SubscriptionChanged` with the
   * entries that changed (none changed: nothing recorded).
   */
  setSubscriptions: editCustomer()
    .input(
      input(
        Schema.Struct({
          customer: Customer.CustomerRef,
          subscriptions: Schema.Array(Customer.Subscription).pipe(
            Schema.check(Schema.isMinLength(1), Schema.isMaxLength(200)),
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
          Profiles.use((p) =>
            p.setSubscriptions(
              input.customer,
              input.subscriptions,
              actionContext(ctx.caller, input),
            ),
          ),
          (r) =>
            r.actionId === undefined
              ? undefined
              : {
                  action: "profiles.setSubscriptions",
                  targetType: "customer",
                  targetId: r.profile.id,
                  changes: { changes: r.changes, actionId: r.actionId },
                },
        ),
      ),
    ),

  /**
   * Merges `merged` into `survivor`: one feed with both histories, identifiers moved over,
   * `CustomersMerged` recorded; later actions for the merged-away id land on the survivor.
   */
  merge: editCustomer()
    .input(
      input(
        Schema.Struct({
          survivor: Customer.CustomerRef,
          merged: Customer.CustomerRef,
          ...ActionEnvelope,
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        audited(
          Profiles.use((p) =>
            p.merge(input.survivor, input.merged, actionContext(ctx.caller, input)),
          ),
          (r) => ({
            action: "profiles.merge",
            targetType: "customer",
            targetId: r.survivor.id,
            changes: { mergedId: r.mergedId, movedActions: r.movedActions, actionId: r.actionId },
          }),
        ),
      ),
    ),
})
