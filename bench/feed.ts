/**
 * Feed benchmark: first page (50) and a deep page of random customers' feeds through
 * `ActionStore.feed`, on a database of 100k actions and one of 1M (10k customers, five heavy
 * customers that end up with ~50k actions each at 1M). Rows are loaded with the raw native
 * driver to keep the run short; both databases get the same generated stream (the small one
 * its first 100k actions).
 *
 * The two sizes are timed in ONE loop, alternating page by page, so that the machine's drift
 * (other jobs, memory bandwidth) lands on both alike: measured one after the other, the raw
 * SQL's own p50 moved by 1.8× between phases on this shared box, which is noise, not growth.
 *
 * Figures: p50/p99 of the first page at 1M (`p50_ms`, `p99_ms`, target p99 ≤ 2 ms), of the
 * deep page `deep_offset` (2,000) actions down a heavy customer's feed (`deep_p50_ms`, …),
 * `growth` = p99 at 1M ÷ p99 at 100k (target ≤ 1.5), `bytes_per_action` on disk, and the
 * garbage collector's pauses during the timed loop.
 */
import { Feed, type Ids } from "@actionlog/domain"
import * as Store from "@actionlog/store"
import { Effect } from "effect"
import { statSync } from "node:fs"
import { join } from "node:path"
import { PerformanceObserver } from "node:perf_hooks"
import { actionStream, makeCustomers, percentile, rng, round, take } from "./lib/data"
import {
  INSERT_ACTION,
  insertCustomers,
  migrateOnly,
  openNative,
  storeRuntime,
  tempDir,
  toRow,
} from "./lib/setup"

const CUSTOMERS = 10_000
const HEAVY = 5
const SMALL = Number(process.env["FEED_SMALL"] ?? 100_000)
const LARGE = Number(process.env["FEED_LARGE"] ?? 1_000_000)
const SAMPLES = Number(process.env["FEED_SAMPLES"] ?? 2000)
const DEEP_OFFSET = 2000

// Collector pauses during the timed loop: at p99 a page either waited for one or not.
const gcPauses: Array<number> = []
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push(e.duration)
}).observe({ entryTypes: ["gc"] })

const timed = async (xs: Array<number>, f: () => unknown) => {
  const t0 = performance.now()
  await f()
  xs.push(performance.now() - t0)
}

const FEED_SQL =
  "SELECT id, customer_id, template, occurred_at, recorded_at, touchpoint_id, channel_id, brand_id, transaction_id, payload, custom_fields, recorded_by FROM actions WHERE customer_id = ? ORDER BY occurred_at DESC, id DESC LIMIT ?"

