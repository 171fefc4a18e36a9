import { Effect, Schema } from "effect"
import { Webhook } from "@actionlog/domain"
import { Webhooks } from "@actionlog/store"
import { audited, auditedUpdate } from "../Audit"
import { asNotFound } from "../errors"
import { Id, input, Name } from "../schemas"
import { procedure, RequestInfo, router, run } from "../trpc"

// Webhook subscriptions (docs/webhooks.md). Every change is audited in the transaction that
// makes it; secrets appear in the answer of create / rotateSecret only, never in the log.

const manage = () => procedure.requires({ scope: "admin", permission: "webhooks.manage" })

const Entry = Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(200)))
const List = <S extends Schema.Top>(item: S) =>
  Schema.Array(item).pipe(Schema.check(Schema.isMaxLength(Webhook.MAX_FILTER_ENTRIES)))

const Filter = Schema.Struct({
  templates: Schema.optional(List(Entry)),
  categories: Schema.optional(List(Schema.Literals(["personal", "system"]))),
  brands: Schema.optional(List(Entry)),
})

const Url = Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(2000)))
const Reason = Schema.String.pipe(Schema.check(Schema.isMaxLength(500)))

const ById = Schema.Struct({ id: Id })

/** The audited form of a subscription: what staff configured, not its delivery progress. */
const config = (w: Webhook.WebhookView) => ({
  name: w.name,
  url: w.url,
  filter: w.filter,
  active: w.active,
})

type WebhooksService = Parameters<Parameters<typeof Webhooks.use>[0]>[0]

/** A change to one subscription, audited with the subscription as it was before it. */
const changeAudited = <A, E, R>(
  id: string,
  change: (w: WebhooksService) => Effect.Effect<A, E, R>,
  describe: (
    before: Webhook.WebhookView,
    after: A,
  ) => { readonly action: string; readonly changes: unknown },
) =>
  Webhooks.use((w) =>
    auditedUpdate(w.get(id).pipe(Effect.mapError(asNotFound)), change(w), (before, after) => ({
      targetType: "webhook",
      targetId: id,
      ...describe(before, after),
    })),
  )

export const webhooksRouter = router({
  list: manage().query(({ ctx }) =>
    run(
      ctx,
      Webhooks.use((w) => w.list),
    ),
  ),

  /** The subscription and its last attempts (newest first). */
  get: manage()
    .input(input(Schema.Struct({ id: Id, attempts: Schema.optional(Schema.Int) })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        Effect.gen(function* () {
          const w = yield* Webhooks
          const webhook = yield* w.get(input.id).pipe(Effect.mapError(asNotFound))
          const attempts = yield* w.attempts(input.id, input.attempts ?? 20)
          return { webhook, attempts }
        }),
      ),
    ),

  /** Delivers actions recorded from now on. The signing secret is in this answer only. */
  create: manage()
    .input(
      input(
        Schema.Struct({
          name: Name,
          url: Url,
          filter: Schema.optional(Filter),
          active: Schema.optional(Schema.Boolean),
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Effect.gen(function* () {
          const w = yield* Webhooks
          yield* w.checkTarget(input.url)
          return yield* audited(w.create(input), (r) => ({
            action: "webhooks.create",
            targetType: "webhook",
            targetId: r.webhook.id,
            changes: { after: config(r.webhook) },
          }))
        }),
      ),
    ),

  update: manage()
    .input(
      input(
        Schema.Struct({
          id: Id,
          name: Schema.optional(Name),
          url: Schema.optional(Url),
          filter: Schema.optional(Filter),
        }),
      ),
    )
    .mutation(({ ctx, input }) => {
      const { id, ...changes } = input
      return run(
        ctx,
        Effect.gen(function* () {
          const w = yield* Webhooks
          if (changes.url !== undefined) yield* w.checkTarget(changes.url)
          return yield* auditedUpdate(
            w.get(id).pipe(Effect.mapError(asNotFound)),
            w.update(id, changes),
            (before, after) => ({
              action: "webhooks.update",
              targetType: "webhook",
              targetId: id,
              changes: { before: config(before), after: config(after) },
            }),
          )
        }),
      )
    }),

  delete: manage()
    .input(input(ById))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        changeAudited(
          input.id,
          (w) => w.remove(input.id),
          (before) => ({ action: "webhooks.delete", changes: { before: config(before) } }),
        ).pipe(Effect.as({ deleted: true })),
      ),
    ),

  /** A signed `webhook.test` message with no actions; answers the attempt (status, latency). */
  test: manage()
    .input(input(ById))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Webhooks.use((w) => w.sendTest(input.id).pipe(Effect.mapError(asNotFound))),
      ),
    ),

  /** A new secret (in this answer only); the previous one keeps signing for 24 hours. */
  rotateSecret: manage()
    .input(input(ById))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Webhooks.use((w) =>
          audited(w.rotateSecret(input.id).pipe(Effect.mapError(asNotFound)), (r) => ({
            action: "webhooks.rotateSecret",
            targetType: "webhook",
            targetId: input.id,
            changes: { previousExpiresAt: r.previousExpiresAt },
          })),
        ),
      ),
    ),

  pause: manage()
    .input(input(Schema.Struct({ id: Id, reason: Schema.optional(Reason) })))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Effect.gen(function* () {
          const w = yield* Webhooks
          const { label } = yield* RequestInfo
          const reason =
            input.reason === undefined || input.reason.trim() === ""
              ? `Paused by ${label}`
              : `Paused by ${label}: ${input.reason}`
          return yield* audited(
            w.pause(input.id, reason).pipe(Effect.mapError(asNotFound)),
            () => ({
              action: "webhooks.pause",
              targetType: "webhook",
              targetId: input.id,
              changes: { reason },
            }),
          )
        }),
      ),
    ),

  /** Active again, from where it stopped. */
  resume: manage()
    .input(input(ById))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        changeAudited(
          input.id,
          (w) => w.resume(input.id),
          (before) => ({
            action: "webhooks.resume",
            changes: { pausedReason: before.pausedReason },
          }),
        ),
      ),
    ),

  /**
   * Delivers again from a recorded time (every matching action recorded at or after it) or
   * from the first action of a delivery (its `webhook-id`). Replayed deliveries get new ids.
   */
  replay: manage()
    .input(
      input(
        Schema.Union([
          Schema.Struct({ id: Id, recordedAt: Schema.String }),
          Schema.Struct({ id: Id, deliveryId: Schema.String }),
        ]),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Webhooks.use((w) =>
          auditedUpdate(
            w.get(input.id).pipe(Effect.mapError(asNotFound)),
            w.replay(
              input.id,
              "deliveryId" in input
                ? { deliveryId: input.deliveryId }
                : { recordedAt: input.recordedAt },
            ),
            (before, after) => ({
              action: "webhooks.replay",
              targetType: "webhook",
              targetId: input.id,
              changes: {
                from:
                  "deliveryId" in input
                    ? { deliveryId: input.deliveryId }
                    : { recordedAt: input.recordedAt },
                before: { cursor: before.cursor },
                after: { cursor: after.cursor },
              },
            }),
          ),
        ),
      ),
    ),
})
