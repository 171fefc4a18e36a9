import { Effect, Schema } from "effect"
import { Customer, Errors, Feed, RecordActionInput } from "@actionlog/domain"
import { ActionStore } from "@actionlog/store"
import type { BatchItemResult, Principal, RecordedBy } from "@actionlog/store"
import { audited } from "../Audit"
import { normalizePath, pathOf } from "../errors"
import { Id, input } from "../schemas"
import { procedure, router, run } from "../trpc"

const recordedBy = (caller: Principal): RecordedBy => ({ kind: caller.kind, id: caller.id })

/** One batch item's answer as sent over the wire (the store's error object stays inside). */
export type BatchItemAnswer =
  | { readonly status: "recorded"; readonly id: string }
  | { readonly status: "alreadyProcessed"; readonly id: string }
  | {
      readonly status: "rejected"
      readonly tag: string
      readonly message: string
      readonly path: ReadonlyArray<string | number> | null
    }

const answer = (r: BatchItemResult): BatchItemAnswer =>
  r.status === "rejected"
    ? {
        status: "rejected",
        tag: r.tag,
        message: r.message,
        path: r.path ?? pathOf(r.error) ?? null,
      }
    : { status: r.status, id: r.id }

// Batch items are validated one by one, so one malformed item is rejected alone.
const itemValidator = Schema.toStandardSchemaV1(RecordActionInput.RecordActionInput)

const validateItem = (
  item: unknown,
):
  | { ok: true; value: RecordActionInput.RecordActionInput }
  | { ok: false; answer: BatchItemAnswer } => {
  const result = itemValidator["~standard"].validate(item)
  if (result instanceof Promise) throw new Error("unexpected async validation")
  if (result.issues === undefined) return { ok: true, value: result.value }
  const first = result.issues[0]
  const path = normalizePath(first?.path) ?? []
  return {
    ok: false,
    answer: {
      status: "rejected",
      tag: "InvalidPayload",
      message: `${path.length > 0 ? `${path.join(".")}: ` : ""}${first?.message ?? "invalid action"}`,
      path,
    },
  }
}

const FeedPage = {
  filter: Schema.optional(Feed.FeedFilter),
  cursor: Schema.optional(Schema.String.pipe(Schema.check(Schema.isMaxLength(200)))),
  limit: Schema.optional(
    Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: Feed.MAX_FEED_LIMIT }))),
  ),
}

const read = () => procedure.requires({ scope: "read", permission: "actions.view" })
const ingest = () => procedure.requires({ scope: "ingest", permission: "actions.add" })

export const actionsRouter = router({
  /** Records one action; a rejection is the error (tag + field path). */
  record: ingest()
    .input(input(RecordActionInput.RecordActionInput))
    .mutation(async ({ ctx, input }) => {
      const by = recordedBy(ctx.caller)
      const record = ActionStore.use((store) => store.record(input, { recordedBy: by }))
      try {
        const result = await run(
          ctx,
          // A staff member assigning an action by hand is a change to that customer: audited.
          by.kind === "staff"
            ? audited(record, (r) => ({
                action: "actions.record",
                targetType: "action",
                targetId: r.id,
                // The action itself holds the details (and goes with the customer on erasure).
                changes: { template: input.template },
              }))
            : record,
        )
        ctx.metrics?.actions(
          result.status === "recorded" ? 1 : 0,
          0,
          result.status === "alreadyProcessed" ? 1 : 0,
        )
        return result
      } catch (error) {
        ctx.metrics?.actions(0, 1, 0)
        throw error
      }
    }),

  /**
   * Records up to 1,000 actions (1 MiB). One answer per item, in order: recorded,
   * alreadyProcessed (the original's id) or rejected (tag, message, path). Valid items are
   * written even when others are rejected.
   */
  recordBatch: ingest()
    .input(input(Schema.Struct({ items: Schema.Array(Schema.Unknown) })))
    .mutation(async ({ ctx, input }) => {
      const items = input.items
      const answers: Array<BatchItemAnswer | undefined> = Array.from({ length: items.length })
      const valid: Array<RecordActionInput.RecordActionInput> = []
      const positions: Array<number> = []
      if (items.length <= Errors.MAX_BATCH_ITEMS) {
        items.forEach((item, i) => {
          const checked = validateItem(item)
          if (checked.ok) {
            valid.push(checked.value)
            positions.push(i)
          } else answers[i] = checked.answer
        })
      }
      const results = await run(
        ctx,
        items.length > Errors.MAX_BATCH_ITEMS
          ? Effect.fail(new Errors.BatchTooLarge({ items: items.length, bytes: 0 }))
          : ActionStore.use((store) =>
              store.recordBatch(valid, { recordedBy: recordedBy(ctx.caller) }),
            ),
      )
      results.forEach((r, k) => (answers[positions[k]!] = answer(r)))
      const out = answers as Array<BatchItemAnswer>
      let recorded = 0
      let rejected = 0
      let repeated = 0
      for (const a of out) {
        if (a.status === "recorded") recorded++
        else if (a.status === "rejected") rejected++
        else repeated++
      }
      ctx.metrics?.actions(recorded, rejected, repeated)
      return { results: out, recorded, alreadyProcessed: repeated, rejected }
    }),

  /** Everything stored about one action: both times, touchpoint, channel path, brand, recorder. */
  get: read()
    .input(input(Schema.Struct({ id: Id })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        ActionStore.use((store) => store.get(input.id)),
      ),
    ),

  /** One customer's activity feed, newest first by event time; keyset-paginated. */
  feed: read()
    .input(input(Schema.Struct({ customer: Customer.CustomerRef, ...FeedPage })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        ActionStore.use((store) =>
          store.feedOf(input.customer, {
            filter: input.filter,
            cursor: input.cursor,
            limit: input.limit,
          }),
        ),
      ),
    ),

  /** The actions page: the same query across all customers. */
  list: read()
    .input(input(Schema.Struct(FeedPage)))
    .query(({ ctx, input }) =>
      run(
        ctx,
        ActionStore.use((store) =>
          store.list({ filter: input.filter, cursor: input.cursor, limit: input.limit }),
        ),
      ),
    ),
})
