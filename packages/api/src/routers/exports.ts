import { Effect, Schema } from "effect"
import { Ids, Time } from "@actionlog/domain"
import { Exports } from "@actionlog/store"
import { audited } from "../Audit"
import { input } from "../schemas"
import { procedure, router, run } from "../trpc"

// Exports carry personal data: API keys need `read`, staff the `export` permission.
const exporter = () => procedure.requires({ scope: "read", permission: "export" })

const List = <S extends Schema.Top>(s: S) =>
  Schema.optional(Schema.Array(s).pipe(Schema.check(Schema.isMaxLength(1000))))

/** `"<recordedAt>.<seq>"`: where the next page starts. */
const Cursor = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^\d{1,16}\.\d{1,16}$/, { expected: "a cursor from `next`" })),
)

export const exportsRouter = router({
  /** One customer's complete data (profile and every action): a data-access request. Audited. */
  customer: exporter()
    .input(input(Schema.Struct({ customerId: Ids.CustomerId })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        audited(
          Exports.use((e) => e.customer(input.customerId)),
          (r) => ({
            action: "exports.customer",
            targetType: "customer",
            targetId: input.customerId as string,
            changes: { actions: r.actions.length },
          }),
        ),
      ),
    ),

  /**
   * One page of every action recorded in `[since, till)` (time inputs: ISO 8601 or epoch ms),
   * in recorded order,
   * optionally by template, channel (with sub-channels) and brand. For large windows use the
   * streaming NDJSON endpoint `GET /export/actions` (docs/data.md).
   */
  actions: exporter()
    .input(
      input(
        Schema.Struct({
          since: Time.TimeInput,
          till: Time.TimeInput,
          templates: List(Ids.TemplateName),
          channels: List(Ids.ChannelId),
          brands: List(Ids.BrandId),
          cursor: Schema.optional(Cursor),
          limit: Schema.optional(
            Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 5000 }))),
          ),
        }),
      ),
    )
    .query(({ ctx, input }) =>
      run(
        ctx,
        Effect.gen(function* () {
          const [r, s] = input.cursor?.split(".").map(Number) ?? []
          const page = yield* Exports.use((e) =>
            e.actionsPage(
              {
                since: input.since,
                till: input.till,
                templates: input.templates,
                channels: input.channels,
                brands: input.brands,
              },
              r === undefined || s === undefined ? undefined : { recordedAt: r, seq: s },
              input.limit ?? 1000,
            ),
          )
          return {
            items: page.items,
            next: page.next === undefined ? null : `${page.next.recordedAt}.${page.next.seq}`,
          }
        }),
      ),
    ),
})
