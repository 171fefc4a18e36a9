/** Segment-compatible HTTP Tracking API (`/v1/*`); see docs/tracking.md. */
import type { Effect } from "effect"
import {
  TrackingStore,
  type DatabaseError,
  type IngestInput,
  type TrackingSettings,
} from "@actionlog/store"
import type { Tracking } from "@actionlog/domain"

export { makeTrackingHandler, type TrackingHandlerOptions, type TrackingResponse } from "./Handler"
export { trackingRouter } from "./router"
export {
  defaultTrackingSettings,
  type IngestInput,
  type TrackingSettings,
  type UnknownEventPolicy,
} from "@actionlog/store"
export type Outcome = Tracking.Outcome

/** Applies the calls of one request (the store's `TrackingStore.ingest`). */
export const ingest = (
  input: IngestInput,
): Effect.Effect<ReadonlyArray<Tracking.Outcome>, DatabaseError, TrackingStore> =>
  TrackingStore.use((t) => t.ingest(input))

export const getTrackingSettings: Effect.Effect<TrackingSettings, DatabaseError, TrackingStore> =
  TrackingStore.use((t) => t.settings)

export const updateTrackingSettings = (
  input: Partial<TrackingSettings>,
): Effect.Effect<TrackingSettings, DatabaseError, TrackingStore> =>
  TrackingStore.use((t) => t.updateSettings(input))
