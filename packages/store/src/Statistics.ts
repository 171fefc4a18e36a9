/**
 * Statistics for dashboard charts (SPEC §6): actions per day (or hour, UTC) by template,
 * category, channel or brand, over an event-time range (served by `actions_time`).
 */
import { Errors } from "@actionlog/domain"
import { Context, Effect, Layer } from "effect"
import { Database, type SqlValue } from "./Database"
import type { DatabaseError } from "./DatabaseError"
import { RegistryCache } from "./RegistryCache"

export type StatsDimension = "template" | "category" | "channel" | "brand"
export type StatsBucket = "day" | "hour"

export interface StatsQuery {
  readonly by: StatsDimension
  readonly bucket?: StatsBucket | undefined
  /** Event time, epoch ms, inclusive. */
  readonly from: number
  /** Event time, epoch ms, exclusive. */
  readonly to: number
  readonly templates?: ReadonlyArray<string> | undefined
}

export interface StatsSeries {
  /** Template / category / channel id / brand id. */
  readonly key: string
  /** One count per bucket, aligned with `buckets`. */
  readonly counts: ReadonlyArray<number>
  readonly total: number
}

export interface StatsResult {
  readonly bucket: StatsBucket
  /** Bucket starts (epoch ms, UTC). */
  readonly buckets: ReadonlyArray<number>
  readonly series: ReadonlyArray<StatsSeries>
}

const BUCKET_MS: Record<StatsBucket, number> = { day: 86_400_000, hour: 3_600_000 }
/** At most this many buckets per chart (a bit over a year of days, a month of hours). */
export const MAX_BUCKETS = 750

const COLUMN: Record<Exclude<StatsDimension, "category">, string> = {
  template: "template",
  channel: "channel_id",
  brand: "brand_id",
}

export class Statistics extends Context.Service<
  Statistics,
  {
    readonly actionsPerDay: (
      query: StatsQuery,
    ) => Effect.Effect<StatsResult, Errors.InvalidFilter | DatabaseError>
  }
>()("@actionlog/store/Statistics") {
  static readonly layer = Layer.effect(
    Statistics,
    Effect.gen(function* () {
      const db = yield* Database
      const cache = yield* RegistryCache

      const actionsPerDay = Effect.fn("Statistics.actionsPerDay")(function* (q: StatsQuery) {
        const bucket = q.bucket ?? "day"
        const size = BUCKET_MS[bucket]
        if (!(q.from <= q.to))
          return yield* new Errors.InvalidFilter({ field: "from", reason: "must not be after to" })
        const first = Math.floor(q.from / size) * size
        const n = Math.ceil((q.to - first) / size)
        if (n > MAX_BUCKETS) {
          return yield* new Errors.InvalidFilter({
            field: "to",
            reason: `at most ${MAX_BUCKETS} ${bucket}s per query`,
          })
        }
        const column = q.by === "category" ? "template" : COLUMN[q.by]
        const args: Array<SqlValue> = [size, size, q.from, q.to]
        let filter = ""
        if (q.templates !== undefined) {
          filter = " AND template IN (SELECT value FROM json_each(?))"
          args.push(JSON.stringify(q.templates))
        }
        const rows = yield* db.query<{ b: number; k: string; n: number }>(
          `SELECT CAST(occurred_at / ? AS INTEGER) * ? AS b, ${column} AS k, count(*) AS n FROM actions
           WHERE occurred_at >= ? AND occurred_at < ?${filter} GROUP BY b, k`,
          args,
        )
        const snap = yield* cache.current
        const buckets = Array.from({ length: Math.max(0, n) }, (_, i) => first + i * size)
        const series = new Map<string, Array<number>>()
        for (const r of rows) {
          const key =
            q.by === "category" ? (snap.templates.get(r.k)?.category ?? "personal") : String(r.k)
          let counts = series.get(key)
          if (counts === undefined) series.set(key, (counts = buckets.map(() => 0)))
          const i = Math.round((Number(r.b) - first) / size)
          if (i >= 0 && i < counts.length) counts[i] = (counts[i] ?? 0) + Number(r.n)
        }
        return {
          bucket,
          buckets,
          series: [...series.entries()]
            .map(([key, counts]) => ({ key, counts, total: counts.reduce((a, b) => a + b, 0) }))
            .sort((a, b) => b.total - a.total || a.key.localeCompare(b.key)),
        } satisfies StatsResult
      })

      return Statistics.of({ actionsPerDay })
    }),
  )
}
