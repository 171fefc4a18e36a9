import { tracked } from "@trpc/server"
import { Effect, Schema } from "effect"
import { Customer, Ids } from "@actionlog/domain"
import { Customers, LiveActions, type StoredAction } from "@actionlog/store"
import { input } from "../schemas"
import { procedure, router, run } from "../trpc"

/** What a live subscriber receives: `ready` once it is listening, then each new action. */
export type LiveMessage =
  { readonly type: "ready" } | { readonly type: "action"; readonly action: StoredAction }

const PAGE = 500

export const liveRouter = router({
  /**
   * New actions of one customer and/or of given templates, in recorded order, over SSE
   * (`httpSubscriptionLink`). Every event is tracked with its position: a client that
   * reconnects with `lastEventId` (the link does it automatically) continues without gaps.
   * Without `lastEventId` the subscription starts "now"; the first event is `ready`.
   */
  actions: procedure
    .requires({ scope: "read", permission: "actions.view" })
    .input(
      input(
        Schema.Struct({
          customer: Schema.optional(Customer.CustomerRef),
          templates: Schema.optional(
            Schema.Array(Ids.TemplateName).pipe(
              Schema.check(Schema.isMinLength(1), Schema.isMaxLength(100)),
            ),
          ),
          lastEventId: Schema.optional(
            Schema.NullOr(Schema.String.pipe(Schema.check(Schema.isPattern(/^\d{1,16}$/)))),
          ),
        }),
      ),
    )
    .subscription(async function* ({ ctx, input, signal }) {
      const customerId =
        input.customer === undefined
          ? undefined
          : await run(
              ctx,
              Customers.use((c) => Effect.map(c.resolve(input.customer!), (p) => p.id as string)),
            )
      const filter = { customerId, templates: input.templates }
      let position =
        input.lastEventId === undefined || input.lastEventId === null
          ? await run(
              ctx,
              LiveActions.use((l) => l.head),
            )
          : Number(input.lastEventId)
      if (input.lastEventId === undefined || input.lastEventId === null) {
        yield tracked(String(position), { type: "ready" } as LiveMessage)
      }
      const aborted = () => signal?.aborted === true
      while (!aborted()) {
        const head = await run(
          ctx,
          LiveActions.use((l) => l.head),
        )
        if (head > position) {
          const events = await run(
            ctx,
            LiveActions.use((l) => l.after(position, filter, PAGE, head)),
          )
          for (const e of events) {
            yield tracked(String(e.position), { type: "action", action: e.action } as LiveMessage)
          }
          // Everything up to `head` is seen unless the page was full.
          position = events.length === PAGE ? events[events.length - 1]!.position : head
          if (events.length === PAGE) continue
        }
        try {
          await run(
            ctx,
            LiveActions.use((l) => l.waitForNew(position, 1000)),
          )
        } catch {
          // The server is shutting down: end the stream; the client resumes elsewhere.
          return
        }
      }
    }),
})