const { dir, cleanup } = tempDir("feed")
try {
  const customers = makeCustomers(CUSTOMERS)
  const customerIds = customers.map((c) => c.id)
  const now = Date.now()

  /** A database holding the first `size` actions of the stream, opened through the store. */
  const build = async (size: number) => {
    const path = join(dir, `feed-${size}.db`)
    await migrateOnly(path)
    const raw = openNative(path, "NORMAL")
    raw.exec("PRAGMA cache_size = -262144")
    insertCustomers(raw, customers)
    const stream = actionStream({
      seed: 7,
      customers: CUSTOMERS,
      heavy: HEAVY,
      // ~50k actions for each heavy customer at 1M.
      heavyShare: (HEAVY * 50_000) / 1_000_000,
      spanMs: 2 * 365 * 24 * 3600 * 1000,
      nowMs: now,
      byEmailShare: 0,
      txPrefix: "f",
    })
    const insert = raw.prepare(INSERT_ACTION)
    const t0 = performance.now()
    for (let loaded = 0; loaded < size;) {
      const n = Math.min(50_000, size - loaded)
      raw.exec("BEGIN IMMEDIATE")
      for (const item of take(stream, n)) insert.run(toRow(item, now, customerIds))
      raw.exec("COMMIT")
      loaded += n
    }
    raw.exec("PRAGMA wal_checkpoint(TRUNCATE)")
    const loadMs = performance.now() - t0
    // Deep-page cursors of the heavy customers, DEEP_OFFSET actions down (fewer only when a
    // small test run gives them fewer actions), found once (untimed).
    const heavyRows = raw
      .prepare(
        "SELECT min(n) AS n FROM (SELECT count(*) AS n FROM actions WHERE customer_id IN (SELECT value FROM json_each(?)) GROUP BY customer_id)",
      )
      .get([JSON.stringify(customerIds.slice(0, HEAVY))]) as { n: number }
    const deepOffset = Math.min(DEEP_OFFSET, heavyRows.n - 1)
    const cursors = customerIds.slice(0, HEAVY).map((c) => {
      const row = raw
        .prepare(
          "SELECT occurred_at, id FROM actions WHERE customer_id = ? ORDER BY occurred_at DESC, id DESC LIMIT 1 OFFSET ?",
        )
        .get([c, deepOffset]) as {
        occurred_at: number
        id: string
      }
      return {
        c,
        cursor: Feed.encodeCursor({ occurredAt: row.occurred_at, id: row.id as Ids.ActionId }),
      }
    })
    const rt = storeRuntime(path)
    const actions = await rt.runPromise(Effect.service(Store.ActionStore))
    return {
      size,
      path,
      raw,
      rawFeed: raw.prepare(FEED_SQL),
      rt,
      feed: (c: string, cursor?: string) =>
        rt.runPromise(
          actions.feed(c, cursor === undefined ? { limit: 50 } : { limit: 50, cursor }),
        ),
      cursors,
      deepOffset,
      loadMs,
      first: [] as Array<number>,
      raw50: [] as Array<number>,
      deep: [] as Array<number>,
    }
  }

  const small = await build(SMALL)
  const large = await build(LARGE)
  const both = [small, large] as const

  const r = rng(99)
  const pick = () =>
    r() < 0.1 ? customerIds[Math.floor(r() * HEAVY)]! : customerIds[Math.floor(r() * CUSTOMERS)]!
  // Warm up the runtimes and the page caches a little, like a running server.
  for (let i = 0; i < 200; i++) for (const db of both) await db.feed(pick())

  const picked = Array.from({ length: SAMPLES }, pick)
  const gcBefore = gcPauses.length
  for (let i = 0; i < SAMPLES; i++) {
    const c = picked[i]!
    // Alternate which size goes first, so neither always runs right after the other.
    const order = i % 2 === 0 ? both : ([large, small] as const)
    for (const db of order) await timed(db.first, () => db.feed(c))
  }
  await new Promise((resolve) => setTimeout(resolve, 20)) // let the observer deliver its entries
  const gc = gcPauses.slice(gcBefore)
  // Deep pages: heavy customers, DEEP_OFFSET actions down.
  for (let i = 0; i < SAMPLES / 4; i++) {
    for (const db of both) {
      const { c, cursor } = db.cursors[i % db.cursors.length]!
      await timed(db.deep, () => db.feed(c, cursor))
    }
  }
  // Reference: the same first-page SQL on the raw driver for the same customers, to tell the
  // machine's noise from the store's overhead. In its own pass: interleaved with the store's
  // pages, its garbage made the collector pause inside the store's timings.
  for (const c of picked)
    for (const db of both) await timed(db.raw50, () => db.rawFeed.all([c, 51]))

  const figures = both.map((db) => ({
    label: `${db.size / 1000}k`,
    raw_sql_p50: round(percentile(db.raw50, 0.5)),
    raw_sql_p99: round(percentile(db.raw50, 0.99)),
    first_p50: round(percentile(db.first, 0.5)),
    first_p99: round(percentile(db.first, 0.99)),
    deep_p50: round(percentile(db.deep, 0.5)),
    deep_p99: round(percentile(db.deep, 0.99)),
  }))
  for (const db of both) {
    await db.rt.dispose()
    db.raw.exec("PRAGMA wal_checkpoint(TRUNCATE)")
    db.raw.close()
  }
  const bytes = statSync(large.path).size
  const [s, l] = figures as [(typeof figures)[number], (typeof figures)[number]]

  console.table(figures)
  console.log(
    `loaded ${SMALL} rows in ${round(small.loadMs / 1000, 1)} s, ${LARGE} rows in ${round(large.loadMs / 1000, 1)} s; ` +
      `heavy customers have ~${Math.round((LARGE * 0.25) / HEAVY)} actions each; file ${round(bytes / 1e6, 1)} MB; ` +
      `${gc.length} collector pauses during ${SAMPLES * 2} timed first pages (longest ${round(Math.max(0, ...gc))} ms)`,
  )
  console.log(
    JSON.stringify({
      name: "feed",
      actions: LARGE,
      customers: CUSTOMERS,
      page_size: 50,
      p50_ms: l.first_p50,
      p99_ms: l.first_p99,
      p99_ms_100k: s.first_p99,
      deep_offset: large.deepOffset,
      deep_p50_ms: l.deep_p50,
      deep_p99_ms: l.deep_p99,
      growth: round(l.first_p99 / s.first_p99, 3),
      raw_sql_p50_ms: l.raw_sql_p50,
      raw_sql_p99_ms: l.raw_sql_p99,
      gc_pauses_per_1k_pages: round((gc.length / (SAMPLES * 2)) * 1000, 1),
      bytes_per_action: Math.round(bytes / LARGE),
    }),
  )
} finally {
  cleanup()
}
