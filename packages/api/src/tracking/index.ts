/** Segment-compatible HTTP Tracking API (`/v1/*`); see docs/tracking.md. */
export { makeTrackingHandler, type TrackingHandlerOptions, type TrackingResponse } from "./Handler"
export { ingest, type IngestInput, type Outcome } from "./Ingest"
export {
  defaultTrackingSettings,
  getSettings as getTrackingSettings,
  setSourceBrand as setTrackingSourceBrand,
  updateSettings as updateTrackingSettings,
  type TrackingSettings,
  type UnknownEventPolicy,
} from "./TrackingConfig"
export { trackingRouter } from "./router"
