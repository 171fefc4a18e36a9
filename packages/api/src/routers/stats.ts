import { Schema } from "effect"
import { Ids, Time } from "@actionlog/domain"
import { Statistics } from "@actionlog/store"
import { input } from "../schemas"
import { procedure, router, run } from "../trpc"

export const statsRouter = router({
  /**
   * Actions per day (or hour, UTC) by template, category, channel or brand over an event-time
   * range `[from, to)` (epoch ms): `buckets` and one aligned `counts` series per key.
   */
  actionsPerDay: procedure
    .requires({ scope: "read", permission: "actions.view" })
    .input(
      input(
        Schema.Struct({
          by: Schema.Literals(["template", "category", "channel", "brand"]),
          bucket: Schema.optional(Schema.Literals(["day", "hour"])),
          from: Time.TimeInput,
          to: Time.TimeInput,
          templates: Schema.optional(
            Schema.Array(Ids.TemplateName).pipe(Schema.check(Schema.isMaxLength(1000))),
          ),
        }),
      ),
    )
    .query(({ ctx, input }) =>
      run(
        ctx,
        Statistics.use((s) => s.actionsPerDay(input)),
      ),
    ),
})
