import { Schema } from "effect"
import { AuditLog } from "@actionlog/store"
import { input, Limit } from "../schemas"
import { procedure, router, run } from "../trpc"

const Filter = Schema.optional(
  Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(200))),
)

export const auditRouter = router({
  /** Newest first; pass `next` from one page as `before` for the next. */
  list: procedure
    .requires({ scope: "admin", permission: "audit.view" })
    .input(
      input(
        Schema.Struct({
          limit: Limit(200, 50),
          before: Schema.optional(Schema.Int),
          targetType: Filter,
          targetId: Filter,
          actorId: Filter,
          action: Filter,
        }),
      ),
    )
    .query(({ ctx, input }) =>
      run(
        ctx,
        AuditLog.use((log) => log.list(input)),
      ),
    ),
})
