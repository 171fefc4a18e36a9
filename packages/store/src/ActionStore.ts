/**
 * Recording and reading actions.
 *
 * Recording: every item is checked against the registries without the database (template,
 * event time, size, payload, touchpoint, brand), then the valid ones are written in ONE write
 * transaction together with the rules that need the database (transaction-id idempotency,
 * customer resolution / creation, external-identity uniqueness; internal/writeBatch.ts). A
 * batch is therefore all there or not there after a crash. Called inside a caller's
 * `Database.transaction`, it joins that transaction (as a savepoint), so a producer's own
 * change and its action commit together.
 *
 * Natively the rules run inside BEGIN IMMEDIATE with point queries. Remotely, where every
 * statement is a round trip, a batch is one read batch (the registry version and every fact
 * the rules may ask for) and one write batch that fails if a concurrent writer changed what
 * was read; then it is planned again from fresh reads: two round trips, one for a replay.
 *
 * Reading: keyset pagination on (occurred_at DESC, id DESC), served by `actions_feed` for one
 * customer and by `actions_time` / `actions_template` across customers.
 */
import {
  Action,
  Customer,
  Errors,
  Feed,
  Registry,
  Validation,
  type Ids,
  type RecordActionInput,
  type Template,
} from "@actionlog/domain"
import { Clock, Context, Effect, Layer, Result } from "effect"
import { Database, type Row, type SqlStatement, type SqlValue } from "./Database"
import { DatabaseError } from "./DatabaseError"
import { prepareItem } from "./internal/prepare"
import {
  collectWrites,
  planBatch,
  queryFacts,
  registryGuard,
  remoteReads,
  runWriter,
  type PreparedItem,
  type WriteResult,
} from "./internal/writeBatch"
import { RegistryCache, VERSION_SQL, versionOf, type RegistrySnapshot } from "./RegistryCache"

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

/** What `recordWith` tells the caller's statements about the action it records. */
export interface RecordedAction {
  readonly id: Ids.ActionId
  readonly occurredAt: number
  readonly recordedAt: number
  readonly touchpointId: string
  readonly channelId: string
  readonly brandId: string
}

export interface RecordWithSpec<A> {
  /** Without a transaction id: the caller's own state is what makes a change happen once. */
  readonly input: RecordActionInput.RecordActionInput
  readonly options?: RecordOptions | undefined
  readonly statements: (action: RecordedAction) => ReadonlyArray<SqlStatement>
  readonly value: A
}

/** Statements written after the planned rows, in the same write batch / transaction. */
type Extra = (
  results: ReadonlyArray<WriteResult>,
  prepared: ReadonlyArray<PreparedItem>,
) => ReadonlyArray<SqlStatement>

interface Batch<A> {
  readonly items: ReadonlyArray<RecordActionInput.RecordActionInput>
  readonly extra?: Extra | undefined
  readonly value?: A | undefined
}

const recordedByOf = (options: RecordOptions | undefined) => {
  const by = options?.recordedBy ?? DEFAULT_RECORDED_BY
  return `${by.kind}:${by.id}`
}

/** Read → plan → write attempts of a remote batch before a lost race is reported. */
const REMOTE_ATTEMPTS = 6

/** A write batch that lost a race: a unique key, foreign key or guard saw a concurrent write. */
const isConflict = (e: DatabaseError): boolean =>
  (e.code !== undefined && e.code.startsWith("SQLITE_CONSTRAINT")) ||
  /constraint failed/i.test(e.message)

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

/** Exported for the export / live readers; not part of the package index. */
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

// A merged-away id or identifier resolves to the survivor (customer_redirects,
// identifier_redirects); the survivor must still exist.
const SQL_CUSTOMER_BY_ID =
  "SELECT id FROM customers WHERE id = COALESCE((SELECT id FROM customers WHERE id = ?1), (SELECT customer_id FROM customer_redirects WHERE from_id = ?1))"
const SQL_CUSTOMER_BY_IDENTIFIER =
  "SELECT id FROM customers WHERE id = COALESCE((SELECT customer_id FROM customer_identifiers WHERE kind = ?1 AND value = ?2), (SELECT customer_id FROM identifier_redirects WHERE kind = ?1 AND value = ?2))"

