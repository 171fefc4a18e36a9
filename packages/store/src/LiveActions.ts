/**
 * Live actions (SPEC §6): new actions of one customer or of given templates, in recorded
 * order, resumable from a position.
 *
 * The position is the action's `seq` (rowid): the writer lock serialises write transactions
 * and a new row gets max(seq)+1, so seq order is commit order — unlike action ids, whose
 * UUIDv7 time is taken before the write lock is acquired. Every process polls the same
 * database (one cheap `max(seq)` read per interval while a subscriber waits), so subscribers
 * see actions recorded by any process; a commit of the same process wakes them at once. A
 * reconnect with the last position continues without gaps.
 */
import { Context, Effect, Layer } from "effect"
import { ACTION_COLUMNS, rowToAction, type StoredAction } from "./ActionStore"
import { Database, type SqlValue } from "./Database"
import type { DatabaseError } from "./DatabaseError"
import { RegistryCache } from "./RegistryCache"

export interface LiveFilter {
  readonly customerId?: string | undefined
  readonly templates?: ReadonlyArray<string> | undefined
}

export interface LiveEvent {
  readonly position: number
  readonly action: StoredAction
}

/** How often a process checks for new actions. */
export const LIVE_POLL_MS = 100

export class LiveActions extends Context.Service<
  LiveActions,
  {
    /** The position of the newest action now (subscribe "from now"). */
    readonly head: Effect.Effect<number, DatabaseError>
    /**
     * Actions after `position` (and at most `upTo`, when given) matching `filter`, in recorded
     * order (at most `limit`).
     */
    readonly after: (
      position: number,
      filter: LiveFilter,
      limit?: number,
      upTo?: number,
    ) => Effect.Effect<ReadonlyArray<LiveEvent>, DatabaseError>
    /**
     * Completes when an action after `position` may exist (the head moved past it), or after
     * `maxWaitMs` — whichever is first.
     */
    readonly waitForNew: (position: number, maxWaitMs?: number) => Effect.Effect<void>
  }
>()("@actionlog/store/LiveActions") {
  static readonly layer = Layer.effect(
    LiveActions,
    Effect.gen(function* () {
      const db = yield* Database
      const cache = yield* RegistryCache

      const head = Effect.map(
        db.query<{ n: number | null }>("SELECT max(seq) AS n FROM actions"),
        (rows) => Number(rows[0]?.n ?? 0),
      )

      const after = Effect.fn("LiveActions.after")(function* (
        position: number,
        filter: LiveFilter,
        limit: number = 500,
        upTo?: number,
      ) {
        const where = ["seq > ?"]
        const args: Array<SqlValue> = [position]
        if (upTo !== undefined) {
          where.push("seq <= ?")
          args.push(upTo)
        }
        if (filter.customerId !== undefined) {
          where.push("customer_id = ?")
          args.push(filter.customerId)
        }
        if (filter.templates !== undefined) {
          where.push("template IN (SELECT value FROM json_each(?))")
          args.push(JSON.stringify(filter.templates))
        }
        args.push(Math.max(1, Math.min(1000, limit)))
        const rows = yield* db.query(
          `SELECT seq, ${ACTION_COLUMNS} FROM actions WHERE ${where.join(" AND ")} ORDER BY seq LIMIT ?`,
          args,
        )
        const snap = yield* cache.current
        return rows.map((r) => ({ position: Number(r["seq"]), action: rowToAction(r, snap) }))
      })

      // Each waiting subscriber polls `max(seq)` (a rowid lookup, O(1)) for other processes'
      // writes, and wakes at once on a commit of this process; nothing runs while nobody
      // waits, so an idle process does no work.
      const waitForNew = (position: number, maxWaitMs: number = 15_000) =>
        Effect.gen(function* () {
          const polls = Math.max(1, Math.ceil(maxWaitMs / LIVE_POLL_MS))
          for (let i = 0; i < polls; i++) {
            const h = yield* Effect.orElseSucceed(head, () => position)
            if (h > position) return
            yield* Effect.raceFirst(db.nextCommit, Effect.sleep(`${LIVE_POLL_MS} millis`))
          }
        })

      return LiveActions.of({ head, after, waitForNew })
    }),
  )
}
