/**
 * Exports (SPEC §6): one customer's complete data (a data-access request), and every action in
 * a recorded-time window (`since` inclusive, `till` exclusive), page by page in recorded order
 * with keyset pagination on (recorded_at, seq) — served by the `actions_recorded` index, so a
 * stream of any length keeps memory flat.
 */
import { Errors, Registry, type Customer, type Ids } from "@actionlog/domain"
import { Clock, Context, Effect, Layer } from "effect"
import { ACTION_COLUMNS, rowToAction, type StoredAction } from "./ActionStore"
import { Customers } from "./Customers"
import { Database, type SqlValue } from "./Database"
import type { DatabaseError } from "./DatabaseError"
import { RegistryCache } from "./RegistryCache"

export interface ExportWindow {
  /** Recorded time, epoch ms, inclusive. */
  readonly since: number
  /** Recorded time, epoch ms, exclusive. */
  readonly till: number
  readonly templates?: ReadonlyArray<string> | undefined
  /** Channels match their sub-channels too. */
  readonly channels?: ReadonlyArray<string> | undefined
  readonly brands?: ReadonlyArray<string> | undefined
}

/** Where the next page starts: strictly after this (recorded_at, seq). */
export interface ExportPosition {
  readonly recordedAt: number
  readonly seq: number
}

export interface ExportPage {
  readonly items: ReadonlyArray<StoredAction>
  readonly next: ExportPosition | undefined
}

export interface CustomerExport {
  readonly exportedAt: number
  readonly profile: Customer.CustomerProfile
  /** Every action of the customer, oldest first by event time. */
  readonly actions: ReadonlyArray<StoredAction>
}

export const EXPORT_PAGE_SIZE = 1000

export const checkWindow = (w: ExportWindow): Errors.InvalidFilter | undefined => {
  if (!Number.isSafeInteger(w.since) || w.since < 0)
    return new Errors.InvalidFilter({ field: "since", reason: "must be a time" })
  if (!Number.isSafeInteger(w.till) || w.till < 0)
    return new Errors.InvalidFilter({ field: "till", reason: "must be a time" })
  if (w.since > w.till)
    return new Errors.InvalidFilter({ field: "since", reason: "must not be after till" })
  return undefined
}

export class Exports extends Context.Service<
  Exports,
  {
    /** One page of the window export, in recorded order. */
    readonly actionsPage: (
      window: ExportWindow,
      after: ExportPosition | undefined,
      limit?: number,
    ) => Effect.Effect<ExportPage, Errors.InvalidFilter | DatabaseError>
    /**
     * The whole window, page by page: `onPage` gets each page's actions as NDJSON text (one
     * action per line). Returns the number of actions exported.
     */
    readonly writeNdjson: <E, R>(
      window: ExportWindow,
      onPage: (ndjson: string, count: number) => Effect.Effect<void, E, R>,
    ) => Effect.Effect<number, Errors.InvalidFilter | DatabaseError | E, R>
    /** A customer's profile and every action. */
    readonly customer: (
      id: Ids.CustomerId | string,
    ) => Effect.Effect<CustomerExport, Errors.CustomerNotFound | DatabaseError>
  }
>()("@actionlog/store/Exports") {
  static readonly layer = Layer.effect(
    Exports,
    Effect.gen(function* () {
      const db = yield* Database
      const cache = yield* RegistryCache
      const customers = yield* Customers

      const actionsPage = Effect.fn("Exports.actionsPage")(function* (
        window: ExportWindow,
        after: ExportPosition | undefined,
        limit: number = EXPORT_PAGE_SIZE,
      ) {
        const bad = checkWindow(window)
        if (bad !== undefined) return yield* bad
        const snap = yield* cache.current
        const where = ["recorded_at >= ?", "recorded_at < ?"]
        const args: Array<SqlValue> = [window.since, window.till]
        const inList = (column: string, values: ReadonlyArray<string> | undefined) => {
          if (values === undefined) return true
          if (values.length === 0) return false
          where.push(`${column} IN (SELECT value FROM json_each(?))`)
          args.push(JSON.stringify(values))
          return true
        }
        const channels =
          window.channels === undefined
            ? undefined
            : [
                ...new Set(
                  window.channels.flatMap((c) =>
                    Registry.expandChannel(snap.channelList, c as Ids.ChannelId),
                  ),
                ),
              ]
        if (
          !inList("template", window.templates) ||
          !inList("channel_id", channels) ||
          !inList("brand_id", window.brands)
        ) {
          return { items: [], next: undefined } satisfies ExportPage
        }
        if (after !== undefined) {
          where.push("recorded_at >= ? AND (recorded_at > ? OR seq > ?)")
          args.push(after.recordedAt, after.recordedAt, after.seq)
        }
        const n = Math.max(1, Math.min(10_000, Math.trunc(limit)))
        args.push(n)
        const rows = yield* db.query(
          `SELECT seq, ${ACTION_COLUMNS} FROM actions WHERE ${where.join(" AND ")} ORDER BY recorded_at, seq LIMIT ?`,
          args,
        )
        const last = rows[rows.length - 1]
        return {
          items: rows.map((r) => rowToAction(r, snap)),
          next:
            rows.length === n && last !== undefined
              ? { recordedAt: Number(last["recorded_at"]), seq: Number(last["seq"]) }
              : undefined,
        } satisfies ExportPage
      })

      const writeNdjson = <E, R>(
        window: ExportWindow,
        onPage: (ndjson: string, count: number) => Effect.Effect<void, E, R>,
      ) =>
        Effect.gen(function* () {
          let after: ExportPosition | undefined
          let total = 0
          for (;;) {
            const page = yield* actionsPage(window, after)
            if (page.items.length > 0) {
              let text = ""
              for (const a of page.items) text += `${JSON.stringify(a)}\n`
              total += page.items.length
              yield* onPage(text, page.items.length)
            }
            if (page.next === undefined) return total
            after = page.next
          }
        })

      const customer = Effect.fn("Exports.customer")(function* (id: string) {
        const profile = yield* customers.get(id)
        const snap = yield* cache.current
        const rows = yield* db.query(
          `SELECT ${ACTION_COLUMNS} FROM actions WHERE customer_id = ? ORDER BY occurred_at, id`,
          [id],
        )
        const exportedAt = yield* Clock.currentTimeMillis
        return {
          exportedAt,
          profile,
          actions: rows.map((r) => rowToAction(r, snap)),
        } satisfies CustomerExport
      })

      return Exports.of({ actionsPage, writeNdjson, customer })
    }),
  )
}
