import { Effect, Schema } from "effect"
import { Ids } from "@actionlog/domain"
import { ApiKeys, Brands, TrackingStore } from "@actionlog/store"
import { audited } from "../Audit"
import { input } from "../schemas"
import { procedure, router, run } from "../trpc"

/** Settings of the Segment-compatible tracking API (docs/tracking.md). */
export const trackingRouter = router({
  /** The unknown-event policy and the brand of each write key. */
  settings: procedure.requires({ scope: "read", permission: "actions.view" }).query(({ ctx }) =>
    run(
      ctx,
      TrackingStore.use((t) =>
        Effect.gen(function* () {
          const settings = yield* t.settings
          return { ...settings, sources: yield* t.sources }
        }),
      ),
    ),
  ),

  /** `unknownEvents`: "createTemplate" (default) or "reject". */
  updateSettings: procedure
    .requires({ scope: "admin", permission: "settings.manage" })
    .input(input(Schema.Struct({ unknownEvents: Schema.Literals(["createTemplate", "reject"]) })))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Effect.gen(function* () {
          const tracking = yield* TrackingStore
          const before = yield* tracking.settings
          return yield* audited(tracking.updateSettings(input), (after) => ({
            action: "tracking.updateSettings",
            targetType: "settings",
            targetId: "tracking",
            changes: { before, after },
          }))
        }),
      ),
    ),

  /** The brand a write key's calls are recorded with (multi-brand projects); null clears it. */
  setSourceBrand: procedure
    .requires({ scope: "admin", permission: "apiKeys.manage" })
    .input(input(Schema.Struct({ apiKeyId: Schema.String, brandId: Schema.NullOr(Ids.BrandId) })))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Effect.gen(function* () {
          yield* ApiKeys.use((k) => k.get(input.apiKeyId))
          if (input.brandId !== null) {
            const brandId = input.brandId
            yield* Brands.use((b) => b.get(brandId))
          }
          yield* audited(
            TrackingStore.use((t) => t.setSourceBrand(input.apiKeyId, input.brandId)),
            () => ({
              action: "tracking.setSourceBrand",
              targetType: "apiKey",
              targetId: input.apiKeyId,
              changes: { brandId: input.brandId },
            }),
          )
          return { apiKeyId: input.apiKeyId, brandId: input.brandId }
        }),
      ),
    ),
})
