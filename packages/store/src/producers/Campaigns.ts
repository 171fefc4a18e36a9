/**
 * Campaigns and their messages (SPEC §5). A message's lifecycle events for one customer are
 * recorded as actions of the built-in message templates (`MessageSent`, `MessageOpened`, …),
 * each carrying the message reference `{ campaignId, messageId, channel }` in its payload, so
 * the feed shows which message. "Composed" has no built-in template: creating the first
 * message creates the custom system template `MessageComposed` (same payload). The message
 * stores its event → template map (see docs/producers.md).
 *
 * Events are idempotent: each gets a transaction id derived from the message, the event, the
 * customer and the caller's `eventId` (lifecycle events — composed, sent, delivered, failed,
 * not sent — happen once per customer and message, so they need no `eventId`). Per-message
 * counters are bumped in the same transaction, only for newly recorded events. An unsubscribe
 * request also switches the customer's subscription off (recording `SubscriptionChanged`).
 */
import { Campaign, Customer, Errors, ProducerErrors, type Ids } from "@actionlog/domain"
import { Clock, Context, Effect, Layer } from "effect"
import { createHash } from "node:crypto"
import { ActionStore } from "../ActionStore"
import { Customers } from "../Customers"
import { Database, type Row } from "../Database"
import type { DatabaseError } from "../DatabaseError"
import { makeId } from "../internal/ids"
import { num, optStr, str } from "../internal/rows"
import { Templates } from "../Templates"
import { Profiles } from "./Profiles"
import { envelope, recordOptions, tn, type ActionContext } from "./Shared"

export const messageEvents = [
  "composed",
  "sent",
  "delivered",
  "deliveryFailed",
  "notSent",
  "opened",
  "clicked",
  "unsubscribeRequested",
] as const
export type MessageEvent = (typeof messageEvents)[number]

/** Event → template system name (the same for every message; stored per message). */
export const messageTemplateFor: { readonly [E in MessageEvent]: string } = {
  composed: "MessageComposed",
  sent: "MessageSent",
  delivered: "MessageDelivered",
  deliveryFailed: "MessageDeliveryFailed",
  notSent: "MessageNotSent",
  opened: "MessageOpened",
  clicked: "MessageClicked",
  unsubscribeRequested: "UnsubscribeRequested",
}

const onceEvents = new Set<MessageEvent>([
  "composed",
  "sent",
  "delivered",
  "deliveryFailed",
  "notSent",
])

export interface CreateCampaignInput {
  readonly id?: string | undefined
  readonly name: string
  readonly brandId?: Ids.BrandId | undefined
}

export interface CreateMessageInput {
  readonly id?: string | undefined
  readonly campaignId: string
  readonly name: string
  readonly channel: Customer.MessagingChannel
  readonly subject?: string | undefined
}

export interface MessageStats {
  readonly composed: number
  readonly sent: number
  readonly delivered: number
  readonly deliveryFailed: number
  readonly notSent: number
  readonly opened: number
  readonly clicked: number
  readonly unsubscribeRequested: number
}

export interface MessageView extends Campaign.CampaignMessage {
  readonly templates: { readonly [E in MessageEvent]: string }
  readonly stats: MessageStats
}

export interface MessageEventInput extends ActionContext {
  readonly messageId: string
  readonly customer: Customer.CustomerRef
  readonly event: MessageEvent
  /** The sender's id of this event (makes opens and clicks idempotent). */
  readonly eventId?: string | undefined
  /** Clicked: the link. */
  readonly url?: string | undefined
  /** Delivery failed / not sent: why (see the payload schemas for the values). */
  readonly reason?: string | undefined
  readonly details?: string | undefined
}

/** A recorded (or repeated) event. */
export interface MessageEventRecorded {
  readonly status: "recorded" | "alreadyProcessed"
  readonly actionId: Ids.ActionId
  /** Set when an unsubscribe request switched a subscription off. */
  readonly subscriptionActionId?: Ids.ActionId
}

/** One answer of a batch of events. */
export type MessageEventResult =
  | MessageEventRecorded
  | {
      readonly status: "rejected"
      readonly tag: string
      readonly message: string
      readonly path?: ReadonlyArray<string | number>
    }

export type EventError =
  | ProducerErrors.CampaignMessageNotFound
  | Errors.CustomerNotFound
  | Errors.InvalidPayload
  | Errors.ActionRejection
  | DatabaseError

