/**
 * @actionlog/store — libSQL persistence as Effect services.
 *
 * `Store.layer({ url, authToken })` opens and migrates the database and provides every
 * service. Other packages that keep their own tables (auth, producers) use `Database`
 * (`execute` / `query` / `batch` / `transaction`); inside `db.transaction(...)` their
 * statements and `ActionStore.record` commit together.
 */
import { Layer } from "effect"
import { ActionStore } from "./ActionStore"
import { Brands } from "./Brands"
import { Channels } from "./Channels"
import { Customers } from "./Customers"
import { Database, type DatabaseConfig } from "./Database"
import type { DatabaseError } from "./DatabaseError"
import { Erasure } from "./Erasure"
import { Exports } from "./Exports"
import { Imports } from "./Imports"
import { LiveActions } from "./LiveActions"
import { Segments } from "./Segments"
import { Statistics } from "./Statistics"
import { RegistryCache } from "./RegistryCache"
import { Settings } from "./Settings"
import { Templates } from "./Templates"
import { Touchpoints } from "./Touchpoints"
import { TrackingStore } from "./Tracking"
import { Webhooks } from "./Webhooks"
import { AuditLog } from "./auth/AuditLog"
import { Campaigns } from "./producers/Campaigns"
import { NotesAndTags } from "./producers/NotesAndTags"
import { Orders } from "./producers/Orders"
import { Profiles } from "./producers/Profiles"
import { PromoCodes } from "./producers/PromoCodes"
import { Rewards } from "./producers/Rewards"

export {
  ActionStore,
  type ActionDetail,
  type BatchItemResult,
  type FeedError,
  type FeedOptions,
  type Recorded,
  type RecordedBy,
  type RecordOptions,
  type StoredAction,
} from "./ActionStore"
export { Brands, type CreateBrandInput, type UpdateBrandInput } from "./Brands"
export { Channels, type CreateChannelInput, type UpdateChannelInput } from "./Channels"
export {
  Customers,
  type CreateOptions,
  type CustomerInput,
  type ProfileChanges,
  type ProfileUpdate,
  type SearchOptions,
  type UpdateProfileOptions,
} from "./Customers"
export {
  Database,
  filePathOf,
  isRemoteUrl,
  type DatabaseConfig,
  type DatabaseShape,
  type ExecResult,
  type Row,
  type SqlStatement,
  type SqlValue,
  type SyncRunner,
} from "./Database"
export { DatabaseError } from "./DatabaseError"
// Data capabilities: erasure, export, import, segments, statistics, live actions.
export { Erasure, discoverReferences, type ErasureResult } from "./Erasure"
export {
  Exports,
  checkWindow,
  EXPORT_PAGE_SIZE,
  type CustomerExport,
  type ExportPage,
  type ExportPosition,
  type ExportWindow,
} from "./Exports"
export {
  Imports,
  ImportFailed,
  type ImportFormat,
  type ImportOptions,
  type ImportProgress,
  type ImportResult,
} from "./Imports"
export { LiveActions, LIVE_POLL_MS, type LiveEvent, type LiveFilter } from "./LiveActions"
export {
  Segments,
  compileSegment,
  EVALUATION_SAMPLE,
  type SavedSegment,
  type SegmentEvaluation,
  type SegmentListOptions,
  type SegmentMember,
  type SegmentPage,
} from "./Segments"
export {
  Statistics,
  MAX_BUCKETS,
  type StatsBucket,
  type StatsDimension,
  type StatsQuery,
  type StatsResult,
  type StatsSeries,
} from "./Statistics"
// Auth (API keys, staff, sessions, roles, audit log): owned by the API work, see src/auth/.
export * from "./auth/index"
export type { Migration } from "./migrations/index"
export { Settings, type UpdateSettingsInput } from "./Settings"
export { Templates } from "./Templates"
export { Touchpoints, type CreateTouchpointInput, type UpdateTouchpointInput } from "./Touchpoints"
export {
  TrackingStore,
  defaultTrackingSettings,
  type IngestInput,
  type TrackingSettings,
  type TrackingSource,
  type UnknownEventPolicy,
} from "./Tracking"
export {
  Webhooks,
  WebhooksConfig,
  webhooksConfigFromEnv,
  type CreateWebhookInput,
  type DeliveryObserver,
  type ReplayPoint,
  type UpdateWebhookInput,
  type WebhooksConfigShape,
} from "./Webhooks"

// Producers: capabilities with their own state that record their actions in the
// same transaction as their change. See docs/producers.md.
export {
  Campaigns,
  messageEvents,
  messageTemplateFor,
  type CreateCampaignInput,
  type CreateMessageInput,
  type MessageEvent,
  type MessageEventInput,
  type MessageEventRecorded,
  type MessageEventResult,
  type MessageStats,
  type MessageView,
} from "./producers/Campaigns"
export { NotesAndTags, type NoteView, type TagChange } from "./producers/NotesAndTags"
export {
  Orders,
  type ChangeOrderStatusInput,
  type CreateOrderInput,
  type OrderChange,
  type OrderEvent,
  type OrderLineInput,
  type OrderView,
} from "./producers/Orders"
export { Profiles, type MergeResult, type SubscriptionUpdate } from "./producers/Profiles"
export {
  PromoCodes,
  type CodeChange,
  type CodeView,
  type CreatePoolInput,
  type IssueInput,
  type PoolView,
  type RedeemInput,
} from "./producers/PromoCodes"
export {
  Rewards,
  type BonusBalance,
  type BonusChangeInput,
  type BonusChangeView,
  type IssueRewardInput,
  type RewardView,
} from "./producers/Rewards"
export type { ActionContext } from "./producers/Shared"

/** The producers; Campaigns uses Profiles for unsubscribe requests. */
const producersLayer = Layer.mergeAll(
  Orders.layer,
  PromoCodes.layer,
  Rewards.layer,
  NotesAndTags.layer,
  Campaigns.layer,
).pipe(Layer.provideMerge(Profiles.layer))

/** The data capabilities and the tracking API (need the core services below). */
const dataLayer = Layer.mergeAll(
  Erasure.layer,
  Exports.layer,
  Imports.layer,
  LiveActions.layer,
  Segments.layer,
  Statistics.layer,
  TrackingStore.layer,
  // Webhooks audit their automatic pauses; AuditLog keeps no state, so its own instance is fine.
  Webhooks.layer.pipe(Layer.provide(AuditLog.layer)),
).pipe(Layer.provideMerge(producersLayer))

/** Every store service (registries, customers, actions) over an already provided `Database`. */
export const servicesLayer = dataLayer.pipe(
  Layer.provideMerge(
    Layer.mergeAll(
      Templates.layer,
      Touchpoints.layer,
      Channels.layer,
      Brands.layer,
      Settings.layer,
      Customers.layer.pipe(Layer.provideMerge(ActionStore.layer)),
    ),
  ),
  Layer.provide(RegistryCache.layer),
)

export type StoreServices =
  | Database
  | ActionStore
  | Customers
  | Templates
  | Touchpoints
  | Channels
  | Brands
  | Settings
  | Erasure
  | Exports
  | Imports
  | LiveActions
  | Segments
  | Statistics
  | Orders
  | Campaigns
  | PromoCodes
  | Rewards
  | Profiles
  | NotesAndTags
  | TrackingStore
  | Webhooks

/** Open + migrate the database and provide every store service (and `Database` itself). */
export const layer = (config: DatabaseConfig): Layer.Layer<StoreServices, DatabaseError> =>
  servicesLayer.pipe(Layer.provideMerge(Database.layer(config)))
