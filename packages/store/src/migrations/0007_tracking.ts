/**
 * State of the Segment-compatible tracking API (docs/tracking.md).
 *
 * - `tracking_settings`: the project's tracking options as JSON under `key = 'project'`
 *   (the unknown-event policy).
 * - `tracking_sources`: the brand a write key's calls are recorded with (multi-brand projects).
 * - `tracking_messages`: message ids of identify / alias calls already applied, so a library's
 *   retry is answered "already processed" (track / page / screen / group use the action's
 *   transaction id instead); `customer_id` is the customer the call applied to.
 *
 * `IF NOT EXISTS`: databases of earlier versions have these tables already, created by the
 * tracking API on first use with the same definitions.
 */
import type { Migration } from "./index"

export default {
  id: 7,
  name: "tracking",
  statements: [
    `CREATE TABLE IF NOT EXISTS tracking_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS tracking_sources (
      api_key_id TEXT PRIMARY KEY,
      brand_id TEXT NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS tracking_messages (
      message_id TEXT PRIMARY KEY,
      customer_id TEXT,
      processed_at INTEGER NOT NULL
    )`,
  ],
} satisfies Migration
