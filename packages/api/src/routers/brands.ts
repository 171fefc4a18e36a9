import { Effect, Schema } from "effect"
import { Ids } from "@actionlog/domain"
import { Brands } from "@actionlog/store"
import { audited, auditedUpdate } from "../Audit"
import { asNotFound } from "../errors"
import { input, Name } from "../schemas"
import { procedure, router, run } from "../trpc"

const read = () => procedure.requires({ scope: "read", permission: "actions.view" })
const manage = () => procedure.requires({ scope: "admin", permission: "settings.manage" })

const Industry = Schema.String.pipe(Schema.check(Schema.isMaxLength(200)))

export const brandsRouter = router({
  list: read().query(({ ctx }) =>
    run(
      ctx,
      Brands.use((b) => b.list),
    ),
  ),

  get: read()
    .input(input(Schema.Struct({ id: Ids.BrandId })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        Brands.use((b) => b.get(input.id).pipe(Effect.mapError(asNotFound))),
      ),
    ),

  /** `id` is the brand's system name. */
  create: manage()
    .input(
      input(Schema.Struct({ id: Ids.BrandId, name: Name, industry: Schema.optional(Industry) })),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Brands.use((b) =>
          audited(b.create(input), (after) => ({
            action: "brands.create",
            targetType: "brand",
            targetId: after.id as string,
            changes: { after },
          })),
        ),
      ),
    ),

  update: manage()
    .input(
      input(
        Schema.Struct({
          id: Ids.BrandId,
          name: Schema.optional(Name),
          industry: Schema.optional(Industry),
        }),
      ),
    )
    .mutation(({ ctx, input }) => {
      const { id, ...changes } = input
      return run(
        ctx,
        Brands.use((brands) =>
          auditedUpdate(
            brands.get(id).pipe(Effect.mapError(asNotFound)),
            brands.update(id, changes),
            (before, after) => ({
              action: "brands.update",
              targetType: "brand",
              targetId: id as string,
              changes: { before, after },
            }),
          ),
        ),
      )
    }),
})