const emptyStats = (): Record<MessageEvent, number> =>
  Object.fromEntries(messageEvents.map((e) => [e, 0])) as Record<MessageEvent, number>

const sha = (s: string) => createHash("sha256").update(s).digest("hex")

const rowToCampaign = (r: Row): Campaign.Campaign => {
  const brand = optStr(r, "brand_id")
  return {
    id: str(r, "id") as Campaign.CampaignId,
    name: str(r, "name"),
    ...(brand === undefined ? {} : { brandId: brand as Ids.BrandId }),
    createdAt: num(r, "created_at"),
  }
}

const toMessage = (r: Row, stats: Record<MessageEvent, number>): MessageView => {
  const subject = optStr(r, "subject")
  return {
    id: str(r, "id") as Campaign.CampaignMessageId,
    campaignId: str(r, "campaign_id") as Campaign.CampaignId,
    name: str(r, "name"),
    channel: str(r, "channel") as Customer.MessagingChannel,
    ...(subject === undefined ? {} : { subject }),
    createdAt: num(r, "created_at"),
    templates: JSON.parse(str(r, "templates")) as MessageView["templates"],
    stats,
  }
}

const payloadFor = (
  input: MessageEventInput,
  ref: Campaign.MessageRef,
): Record<string, unknown> => {
  const message = {
    campaignId: ref.campaignId,
    messageId: ref.messageId,
    channel: ref.channel,
  }
  const details = input.details === undefined ? {} : { details: input.details }
  switch (input.event) {
    case "clicked":
      return { message, url: input.url ?? "" }
    case "deliveryFailed":
    case "notSent":
      return { message, reason: input.reason ?? "other", ...details }
    case "unsubscribeRequested":
      return { channel: ref.channel, message }
    default:
      return { message }
  }
}

export class Campaigns extends Context.Service<
  Campaigns,
  {
    readonly createCampaign: (
      input: CreateCampaignInput,
    ) => Effect.Effect<
      Campaign.Campaign,
      ProducerErrors.ProducerAlreadyExists | Errors.UnknownBrand | DatabaseError
    >
    readonly listCampaigns: Effect.Effect<ReadonlyArray<Campaign.Campaign>, DatabaseError>
    readonly getCampaign: (
      id: string,
    ) => Effect.Effect<
      { readonly campaign: Campaign.Campaign; readonly messages: ReadonlyArray<MessageView> },
      ProducerErrors.CampaignNotFound | DatabaseError
    >
    /** Creates the message and makes sure all its templates exist. */
    readonly createMessage: (
      input: CreateMessageInput,
    ) => Effect.Effect<
      MessageView,
      | ProducerErrors.CampaignNotFound
      | ProducerErrors.ProducerAlreadyExists
      | Errors.InvalidTemplate
      | Errors.UnknownBrand
      | DatabaseError
    >
    readonly getMessage: (
      id: string,
    ) => Effect.Effect<MessageView, ProducerErrors.CampaignMessageNotFound | DatabaseError>
    /** One event for one customer; a rejection is the error. */
    readonly recordEvent: (
      input: MessageEventInput,
    ) => Effect.Effect<MessageEventRecorded, EventError>
    /** Many events in one transaction; one answer per event (a rejected one changes nothing). */
    readonly recordEvents: (
      inputs: ReadonlyArray<MessageEventInput>,
    ) => Effect.Effect<ReadonlyArray<MessageEventResult>, DatabaseError>
  }
