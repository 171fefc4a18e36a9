/**
 * The tracking endpoint's own state, in its own tables (migration 0007): the unknown-event
 * policy, the brand per write key, and the
 * message ids of identify / alias calls already applied (track, page and screen use the
 * action's transaction id instead).
 */
import { Effect } from "effect"
import type { Ids } from "@actionlog/domain"
import { Database, type DatabaseError } from "@actionlog/store"

/** What happens to a `track` call whose event name matches no template. */
export type UnknownEventPolicy = "createTemplate" | "reject"

export interface TrackingSettings {
  readonly unknownEvents: UnknownEventPolicy
}

export const defaultTrackingSettings: TrackingSettings = { unknownEvents: "createTemplate" }

export const getSettings: Effect.Effect<TrackingSettings, DatabaseError, Database> = Database.use(
  (db) =>
    Effect.map(
      db.query<{ value: string }>("SELECT value FROM tracking_settings WHERE key = 'project'"),
      ([row]) =>
        row === undefined
          ? defaultTrackingSettings
          : { ...defaultTrackingSettings, ...(JSON.parse(row.value) as Partial<TrackingSettings>) },
    ),
)

export const updateSettings = (
  input: Partial<TrackingSettings>,
): Effect.Effect<TrackingSettings, DatabaseError, Database> =>
  Effect.gen(function* () {
    const db = yield* Database
    const after = { ...(yield* getSettings), ...input }
    yield* db.execute(
      "INSERT INTO tracking_settings (key, value) VALUES ('project', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      [JSON.stringify(after)],
    )
    return after
  })

/** The brand a write key's calls are recorded with (multi-brand projects). */
export const sourceBrand = (
  apiKeyId: string,
): Effect.Effect<Ids.BrandId | undefined, DatabaseError, Database> =>
  Database.use((db) =>
    Effect.map(
      db.query<{ brand_id: string }>("SELECT brand_id FROM tracking_sources WHERE api_key_id = ?", [
        apiKeyId,
      ]),
      ([row]) => row?.brand_id as Ids.BrandId | undefined,
    ),
  )

/** Set (or with `null` clear) the brand of a write key. */
export const setSourceBrand = (
  apiKeyId: string,
  brandId: Ids.BrandId | null,
): Effect.Effect<void, DatabaseError, Database> =>
  Effect.gen(function* () {
    const db = yield* Database
    yield* brandId === null
      ? db.execute("DELETE FROM tracking_sources WHERE api_key_id = ?", [apiKeyId])
      : db.execute(
          "INSERT INTO tracking_sources (api_key_id, brand_id) VALUES (?, ?) ON CONFLICT (api_key_id) DO UPDATE SET brand_id = excluded.brand_id",
          [apiKeyId, brandId],
        )
  })

/** Whether an identify / alias message id was applied already. */
export const wasProcessed = (
  messageId: string,
): Effect.Effect<string | null | undefined, DatabaseError, Database> =>
  Database.use((db) =>
    Effect.map(
      db.query<{ customer_id: string | null }>(
        "SELECT customer_id FROM tracking_messages WHERE message_id = ?",
        [messageId],
      ),
      ([row]) => (row === undefined ? undefined : row.customer_id),
    ),
  )

/** Mark a message applied (inside the transaction that applied it). */
export const markProcessed = (
  messageId: string,
  customerId: string | null,
  now: number,
): Effect.Effect<void, DatabaseError, Database> =>
  Database.use((db) =>
    Effect.asVoid(
      db.execute(
        "INSERT INTO tracking_messages (message_id, customer_id, processed_at) VALUES (?, ?, ?) ON CONFLICT (message_id) DO NOTHING",
        [messageId, customerId, now],
      ),
    ),
  )
