import { Effect, Schema } from "effect"
import { Segment } from "@actionlog/domain"
import { Segments } from "@actionlog/store"
import { audited } from "../Audit"
import { Id, input, Name } from "../schemas"
import { procedure, RequestInfo, router, run } from "../trpc"

const read = () => procedure.requires({ scope: "read", permission: "actions.view" })
const manage = () => procedure.requires({ scope: "admin", permission: "segments.manage" })

// What the audit log keeps of a saved segment: its name and definition (no members).
const described = (s: { readonly name: string; readonly segment: Segment.Segment }) => ({
  name: s.name,
  segment: Schema.encodeSync(Segment.Segment)(s.segment),
})

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

  /** Saved segments, by name, with their last evaluation's time and member count. */
  saved: read().query(({ ctx }) =>
    run(
      ctx,
      Segments.use((s) => s.savedList),
    ),
  ),

  savedGet: read()
    .input(input(Schema.Struct({ id: Id })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        Segments.use((s) => s.savedGet(input.id)),
      ),
    ),

  /** Saves a definition under a name (unique). */
  save: manage()
    .input(input(Schema.Struct({ name: Name, segment: Segment.Segment })))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Effect.gen(function* () {
          const { label } = yield* RequestInfo
          const segments = yield* Segments
          return yield* audited(
            segments.save({ name: input.name, segment: input.segment, createdBy: label }),
            (saved) => ({
              action: "segments.save",
              targetType: "segment",
              targetId: saved.id,
              changes: { after: described(saved) },
            }),
          )
        }),
      ),
    ),

  /** Renames a saved segment and / or replaces its definition. */
  update: manage()
    .input(
      input(
        Schema.Struct({
          id: Id,
          name: Schema.optional(Name),
          segment: Schema.optional(Segment.Segment),
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Segments.use((segments) =>
          audited(
            segments.savedUpdate(input.id, { name: input.name, segment: input.segment }),
            ({ before, after }) => ({
              action: "segments.update",
              targetType: "segment",
              targetId: input.id,
              changes: { before: described(before), after: described(after) },
            }),
          ),
        ).pipe(Effect.map((r) => r.after)),
      ),
    ),

  remove: manage()
    .input(input(Schema.Struct({ id: Id })))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Segments.use((segments) =>
          audited(segments.savedRemove(input.id), (before) => ({
            action: "segments.remove",
            targetType: "segment",
            targetId: input.id,
            changes: { before: described(before), after: null },
          })),
        ).pipe(Effect.map(() => ({ removed: true as const }))),
      ),
    ),

  /**
   * Evaluates a saved segment now and compares with its previous evaluation: who entered and
   * who left since then (counts, and the first 100 ids of each). The members found become the
   * set the next evaluation compares with.
   */
  evaluate: read()
    .input(input(Schema.Struct({ id: Id })))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Segments.use((s) => s.evaluate(input.id)),
      ),
    ),
})