>()("@actionlog/store/Campaigns") {
  static readonly layer = Layer.effect(
    Campaigns,
    Effect.gen(function* () {
      const db = yield* Database
      const actions = yield* ActionStore
      const customers = yield* Customers
      const templates = yield* Templates
      const profiles = yield* Profiles

      const getCampaignRow = (id: string) =>
        Effect.gen(function* () {
          const [row] = yield* db.query(
            "SELECT id, name, brand_id, created_at FROM campaigns WHERE id = ?",
            [id],
          )
          if (row === undefined)
            return yield* new ProducerErrors.CampaignNotFound({ campaignId: id })
          return rowToCampaign(row)
        })

      const statsOf = (messageIds: ReadonlyArray<string>) =>
        Effect.gen(function* () {
          const out = new Map<string, Record<MessageEvent, number>>()
          for (const id of messageIds) out.set(id, emptyStats())
          if (messageIds.length === 0) return out
          const rows = yield* db.query(
            "SELECT message_id, event, count FROM campaign_message_stats WHERE message_id IN (SELECT value FROM json_each(?))",
            [JSON.stringify(messageIds)],
          )
          for (const r of rows) {
            const s = out.get(str(r, "message_id"))
            if (s !== undefined) s[str(r, "event") as MessageEvent] = num(r, "count")
          }
          return out
        })

      const MESSAGE_COLUMNS = "id, campaign_id, name, channel, subject, templates, created_at"

      const getMessage = Effect.fn("Campaigns.getMessage")(function* (id: string) {
        const [row] = yield* db.query(
          `SELECT ${MESSAGE_COLUMNS} FROM campaign_messages WHERE id = ?`,
          [id],
        )
        if (row === undefined)
          return yield* new ProducerErrors.CampaignMessageNotFound({ messageId: id })
        const stats = yield* statsOf([id])
        return toMessage(row, stats.get(id) ?? emptyStats())
      })

      const createCampaign = Effect.fn("Campaigns.createCampaign")(function* (
        input: CreateCampaignInput,
      ) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const id = input.id ?? makeId("cmp")
            const exists = yield* db.query("SELECT 1 FROM campaigns WHERE id = ?", [id])
            if (exists.length > 0) {
              return yield* new ProducerErrors.ProducerAlreadyExists({
                entity: "campaign",
                key: id,
              })
            }
            if (input.brandId !== undefined) {
              const brand = yield* db.query("SELECT 1 FROM brands WHERE id = ?", [input.brandId])
              if (brand.length === 0)
                return yield* new Errors.UnknownBrand({ brand: input.brandId })
            }
            const now = yield* Clock.currentTimeMillis
            yield* db.execute(
              "INSERT INTO campaigns (id, name, brand_id, created_at) VALUES (?, ?, ?, ?)",
              [id, input.name, input.brandId ?? null, now],
            )
            return yield* getCampaignRow(id).pipe(Effect.catchTag("CampaignNotFound", Effect.die))
          }),
        )
      })

      const listCampaigns = Effect.gen(function* () {
        const rows = yield* db.query(
          "SELECT id, name, brand_id, created_at FROM campaigns ORDER BY created_at DESC, id",
        )
        return rows.map(rowToCampaign)
      })

      const getCampaign = Effect.fn("Campaigns.getCampaign")(function* (id: string) {
        const campaign = yield* getCampaignRow(id)
        const rows = yield* db.query(
          `SELECT ${MESSAGE_COLUMNS} FROM campaign_messages WHERE campaign_id = ? ORDER BY created_at, id`,
          [id],
        )
        const stats = yield* statsOf(rows.map((r) => str(r, "id")))
        return {
          campaign,
          messages: rows.map((r) => toMessage(r, stats.get(str(r, "id")) ?? emptyStats())),
        }
      })

      /** The custom template for "composed" (created once, with the first message). */
      const ensureComposedTemplate = Effect.gen(function* () {
        const existing = yield* templates.get(messageTemplateFor.composed).pipe(
          Effect.map(() => true),
          Effect.catchTag("UnknownTemplate", () => Effect.succeed(false)),
        )
        if (existing) return
        yield* templates
          .create({
            displayName: "Message composed",
            systemName: messageTemplateFor.composed as Ids.TemplateName,
            category: "system",
            description:
              "A campaign message was composed for the customer (payload: the message reference).",
            tags: ["messages"],
          })
          .pipe(Effect.catchTag("TemplateAlreadyExists", () => Effect.void))
      })

      const createMessage = Effect.fn("Campaigns.createMessage")(function* (
        input: CreateMessageInput,
      ) {
        return yield* db.transaction(
          Effect.gen(function* () {
            yield* getCampaignRow(input.campaignId)
            const id = input.id ?? makeId("msg")
            const exists = yield* db.query("SELECT 1 FROM campaign_messages WHERE id = ?", [id])
            if (exists.length > 0) {
              return yield* new ProducerErrors.ProducerAlreadyExists({ entity: "message", key: id })
            }
            yield* ensureComposedTemplate
            const now = yield* Clock.currentTimeMillis
            yield* db.execute(
              `INSERT INTO campaign_messages (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
              [
                id,
                input.campaignId,
                input.name,
                input.channel,
                input.subject ?? null,
                JSON.stringify(messageTemplateFor),
                now,
              ],
            )
            return yield* getMessage(id).pipe(
              Effect.catchTag("CampaignMessageNotFound", Effect.die),
            )
          }),
        )
      })

      const recordOne = (input: MessageEventInput) =>
        Effect.gen(function* () {
          const [row] = yield* db.query(
            "SELECT m.id, m.campaign_id, m.channel, c.brand_id FROM campaign_messages m JOIN campaigns c ON c.id = m.campaign_id WHERE m.id = ?",
            [input.messageId],
          )
          if (row === undefined) {
            return yield* new ProducerErrors.CampaignMessageNotFound({ messageId: input.messageId })
          }
          const ref: Campaign.MessageRef = {
            campaignId: str(row, "campaign_id") as Campaign.CampaignId,
            messageId: str(row, "id") as Campaign.CampaignMessageId,
            channel: str(row, "channel") as Customer.MessagingChannel,
          }
          const campaignBrand = optStr(row, "brand_id")
          const customer = yield* customers.resolve(input.customer)
          const parts =
            input.eventId !== undefined
              ? ["event", input.eventId]
              : onceEvents.has(input.event)
                ? ["once"]
                : input.occurredAt !== undefined
                  ? ["at", input.occurredAt, input.url ?? ""]
                  : undefined
          const transactionId =
            parts === undefined
              ? undefined
              : (`msg-${sha([ref.messageId, input.event, customer.id, ...parts].join("\u0000"))}` as Ids.TransactionId)
          const ctx: ActionContext = {
            ...input,
            brand: input.brand ?? (campaignBrand as Ids.BrandId | undefined),
          }
          const recorded = yield* actions.record(
            {
              customer: { id: customer.id },
              template: tn(messageTemplateFor[input.event]),
              payload: payloadFor(input, ref),
              ...envelope(ctx),
              ...(transactionId === undefined ? {} : { transactionId }),
            },
            recordOptions(ctx),
          )
          if (recorded.status === "alreadyProcessed") {
            return {
              status: "alreadyProcessed",
              actionId: recorded.id,
            } satisfies MessageEventRecorded
          }
          yield* db.execute(
            "INSERT INTO campaign_message_stats (message_id, event, count) VALUES (?, ?, 1) ON CONFLICT (message_id, event) DO UPDATE SET count = count + 1",
            [ref.messageId, input.event],
          )
          if (input.event === "unsubscribeRequested") {
            const { action } = yield* actions
              .get(recorded.id)
              .pipe(Effect.catchTag("ActionNotFound", Effect.die))
            const update = yield* profiles.setSubscriptions(
              { id: customer.id },
              [{ channel: ref.channel, brandId: action.brandId as Ids.BrandId, subscribed: false }],
              { ...ctx, brand: action.brandId as Ids.BrandId },
            )
            if (update.actionId !== undefined) {
              return {
                status: "recorded",
                actionId: recorded.id,
                subscriptionActionId: update.actionId,
              } satisfies MessageEventRecorded
            }
          }
          return { status: "recorded", actionId: recorded.id } satisfies MessageEventRecorded
        })

      const recordEvent = Effect.fn("Campaigns.recordEvent")(function* (input: MessageEventInput) {
        return yield* db.transaction(recordOne(input))
      })

      const recordEvents = Effect.fn("Campaigns.recordEvents")(function* (
        inputs: ReadonlyArray<MessageEventInput>,
      ) {
        return yield* db.transaction(
          Effect.forEach(inputs, (input) =>
            // Each event in its own savepoint: a rejected one rolls back alone.
            db.transaction(recordOne(input)).pipe(
              Effect.catch((error): Effect.Effect<MessageEventResult, DatabaseError> => {
                if (error._tag === "DatabaseError") return Effect.fail(error)
                const path = (error as { readonly path?: ReadonlyArray<string | number> }).path
                return Effect.succeed({
                  status: "rejected",
                  tag: error._tag,
                  message: error.message,
                  ...(path === undefined ? {} : { path: [...path] }),
                })
              }),
            ),
          ),
        )
      })

      return Campaigns.of({
        createCampaign,
        listCampaigns,
        getCampaign,
        createMessage,
        getMessage,
        recordEvent,
        recordEvents,
      })
    }),
  )
}
