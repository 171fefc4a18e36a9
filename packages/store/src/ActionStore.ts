/**
 * Recording and reading actions.
 *
 * Recording: every item is checked against the registries without the database (template,
 * event time, size, payload, touchpoint, brand), then the valid ones are written in ONE write
 * transaction together with the rules that need the database (transaction-id idempotency,
 * customer resolution / creation, external-identity uniqueness). A batch is therefore all
 * there or not there after a crash. Called inside a caller's `Database.transaction`, it
 * joins that transaction (as a savepoint), so a producer's own change and its action commit
 * together.
 *
 * Reading: keyset pagination on (occurred_at DESC, id DESC), served by `actions_feed` for one
 * customer and by `actions_time` / `actions_template` across customers.
 */
import {
  Action,
  Errors,
  Feed,
  Registry,
  Validation,
  type Ids,
  type RecordActionInput,
  type Template,
} from "@actionlog/domain"
import { Clock, Context, Effect, Layer, Result } from "effect"
import { Database, type Row, type SqlValue } from "./Database"
import { DatabaseError } from "./DatabaseError"
import { prepareItem } from "./internal/prepare"
import { runSync, writeBatch, type PreparedItem, type WriteResult } from "./internal/writeBatch"
import { RegistryCache, type RegistrySnapshot } from "./RegistryCache"

/** Who or what records (stored with every action, shown in its detail). */
export type RecordedBy = Action.RecordedBy

export interface RecordOptions {
  /** Default `{ kind: "system", id: "store" }`. */
  readonly recordedBy?: RecordedBy | undefined
  /** Size of the request body, when the caller knows it (checked against the 1 MiB limit). */
  readonly bytes?: number | undefined
}

/** The answer for one batch item. */
export type BatchItemResult =
  | { readonly status: "recorded"; readonly id: Ids.ActionId }
  | { readonly status: "alreadyProcessed"; readonly id: Ids.ActionId }
  | {
      readonly status: "rejected"
      readonly tag: Errors.ActionRejection["_tag"]
      readonly message: string
      /** Field path for `InvalidPayload` (`["payload", "order", "lines", 0, "sku"]`). */
      readonly path?: ReadonlyArray<string | number>
      readonly error: Errors.ActionRejection
    }

/** A successful single `record`. */
export interface Recorded {
  readonly status: "recorded" | "alreadyProcessed"
  readonly id: Ids.ActionId
}

/** A stored action in its encoded (JSON) form, as the API sends it. */
export type StoredAction = Action.Encoded

export interface ActionDetail {
  readonly action: StoredAction
  readonly template: Template.TemplateDefinition | undefined
  readonly touchpoint: Registry.Touchpoint | undefined
  /** Root-first channel path (root → … → the touchpoint's channel). */
  readonly channelPath: ReadonlyArray<Registry.Channel>
  readonly brand: Registry.Brand | undefined
}

export interface FeedOptions {
  readonly filter?: Feed.FeedFilter | undefined
  readonly cursor?: string | undefined
  /** Default 50, at most 500. */
  readonly limit?: number | undefined
}

export type FeedError = Errors.InvalidCursor | Errors.InvalidFilter | DatabaseError

const DEFAULT_RECORDED_BY: RecordedBy = { kind: "system", id: "store" }

const toBatchResult = (r: WriteResult): BatchItemResult => {
  if (r.status !== "rejected") return r
  const path = Errors.errorPath(r.error)
  return {
    status: "rejected",
    tag: r.error["_tag"],
    message: r.error.message,
    ...(path === undefined ? {} : { path }),
    error: r.error,
  }
}

/** Exported for the export / live readers (issue 7); not part of the package index. */
export const ACTION_COLUMNS =
  "id, customer_id, template, occurred_at, recorded_at, touchpoint_id, channel_id, brand_id, transaction_id, payload, custom_fields, recorded_by"

// A handful of distinct "kind:id" strings recur on every row: parse each once and share the
// frozen result (a page of 50 rows then allocates no RecordedBy at all).
const recordedByCache = new Map<string, RecordedBy>()
const parseRecordedBy = (s: string): RecordedBy => {
  let parsed = recordedByCache.get(s)
  if (parsed === undefined) {
    const i = s.indexOf(":")
    parsed = Object.freeze({ kind: s.slice(0, i) as RecordedBy["kind"], id: s.slice(i + 1) })
    if (recordedByCache.size >= 1024) recordedByCache.clear()
    recordedByCache.set(s, parsed)
  }
  return parsed
}

type MutableAction = { -readonly [K in keyof StoredAction]: StoredAction[K] }

