import { Effect, Schema } from "effect"
import { Errors } from "@actionlog/domain"
import { ApiKeys, Customers, StaffUsers } from "@actionlog/store"
import { Id, input } from "../schemas"
import { procedure, router, run } from "../trpc"

const Ids = Schema.optional(
  Schema.Array(Id).pipe(Schema.check(Schema.isMaxLength(Errors.MAX_NAME_LOOKUP))),
)

const toRecord = (rows: ReadonlyArray<{ readonly id: string; readonly name: string }>) =>
  Object.fromEntries(rows.map((r) => [r.id, r.name])) as Record<string, string>

export const namesRouter = router({
  /**
   * Display names for the ids shown on one page of a list — customers, staff users and API
   * keys (who recorded an action, who changed something) — in one request instead of one per
   * row. Ids not found (erased customers, deleted keys) are missing from the answer.
   */
  lookup: procedure
    .requires({ scope: "read", permission: "actions.view" })
    .input(
      input(
        Schema.Struct({
          customers: Ids,
          staff: Ids,
          apiKeys: Ids,
        }),
      ),
    )
    .query(({ ctx, input }) =>
      run(
        ctx,
        Effect.all(
          {
            customers: Customers.use((c) => c.names(input.customers ?? [])),
            staff: StaffUsers.use((s) => s.names(input.staff ?? [])),
            apiKeys: ApiKeys.use((k) => k.names(input.apiKeys ?? [])),
          },
          { concurrency: "unbounded" },
        ).pipe(
          Effect.map((r) => ({
            customers: toRecord(r.customers),
            staff: toRecord(r.staff),
            apiKeys: toRecord(r.apiKeys),
          })),
        ),
      ),
    ),
})