/** Staff record at the admin panel touchpoint when they name none (`recordedBy` = kind:id). */
const isStaff = (recordedBy: string) => recordedBy.startsWith("staff:")

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
    /**
     * Record one action and, atomically with it, the caller's own statements built from the
     * recorded action: how a producer writes its state change and its action. `build` does
     * the caller's reads and decisions. Natively it runs inside the write transaction;
     * remotely (outside a transaction) it runs before the action's read batch and is run again
     * whenever the write batch loses a race, so its statements should start with a `guard`
     * that fails when what it read has changed: three round trips in all.
     */
    readonly recordWith: <A, E, R>(
      build: Effect.Effect<RecordWithSpec<A>, E, R>,
    ) => Effect.Effect<
      { readonly recorded: RecordedAction; readonly value: A },
      E | Errors.ActionRejection | DatabaseError,
      R
    >
    /** One action with its touchpoint, channel path and brand. */
    readonly get: (
      id: Ids.ActionId | string,
    ) => Effect.Effect<ActionDetail, Errors.ActionNotFound | DatabaseError>
    /** One customer's activity feed, newest first by event time. */
    readonly feed: (
      customerId: Ids.CustomerId | string,
      options?: FeedOptions,
    ) => Effect.Effect<Feed.Page<StoredAction>, FeedError>
    /**
     * The feed of a customer named by id or by identifier; a merged-away id or identifier reads
     * the survivor's feed, an unknown one is `CustomerNotFound`.
     */
    readonly feedOf: (
      customer: Customer.CustomerRef,
      options?: FeedOptions,
    ) => Effect.Effect<Feed.Page<StoredAction>, FeedError | Errors.CustomerNotFound>
    /** The same query across all customers (the actions page). */
    readonly list: (options?: FeedOptions) => Effect.Effect<Feed.Page<StoredAction>, FeedError>
  }
