import { Effect, Schema } from "effect"
import { Ids } from "@actionlog/domain"
import { Erasure } from "@actionlog/store"
import { audited } from "../Audit"
import { input } from "../schemas"
import { procedure, router, run } from "../trpc"

export const erasureRouter = router({
  /**
   * Erases a customer: profile, identifiers and every action, from every table (SPEC §7). The
   * id and identifiers go on the suppression list (hashed) so late events are rejected with
   * `CustomerSuppressed`. Audited without personal data (the target is the id's hash).
   * Idempotent: erasing an erased customer answers `alreadyErased: true`.
   */
  erase: procedure
    .requires({ scope: "admin", permission: "erase" })
    .input(input(Schema.Struct({ customerId: Ids.CustomerId })))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Effect.gen(function* () {
          const erasure = yield* Erasure
          const result = yield* audited(erasure.erase(input.customerId), (r) => ({
            action: "customers.erase",
            targetType: "customer",
            targetId: r.customerHash,
            changes: {
              alreadyErased: r.alreadyErased,
              actions: r.actions,
              identifiers: r.identifiers,
              deleted: r.deleted,
              redactedAuditEntries: r.redactedAuditEntries,
            },
          }))
          yield* erasure.checkpoint
          return result
        }),
      ),
    ),
})
