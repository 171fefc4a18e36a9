/** Campaigns and their messages; message actions reference a message with {@link MessageRef}. */
import { Schema } from "effect"
import { MessagingChannel } from "./Customer"
import { BrandId } from "./Ids"
import { EpochMillis } from "./Time"

const Key = Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(200)))

export const CampaignId = Key.pipe(Schema.brand("CampaignId"))
export type CampaignId = typeof CampaignId.Type
export const CampaignMessageId = Key.pipe(Schema.brand("CampaignMessageId"))
export type CampaignMessageId = typeof CampaignMessageId.Type

export const Campaign = Schema.Struct({
  id: CampaignId,
  name: Key,
  brandId: Schema.optionalKey(BrandId),
  createdAt: EpochMillis,
})
export type Campaign = typeof Campaign.Type

/** One message of a campaign, sent over one messaging channel. */
export const CampaignMessage = Schema.Struct({
  id: CampaignMessageId,
  campaignId: CampaignId,
  name: Key,
  channel: MessagingChannel,
  /** Email subject / push title, when the channel has one. */
  subject: Schema.optionalKey(Schema.String),
  createdAt: EpochMillis,
})
export type CampaignMessage = typeof CampaignMessage.Type

/** What message actions carry: which message, over which channel. */
export const MessageRef = Schema.Struct({
  campaignId: CampaignId,
  messageId: CampaignMessageId,
  channel: MessagingChannel,
})
export type MessageRef = typeof MessageRef.Type

/** The templates a campaign message's lifecycle records (built-in system names). */
export const messageTemplates = [
  "MessageSent",
  "MessageDelivered",
  "MessageDeliveryFailed",
  "MessageNotSent",
  "MessageOpened",
  "MessageClicked",
  "UnsubscribeRequested",
] as const
