import { Schema } from "effect"
import { Segment } from "@actionlog/domain"
import { Segments } from "@actionlog/store"
import { input } from "../schemas"
import { procedure, router, run } from "../trpc"

const read = () => procedure.requires({ scope: "read", permission: "actions.view" })

export const segmentsRouter = router({
  /** How many customers match the segment definition now. */
  count: read()
    .input(input(Schema.Struct({ segment: Segment.Segment })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        Segments.use((s) => s.count(input.segment)),
      ),
    ),

  /** The matching customers by id; pass `next` as `after` for the next page. */
  list: read()
    .input(
      input(
        Schema.Struct({
          segment: Segment.Segment,
          after: Schema.optional(Schema.String.pipe(Schema.check(Schema.isMaxLength(200)))),
          limit: Schema.optional(
            Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 1000 }))),
          ),
        }),
      ),
    )
    .query(({ ctx, input }) =>
      run(
        ctx,
        Segments.use((s) => s.list(input.segment, { after: input.after, limit: input.limit })),
      ),
    ),
})
