import { Schema } from "effect"
import { Ids } from "@actionlog/domain"
import { Settings } from "@actionlog/store"
import { auditedUpdate } from "../Audit"
import { input } from "../schemas"
import { procedure, router, run } from "../trpc"

export const settingsRouter = router({
  /** Multi-brand on/off, the default brand and the default touchpoint. */
  get: procedure.requires({ scope: "read", permission: "actions.view" }).query(({ ctx }) =>
    run(
      ctx,
      Settings.use((s) => s.get),
    ),
  ),

  /** Turning multi-brand on leaves past actions in the default brand. */
  update: procedure
    .requires({ scope: "admin", permission: "settings.manage" })
    .input(
      input(
        Schema.Struct({
          multiBrand: Schema.optional(Schema.Boolean),
          defaultBrandId: Schema.optional(Ids.BrandId),
          defaultTouchpointId: Schema.optional(Schema.NullOr(Ids.TouchpointId)),
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Settings.use((settings) =>
          auditedUpdate(settings.get, settings.update(input), (before, after) => ({
            action: "settings.update",
            targetType: "settings",
            targetId: null,
            changes: { before, after },
          })),
        ),
      ),
    ),
})
