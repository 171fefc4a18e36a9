/**
 * Ingest benchmark: batches of 1,000 realistic actions through `ActionStore.recordBatch`
 * against a baseline in the same run — the native `libsql` driver inserting the same rows into
 * the same schema with one prepared statement and one transaction per 1,000.
 * `ratio` = store rows/s ÷ baseline rows/s (target ≥ 0.7).
 */
import type { RecordActionInput } from "@actionlog/domain"
import * as Store from "@actionlog/store"
import { Effect } from "effect"
import { join } from "node:path"
import {
  customerId,
  makeCustomers,
  median,
  round,
  shopStream,
  sum,
  take,
  type BenchItem,
} from "./lib/data"
import {
  databaseWithCustomers,
  INSERT_ACTION,
  openNative,
  storeRuntime,
  tempDir,
  toRow,
} from "./lib/setup"

const BATCH = 1000
const BATCHES = Number(process.env["INGEST_BATCHES"] ?? 40)
const WARMUP = 3
const CUSTOMERS = 10_000
// Both sides use the same durability; FULL (the store's default) fsyncs every commit.
const SYNC = (process.env["INGEST_SYNC"] ?? "FULL") === "NORMAL" ? "NORMAL" : "FULL"

const { dir, cleanup } = tempDir("ingest")
try {
  const customers = makeCustomers(CUSTOMERS)
  const customerIds = customers.map((c) => c.id)
  const storePath = await databaseWithCustomers(join(dir, "store.db"), customers)
  const basePath = await databaseWithCustomers(join(dir, "baseline.db"), customers)

  const now = Date.now()
  const stream = (prefix: string) =>
    shopStream({ seed: 42, customers: CUSTOMERS, nowMs: now, txPrefix: prefix })
  const storeItems = stream("s")
  const baseItems = stream("b")
  const batches = (it: Iterator<BenchItem>) =>
    Array.from({ length: WARMUP + BATCHES }, () => take(it, BATCH))
  const storeBatches = batches(storeItems)
  const baseBatches = batches(baseItems)
  const payloadBytes =
    storeBatches.flat().reduce((s, i) => s + JSON.stringify(i.input.payload).length, 0) /
    storeBatches.flat().length

  const rt = storeRuntime(storePath, SYNC)
  const actions = await rt.runPromise(Effect.service(Store.ActionStore))
  const base = openNative(basePath, SYNC)
  const insert = base.prepare(INSERT_ACTION)

  const runStore = async (batch: ReadonlyArray<BenchItem>) => {
    const t0 = performance.now()
    const results = await rt.runPromise(
      actions.recordBatch(
        batch.map((b) => b.input as unknown as RecordActionInput.RecordActionInput),
        {
          recordedBy: { kind: "apiKey", id: "bench" },
        },
      ),
    )
    const ms = performance.now() - t0
    const bad = results.find((r) => r.status !== "recorded")
    if (bad !== undefined) throw new Error(`store did not record an item: ${JSON.stringify(bad)}`)
    return ms
  }
  const runBase = (batch: ReadonlyArray<BenchItem>) => {
    const t0 = performance.now()
    const nowMs = Date.now()
    base.exec("BEGIN IMMEDIATE")
    for (const item of batch) insert.run(toRow(item, nowMs, customerIds))
    base.exec("COMMIT")
    return performance.now() - t0
  }

  // Interleave the two so machine noise hits both alike.
  const storeMs: Array<number> = []
  const baseMs: Array<number> = []
  for (let i = 0; i < WARMUP + BATCHES; i++) {
    const s = await runStore(storeBatches[i]!)
    const b = runBase(baseBatches[i]!)
    if (i >= WARMUP) {
      storeMs.push(s)
      baseMs.push(b)
    }
  }
  base.close()
  await rt.dispose()

  const storeRate = (BATCHES * BATCH) / (sum(storeMs) / 1000)
  const baseRate = (BATCHES * BATCH) / (sum(baseMs) / 1000)
  console.table([
    {
      path: "store (ActionStore.recordBatch)",
      "rows/s": Math.round(storeRate),
      "median ms/batch": round(median(storeMs), 2),
    },
    {
      path: "baseline (libsql native, 1 stmt, 1 tx)",
      "rows/s": Math.round(baseRate),
      "median ms/batch": round(median(baseMs), 2),
    },
  ])
  void customerId
  console.log(
    JSON.stringify({
      name: "ingest",
      synchronous: SYNC,
      batches: BATCHES,
      batch_size: BATCH,
      avg_payload_bytes: Math.round(payloadBytes),
      store_rows_per_sec: Math.round(storeRate),
      baseline_rows_per_sec: Math.round(baseRate),
      store_ms_per_batch_median: round(median(storeMs), 2),
      baseline_ms_per_batch_median: round(median(baseMs), 2),
      ratio: round(storeRate / baseRate, 3),
    }),
  )
} finally {
  cleanup()
}
