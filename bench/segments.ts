/**
 * Segments benchmark: "did ProductViewed at least 3 times in the last 30 days AND NOT
 * CustomerSignedIn" (ever; ~13% of customers never signed in, so the segment is not empty) over 1,000,000
 * actions of 10,000 customers (SEGMENT_ACTIONS to change), through
 * `Segments.count` and the first page of `Segments.list`. Target: `p50_ms` ≤ 200 (count).
 * Baseline in the same run, on the same database: the segment as a hand-written aggregate
 * query (GROUP BY … HAVING, NOT IN) on the native driver, interleaved run by run with the
 * store's count; it must count the same customers. `ratio` = store p50 ÷ baseline p50.
 */
import { Segment } from "@actionlog/domain"
import * as Store from "@actionlog/store"
import { Effect, Schema } from "effect"
import { join } from "node:path"
import { actionStream, makeCustomers, percentile, round, take } from "./lib/data"
import {
  INSERT_ACTION,
  insertCustomers,
  migrateOnly,
  openNative,
  storeRuntime,
  tempDir,
  toRow,
} from "./lib/setup"

const ACTIONS = Number(process.env["SEGMENT_ACTIONS"] ?? 1_000_000)
const RUNS = Number(process.env["SEGMENT_RUNS"] ?? 21)
const CUSTOMERS = 10_000

const { dir, cleanup } = tempDir("segments")
try {
  const path = join(dir, "segments.db")
  await migrateOnly(path)
  const customers = makeCustomers(CUSTOMERS)
  const customerIds = customers.map((c) => c.id)
  const now = Date.now()
  {
    const db = openNative(path, "NORMAL")
    insertCustomers(db, customers)
    const insert = db.prepare(INSERT_ACTION)
    const items = actionStream({
      seed: 11,
      customers: CUSTOMERS,
      heavy: 5,
      heavyShare: 0.05,
      spanMs: 365 * 24 * 3600 * 1000,
      nowMs: now,
      byEmailShare: 0,
      txPrefix: "seg",
    })
    for (let done = 0; done < ACTIONS;) {
      const batch = take(items, Math.min(50_000, ACTIONS - done))
      done += batch.length
      db.exec("BEGIN IMMEDIATE")
      for (const item of batch) insert.run(toRow(item, now, customerIds))
      db.exec("COMMIT")
    }
    db.exec("ANALYZE")
    db.close()
  }

  const definition = Schema.decodeUnknownSync(Segment.Segment)({
    _tag: "And",
    of: [
      { _tag: "HasActions", templates: ["ProductViewed"], minCount: 3, window: { lastDays: 30 } },
      { _tag: "Not", of: { _tag: "HasActions", templates: ["CustomerSignedIn"] } },
    ],
  })
  if (process.env["SEGMENT_PLAN"] === "1") {
    const db = openNative(path)
    const { sql, args } = Store.compileSegment(definition, Date.now())
    for (const r of db
      .prepare(`EXPLAIN QUERY PLAN SELECT count(*) FROM customers c WHERE ${sql}`)
      .all(args as Array<never>) as Array<{ detail: string }>)
      console.log(r.detail)
    db.close()
  }
  // Baseline, on the same database in the same run: the same segment written by hand as one
  // aggregate query on the native driver (the usual GROUP BY … HAVING shape).
  const raw = openNative(path)
  const baseline = raw.prepare(
    `SELECT count(*) AS n FROM (
       SELECT customer_id FROM actions
       WHERE template = 'ProductViewed' AND occurred_at >= ?
       GROUP BY customer_id HAVING count(*) >= 3
     ) WHERE customer_id NOT IN (SELECT customer_id FROM actions WHERE template = 'CustomerSignedIn')`,
  )
  const rt = storeRuntime(path)
  const segments = await rt.runPromise(Effect.service(Store.Segments))
  const countMs: Array<number> = []
  const listMs: Array<number> = []
  const baselineMs: Array<number> = []
  let matched = 0
  for (let i = 0; i < RUNS; i++) {
    // Alternate which goes first, so neither always runs on a warmer cache.
    const store = async () => {
      const t0 = performance.now()
      matched = await rt.runPromise(segments.count(definition))
      countMs.push(performance.now() - t0)
    }
    const hand = () => {
      const t0 = performance.now()
      const { n } = baseline.get([Date.now() - 30 * 86_400_000]) as { n: number }
      baselineMs.push(performance.now() - t0)
      return n
    }
    let byHand: number
    if (i % 2 === 0) {
      await store()
      byHand = hand()
    } else {
      byHand = hand()
      await store()
    }
    if (byHand !== matched) throw new Error(`store counted ${matched}, the baseline ${byHand}`)
    const t0 = performance.now()
    const page = await rt.runPromise(segments.list(definition, { limit: 100 }))
    listMs.push(performance.now() - t0)
    if (page.items.length !== Math.min(100, matched)) throw new Error("list/count disagree")
  }
  await rt.dispose()
  raw.close()
  const countP50 = percentile(countMs, 0.5)
  const baselineP50 = percentile(baselineMs, 0.5)

  console.table([
    {
      query: "count",
      p50_ms: round(percentile(countMs, 0.5), 1),
      p95_ms: round(percentile(countMs, 0.95), 1),
    },
    {
      query: "baseline: hand-written GROUP BY count (native driver)",
      p50_ms: round(baselineP50, 1),
      p95_ms: round(percentile(baselineMs, 0.95), 1),
    },
    {
      query: "list (first 100)",
      p50_ms: round(percentile(listMs, 0.5), 1),
      p95_ms: round(percentile(listMs, 0.95), 1),
    },
  ])
  console.log(
    JSON.stringify({
      name: "segments",
      actions: ACTIONS,
      customers: CUSTOMERS,
      matched,
      runs: RUNS,
      p50_ms: round(percentile(countMs, 0.5), 1),
      p95_ms: round(percentile(countMs, 0.95), 1),
      list_p50_ms: round(percentile(listMs, 0.5), 1),
      baseline_p50_ms: round(baselineP50, 1),
      baseline_p95_ms: round(percentile(baselineMs, 0.95), 1),
      // Below 1: the store's compiled query beats the hand-written one.
      ratio: round(countP50 / baselineP50, 3),
    }),
  )
} finally {
  cleanup()
}