export const rowToAction = (r: Row, snap: RegistrySnapshot): StoredAction => {
  const template = r["template"] as string
  const cf = r["custom_fields"]
  // One object literal of a fixed shape, then the optional key: cheaper per row than a spread.
  const action = {
    _tag: Action.isBuiltInTemplateName(template) ? template : "CustomAction",
    id: r["id"],
    customerId: r["customer_id"],
    template,
    category: snap.templates.get(template)?.category ?? "personal",
    occurredAt: r["occurred_at"],
    recordedAt: r["recorded_at"],
    touchpointId: r["touchpoint_id"],
    channelId: r["channel_id"],
    brandId: r["brand_id"],
    payload: JSON.parse(r["payload"] as string),
    customFields: cf === null || cf === undefined ? {} : JSON.parse(cf as string),
    recordedBy: parseRecordedBy(r["recorded_by"] as string),
  } as MutableAction
  const tx = r["transaction_id"]
  if (tx !== null && tx !== undefined) (action as { transactionId?: unknown }).transactionId = tx
  return action as StoredAction
}

const placeholders = (n: number) => Array.from({ length: n }, () => "?").join(", ")

/**
 * WHERE clause of a feed query (without the keyset part). Returns `undefined` when the filter
 * can match nothing (e.g. a category without templates), so the query can be skipped.
 */
const buildWhere = (
  filter: Feed.FeedFilter,
  snap: RegistrySnapshot,
  customerId: string | undefined,
): { where: Array<string>; args: Array<SqlValue> } | undefined => {
  const where: Array<string> = []
  const args: Array<SqlValue> = []
  if (customerId !== undefined) {
    where.push("customer_id = ?")
    args.push(customerId)
  }
  let templates: ReadonlyArray<string> | undefined = filter.templates
  if (filter.category !== undefined) {
    const ofCategory = [...snap.templates.values()]
      .filter((t) => t.category === filter.category)
      .map((t) => t.systemName as string)
    templates =
      templates === undefined ? ofCategory : templates.filter((t) => ofCategory.includes(t))
  }
  const inList = (column: string, values: ReadonlyArray<string> | undefined) => {
    if (values === undefined) return true
    if (values.length === 0) return false
    where.push(`${column} IN (${placeholders(values.length)})`)
    args.push(...values)
    return true
  }
  if (!inList("template", templates)) return undefined
  if (filter.channels !== undefined) {
    const expanded = new Set<string>()
    for (const c of filter.channels) {
      for (const id of Registry.expandChannel(snap.channelList, c)) expanded.add(id)
    }
    if (!inList("channel_id", [...expanded])) return undefined
  }
  if (!inList("touchpoint_id", filter.touchpoints)) return undefined
  if (!inList("brand_id", filter.brands)) return undefined
  const range = (column: string, from: number | undefined, to: number | undefined) => {
    if (from !== undefined) {
      where.push(`${column} >= ?`)
      args.push(from)
    }
    if (to !== undefined) {
      where.push(`${column} < ?`)
      args.push(to)
    }
  }
  range("occurred_at", filter.occurredFrom, filter.occurredTo)
  range("recorded_at", filter.recordedFrom, filter.recordedTo)
  return { where, args }
}

export class ActionStore extends Context.Service<
  ActionStore,
  {
    /** Record one action; a rejection is the error. */
    readonly record: (
      input: RecordActionInput.RecordActionInput,
      options?: RecordOptions,
    ) => Effect.Effect<Recorded, Errors.ActionRejection | DatabaseError>
    /** Record up to 1,000 actions; one answer per item, in order. */
    readonly recordBatch: (
      items: ReadonlyArray<RecordActionInput.RecordActionInput>,
      options?: RecordOptions,
    ) => Effect.Effect<ReadonlyArray<BatchItemResult>, Errors.BatchTooLarge | DatabaseError>
    /** One action with its touchpoint, channel path and brand. */
    readonly get: (
      id: Ids.ActionId | string,
    ) => Effect.Effect<ActionDetail, Errors.ActionNotFound | DatabaseError>
    /** One customer's activity feed, newest first by event time. */
    readonly feed: (
      customerId: Ids.CustomerId | string,
      options?: FeedOptions,
    ) => Effect.Effect<Feed.Page<StoredAction>, FeedError>
    /** The same query across all customers (the actions page). */
    readonly list: (options?: FeedOptions) => Effect.Effect<Feed.Page<StoredAction>, FeedError>
  }
