import { Schema } from "effect"
import { Customer, Ids, Payloads } from "@actionlog/domain"
import { Campaigns, messageEvents } from "@actionlog/store"
import { audited } from "../Audit"
import { input } from "../schemas"
import { router, run } from "../trpc"
import {
  ActionEnvelope,
  Text,
  actionContext,
  configureProducer,
  ingestProducer,
  readProducer,
} from "./producerShared"

const Key = Text(200)

const EventInput = Schema.Struct({
  messageId: Key,
  customer: Customer.CustomerRef,
  event: Schema.Literals(messageEvents),
  /** The sender's event id: repeats of it are answered "already processed". */
  eventId: Schema.optional(Key),
  url: Schema.optional(Text(2048)),
  reason: Schema.optional(Schema.Union([Payloads.DeliveryFailureReason, Payloads.NotSentReason])),
  details: Schema.optional(Schema.String.pipe(Schema.check(Schema.isMaxLength(2000)))),
  ...ActionEnvelope,
}).check(
  Schema.makeFilter((e) =>
    e.event === "clicked" && e.url === undefined
      ? { path: ["url"], issue: "a click needs the url that was clicked" }
      : undefined,
  ),
)

export const campaignsRouter = router({
  create: configureProducer()
    .input(
      input(
        Schema.Struct({
          id: Schema.optional(Key),
          name: Key,
          brandId: Schema.optional(Ids.BrandId),
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        audited(
          Campaigns.use((c) => c.createCampaign(input)),
          (campaign) => ({
            action: "campaigns.create",
            targetType: "campaign",
            targetId: campaign.id,
            changes: { after: campaign },
          }),
        ),
      ),
    ),

  list: readProducer().query(({ ctx }) =>
    run(
      ctx,
      Campaigns.use((c) => c.listCampaigns),
    ),
  ),

  /** A campaign with its messages, their templates and statistics. */
  get: readProducer()
    .input(input(Schema.Struct({ id: Key })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        Campaigns.use((c) => c.getCampaign(input.id)),
      ),
    ),

  /** Creates a message over one channel; its templates exist afterwards (see `templates`). */
  createMessage: configureProducer()
    .input(
      input(
        Schema.Struct({
          id: Schema.optional(Key),
          campaignId: Key,
          name: Key,
          channel: Customer.MessagingChannel,
          subject: Schema.optional(Schema.String.pipe(Schema.check(Schema.isMaxLength(500)))),
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        audited(
          Campaigns.use((c) => c.createMessage(input)),
          (message) => ({
            action: "campaigns.createMessage",
            targetType: "campaignMessage",
            targetId: message.id,
            changes: { after: message },
          }),
        ),
      ),
    ),

  /** A message with its templates and sent / delivered / opened / clicked counts. */
  message: readProducer()
    .input(input(Schema.Struct({ id: Key })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        Campaigns.use((c) => c.getMessage(input.id)),
      ),
    ),

  /** One message event for one customer; a rejection is the error. */
  recordEvent: ingestProducer()
    .input(input(EventInput))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Campaigns.use((c) => c.recordEvent({ ...input, ...actionContext(ctx.caller, input) })),
      ),
    ),

  /** Up to 1,000 events; one answer per event (recorded, alreadyProcessed or rejected). */
  recordEvents: ingestProducer()
    .input(
      input(
        Schema.Struct({
          events: Schema.Array(EventInput).pipe(Schema.check(Schema.isMaxLength(1000))),
        }),
      ),
    )
    .mutation(async ({ ctx, input }) => {
      const results = await run(
        ctx,
        Campaigns.use((c) =>
          c.recordEvents(input.events.map((e) => ({ ...e, ...actionContext(ctx.caller, e) }))),
        ),
      )
      return { results }
    }),
})
