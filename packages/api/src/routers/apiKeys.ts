import { Effect, Schema } from "effect"
import { ApiKeys, Scope } from "@actionlog/store"
import { audited } from "../Audit"
import { Id, input, Name } from "../schemas"
import { procedure, RequestInfo, router, run } from "../trpc"

const manage = () => procedure.requires({ scope: "admin", permission: "apiKeys.manage" })

export const apiKeysRouter = router({
  /** Makes a key for another team's service. The key is in this answer only: store it now. */
  create: manage()
    .input(input(Schema.Struct({ name: Name, scopes: Schema.NonEmptyArray(Scope) })))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Effect.gen(function* () {
          const keys = yield* ApiKeys
          const { label } = yield* RequestInfo
          return yield* audited(
            keys.create({ name: input.name, scopes: input.scopes, createdBy: label }),
            (r) => ({
              action: "apiKeys.create",
              targetType: "apiKey",
              targetId: r.info.id,
              changes: { name: r.info.name, scopes: r.info.scopes },
            }),
          )
        }).pipe(Effect.map((r) => ({ key: r.key, apiKey: r.info }))),
      ),
    ),

  list: manage().query(({ ctx }) =>
    run(
      ctx,
      ApiKeys.use((keys) => keys.list),
    ),
  ),

  /** Stops the key at once, in every server process. */
  revoke: manage()
    .input(input(Schema.Struct({ id: Id })))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Effect.gen(function* () {
          const keys = yield* ApiKeys
          const { label } = yield* RequestInfo
          return yield* audited(keys.revoke(input.id, label), (info) => ({
            action: "apiKeys.revoke",
            targetType: "apiKey",
            targetId: info.id,
            changes: { revokedAt: info.revokedAt },
          }))
        }),
      ),
    ),
})
