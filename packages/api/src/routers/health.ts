import { Effect } from "effect"
import { Database } from "@actionlog/store"
import { procedure, router, run } from "../trpc"

export const healthRouter = router({
  /** Open to anyone: the database answers. (`GET /healthz` is the same check over plain HTTP.) */
  check: procedure
    .public()
    .query(({ ctx }) =>
      run(ctx, Database.use((db) => db.query("SELECT 1")).pipe(Effect.as({ ok: true as const }))),
    ),
})
