import { Effect, Schema } from "effect"
import { Ids, Registry } from "@actionlog/domain"
import { Touchpoints } from "@actionlog/store"
import { audited, auditedUpdate } from "../Audit"
import { asNotFound } from "../errors"
import { input, Name } from "../schemas"
import { procedure, router, run } from "../trpc"

const read = () => procedure.requires({ scope: "read", permission: "actions.view" })
const manage = () => procedure.requires({ scope: "admin", permission: "touchpoints.manage" })

const ExternalId = Name

const changed = (action: string) => (after: Registry.Touchpoint) => ({
  action,
  targetType: "touchpoint",
  targetId: after.id as string,
  changes: { after },
})

const byId = input(Schema.Struct({ id: Ids.TouchpointId }))

export const touchpointsRouter = router({
  list: read()
    .input(input(Schema.Struct({ includeDeleted: Schema.optional(Schema.Boolean) })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        Touchpoints.use((t) => t.list({ includeDeleted: input.includeDeleted })),
      ),
    ),

  get: read()
    .input(byId)
    .query(({ ctx, input }) =>
      run(
        ctx,
        Touchpoints.use((t) => t.get(input.id).pipe(Effect.mapError(asNotFound))),
      ),
    ),

  create: manage()
    .input(
      input(
        Schema.Struct({
          externalId: ExternalId,
          name: Name,
          kind: Registry.TouchpointKind,
          channelId: Ids.ChannelId,
          brandId: Schema.optional(Ids.BrandId),
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Touchpoints.use((t) => audited(t.create(input), changed("touchpoints.create"))),
      ),
    ),

  /** Rename, re-key, move to another channel, change or remove (`null`) the brand. */
  update: manage()
    .input(
      input(
        Schema.Struct({
          id: Ids.TouchpointId,
          externalId: Schema.optional(ExternalId),
          name: Schema.optional(Name),
          kind: Schema.optional(Registry.TouchpointKind),
          channelId: Schema.optional(Ids.ChannelId),
          brandId: Schema.optional(Schema.NullOr(Ids.BrandId)),
        }),
      ),
    )
    .mutation(({ ctx, input }) => {
      const { id, ...changes } = input
      return run(
        ctx,
        Touchpoints.use((touchpoints) =>
          auditedUpdate(
            touchpoints.get(id).pipe(Effect.mapError(asNotFound)),
            touchpoints.update(id, changes),
            (before, after) => ({
              action: "touchpoints.update",
              targetType: "touchpoint",
              targetId: id as string,
              changes: { before, after },
            }),
          ),
        ),
      )
    }),

  /** Soft delete: past actions keep it, new actions cannot use it. */
  remove: manage()
    .input(byId)
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Touchpoints.use((t) =>
          audited(
            t.remove(input.id).pipe(Effect.mapError(asNotFound)),
            changed("touchpoints.remove"),
          ),
        ),
      ),
    ),

  restore: manage()
    .input(byId)
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Touchpoints.use((t) =>
          audited(
            t.restore(input.id).pipe(Effect.mapError(asNotFound)),
            changed("touchpoints.restore"),
          ),
        ),
      ),
    ),
})