>()("@actionlog/store/ActionStore") {
  static readonly layer = Layer.effect(
    ActionStore,
    Effect.gen(function* () {
      const db = yield* Database
      const cache = yield* RegistryCache

      const recordBatchInternal = (
        items: ReadonlyArray<RecordActionInput.RecordActionInput>,
        options: RecordOptions | undefined,
      ) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const by = options?.recordedBy ?? DEFAULT_RECORDED_BY
          const recordedBy = `${by.kind}:${by.id}`
          // Validate before taking the write lock; redo it inside only if a registry changed.
          const before = yield* cache.current
          const byStaff = by.kind === "staff"
          let prepared: Array<PreparedItem> = items.map((i) => prepareItem(i, before, now, byStaff))
          return yield* db.transaction(
            Effect.gen(function* () {
              const snap = yield* cache.current
              if (snap.version !== before.version) {
                prepared = items.map((i) => prepareItem(i, snap, now, byStaff))
              }
              const program = writeBatch(prepared, now, recordedBy)
              const sync = yield* db.syncRunner
              if (sync !== undefined) {
                return yield* Effect.try({
                  try: () => runSync(program, sync.run),
                  catch: (e) => (e instanceof DatabaseError ? e : DatabaseError.fromUnknown(e)),
                })
              }
              let step = program.next()
              while (step.done !== true) {
                const res = yield* db.execute(step.value.sql, step.value.args)
                step = program.next(res)
              }
              return step.value
            }),
          )
        })

      // Hot paths: untraced (no span per call).
      const recordBatch = Effect.fnUntraced(function* (
        items: ReadonlyArray<RecordActionInput.RecordActionInput>,
        options?: RecordOptions,
      ) {
        if (items.length > 1000 || (options?.bytes !== undefined && options.bytes > 1024 * 1024)) {
          const checked = Validation.checkBatch(items, options?.bytes ?? 0)
          if (Result.isFailure(checked)) return yield* checked.failure
        }
        if (items.length === 0) return []
        const results = yield* recordBatchInternal(items, options)
        return results.map(toBatchResult)
      })

      const record = Effect.fnUntraced(function* (
        input: RecordActionInput.RecordActionInput,
        options?: RecordOptions,
      ) {
        const [result] = yield* recordBatchInternal([input], options)
        if (result === undefined) return yield* new DatabaseError({ message: "no result" })
        if (result.status === "rejected") return yield* result.error
        return result as Recorded
      })

      const get = Effect.fnUntraced(function* (id: string) {
        const [row] = yield* db.query(`SELECT ${ACTION_COLUMNS} FROM actions WHERE id = ?`, [id])
        if (row === undefined) return yield* new Errors.ActionNotFound({ id })
        const snap = yield* cache.current
        const action = rowToAction(row, snap)
        const touchpoint = snap.touchpoints.get(action.touchpointId)
        return {
          action,
          template: snap.templates.get(action.template),
          touchpoint,
          channelPath: Registry.channelPath(snap.channelList, action.channelId as Ids.ChannelId),
          brand: snap.brands.get(action.brandId),
        } satisfies ActionDetail
      })

      const page = (customerId: string | undefined, options: FeedOptions | undefined) =>
        Effect.gen(function* () {
          const filter = options?.filter ?? {}
          const checked = Feed.checkFeedFilter(filter)
          if (Result.isFailure(checked)) return yield* checked.failure
          const limit = Math.max(
            1,
            Math.min(Feed.MAX_FEED_LIMIT, Math.trunc(options?.limit ?? Feed.DEFAULT_FEED_LIMIT)),
          )
          let cursor: Feed.FeedCursor | undefined
          if (options?.cursor !== undefined) {
            const decoded = Feed.decodeCursor(options.cursor)
            if (Result.isFailure(decoded)) return yield* decoded.failure
            cursor = decoded.success
          }
          const snap = yield* cache.current
          const built = buildWhere(filter, snap, customerId)
          if (built === undefined) return { items: [] } as Feed.Page<StoredAction>
          const { where, args } = built
          if (cursor !== undefined) {
            // Strictly after the last row seen: (occurred_at, id) < (cursor). The first term
            // is a plain range the index can seek on.
            where.push("occurred_at <= ? AND (occurred_at < ? OR id < ?)")
            args.push(cursor.occurredAt, cursor.occurredAt, cursor.id)
          }
          args.push(limit + 1)
          const rows = yield* db.query(
            `SELECT ${ACTION_COLUMNS} FROM actions ${where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`} ORDER BY occurred_at DESC, id DESC LIMIT ?`,
            args,
          )
          const items = rows.slice(0, limit).map((r) => rowToAction(r, snap))
          const last = items[items.length - 1]
          return rows.length > limit && last !== undefined
            ? {
                items,
                nextCursor: Feed.encodeCursor({
                  occurredAt: last.occurredAt,
                  id: last.id as Ids.ActionId,
                }),
              }
            : { items }
        })

      const feed = (customerId: string, options?: FeedOptions) => page(customerId, options)
      const list = (options?: FeedOptions) => page(undefined, options)

      return ActionStore.of({ record, recordBatch, get, feed, list })
    }),
  )
}