>()("@actionlog/store/ActionStore") {
  static readonly layer = Layer.effect(
    ActionStore,
    Effect.gen(function* () {
      const db = yield* Database
      const cache = yield* RegistryCache

      const recordNative = (
        items: ReadonlyArray<RecordActionInput.RecordActionInput>,
        now: number,
        recordedBy: string,
        extra: Extra | undefined,
      ) =>
        Effect.gen(function* () {
          // Validate before taking the write lock; redo it inside only if a registry changed.
          const before = yield* cache.current
          const byStaff = isStaff(recordedBy)
          let prepared: Array<PreparedItem> = items.map((i) => prepareItem(i, before, now, byStaff))
          return yield* db.transaction(
            Effect.gen(function* () {
              const snap = yield* cache.current
              if (snap.version !== before.version) {
                prepared = items.map((i) => prepareItem(i, snap, now, byStaff))
              }
              const sync = yield* db.syncRunner
              if (sync === undefined) return yield* new DatabaseError({ message: "no connection" })
              return yield* Effect.try({
                try: () => {
                  const facts = queryFacts(sync.run)
                  const results = planBatch(prepared, now, recordedBy, facts, runWriter(sync.run))
                  for (const st of extra?.(results, prepared) ?? []) sync.run(st.sql, st.args ?? [])
                  return results
                },
                catch: (e) => (e instanceof DatabaseError ? e : DatabaseError.fromUnknown(e)),
              })
            }),
          )
        })

      /**
       * One attempt costs a read batch and (unless nothing is new) a write batch. Outside a
       * transaction the write is guarded, so a lost race fails it and the next attempt sees
       * the winner's rows; inside one (a producer's), the transaction holds the write lock.
       */
      const recordRemote = <A, E, R>(
        source: Effect.Effect<Batch<A>, E, R>,
        now: number,
        recordedBy: (batch: Batch<A>) => string,
      ) =>
        Effect.gen(function* () {
          const inTx = yield* db.inTransaction
          let snap = (yield* cache.peek) ?? (yield* cache.current)
          for (let attempt = 1; ; attempt++) {
            // The caller's own reads (a producer's) are redone on every attempt too.
            const batch = yield* source
            const items = batch.items
            const byStaff = isStaff(recordedBy(batch))
            const prepared = items.map((i) => prepareItem(i, snap, now, byStaff))
            const reads = remoteReads(prepared)
            const answers = yield* db.readBatch([{ sql: VERSION_SQL }, ...reads.statements])
            const version = versionOf(answers[0]!.rows)
            const last = attempt >= REMOTE_ATTEMPTS
            if (version !== snap.version) {
              snap = yield* cache.at(version)
              if (!last) continue
              return yield* new DatabaseError({ message: "the registries kept changing" })
            }
            const facts = reads.facts(answers.slice(1))
            const planned = collectWrites(facts)
            const results = planBatch(prepared, now, recordedBy(batch), facts, planned.writer)
            const statements = [
              ...planned.statements(),
              ...(batch.extra?.(results, prepared) ?? []),
            ]
            const done = { results, batch }
            if (statements.length === 0) return done
            const written = yield* Effect.result(
              db.batch(inTx ? statements : [registryGuard(version), ...statements]),
            )
            if (Result.isSuccess(written)) return done
            if (inTx || last || !isConflict(written.failure)) return yield* written.failure
          }
        })

      const recordBatchInternal = (
        items: ReadonlyArray<RecordActionInput.RecordActionInput>,
        options: RecordOptions | undefined,
      ) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const recordedBy = recordedByOf(options)
          if (db.mode === "native") return yield* recordNative(items, now, recordedBy, undefined)
          const done = yield* recordRemote(Effect.succeed({ items }), now, () => recordedBy)
          return done.results
        })

      const recordWith = <A, E, R>(build: Effect.Effect<RecordWithSpec<A>, E, R>) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          let recorded: RecordedAction | undefined
          const toBatch = (spec: RecordWithSpec<A>): Batch<RecordWithSpec<A>> => ({
            items: [spec.input],
            value: spec,
            extra: (results, prepared) => {
              const [r] = results
              const item = prepared[0]
              if (r?.status !== "recorded" || item?.ok !== true) return []
              recorded = {
                id: r.id,
                occurredAt: item.occurredAt,
                recordedAt: now,
                touchpointId: item.touchpointId,
                channelId: item.channelId,
                brandId: item.brandId,
              }
              return spec.statements(recorded)
            },
          })
          let results: ReadonlyArray<WriteResult>
          let spec: RecordWithSpec<A>
          if (db.mode === "native") {
            ;({ results, spec } = yield* db.transaction(
              Effect.gen(function* () {
                const s = yield* build
                const b = toBatch(s)
                const rs = yield* recordNative(b.items, now, recordedByOf(s.options), b.extra)
                return { results: rs, spec: s }
              }),
            ))
          } else {
            const done = yield* recordRemote(Effect.map(build, toBatch), now, (b) =>
              recordedByOf(b.value!.options),
            )
            results = done.results
            spec = done.batch.value!
          }
          const [result] = results
          if (result === undefined) return yield* new DatabaseError({ message: "no result" })
          if (result.status === "rejected") return yield* result.error
          if (recorded === undefined || recorded.id !== result.id)
            return yield* new DatabaseError({ message: "recordWith takes no transaction id" })
          return { recorded, value: spec.value }
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
        // The registry version travels with the read: one round trip on a remote database.
        const [version, result] = yield* db.readBatch([
          { sql: VERSION_SQL },
          { sql: `SELECT ${ACTION_COLUMNS} FROM actions WHERE id = ?`, args: [id] },
        ])
        const row = result!.rows[0]
        if (row === undefined) return yield* new Errors.ActionNotFound({ id })
        const snap = yield* cache.at(versionOf(version!.rows))
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
          // The query is built from the registries loaded last and sent together with their
          // version (one round trip on a remote database); rebuilt if they changed since.
          let snap = (yield* cache.peek) ?? (yield* cache.current)
          let rows: ReadonlyArray<Row>
          for (;;) {
            const built = buildWhere(filter, snap, customerId)
            const { where, args } = built ?? { where: [], args: [] }
            if (cursor !== undefined) {
              // Strictly after the last row seen: (occurred_at, id) < (cursor). The first term
              // is a plain range the index can seek on.
              where.push("occurred_at <= ? AND (occurred_at < ? OR id < ?)")
              args.push(cursor.occurredAt, cursor.occurredAt, cursor.id)
            }
            args.push(limit + 1)
            const [version, result] = yield* db.readBatch([
              { sql: VERSION_SQL },
              // A filter that can match nothing (e.g. a category without templates) skips
              // the query.
              built === undefined
                ? { sql: "SELECT 1 WHERE 0" }
                : {
                    sql: `SELECT ${ACTION_COLUMNS} FROM actions ${where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`} ORDER BY occurred_at DESC, id DESC LIMIT ?`,
                    args,
                  },
            ])
            const v = versionOf(version!.rows)
            if (v === snap.version) {
              rows = result!.rows
              break
            }
            snap = yield* cache.at(v)
          }
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

      const resolveCustomerId = (ref: Customer.CustomerRef) =>
        Effect.gen(function* () {
          let rows: ReadonlyArray<Row>
          let named: string
          if ("id" in ref) {
            named = `id:${ref.id}`
            rows = yield* db.query(SQL_CUSTOMER_BY_ID, [ref.id])
          } else {
            const n = Customer.normalizeIdentifier(ref.identifier)
            named = `${n.kind}:${n.value}`
            rows = yield* db.query(SQL_CUSTOMER_BY_IDENTIFIER, [n.kind, n.value])
          }
          const id = rows[0]?.["id"]
          if (typeof id !== "string") return yield* new Errors.CustomerNotFound({ customer: named })
          return id
        })

      const feedOf = (ref: Customer.CustomerRef, options?: FeedOptions) =>
        Effect.gen(function* () {
          // Merges move the actions to the survivor and erasure deletes them, so a customer id
          // with actions is its own, live feed: the common case costs the page query alone.
          if ("id" in ref) {
            const direct = yield* page(ref.id, options)
            if (direct.items.length > 0) return direct
          }
          return yield* page(yield* resolveCustomerId(ref), options)
        })

      return ActionStore.of({ record, recordBatch, recordWith, get, feed, feedOf, list })
    }),
  )
}
