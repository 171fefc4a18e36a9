/**
 * HTTP benchmark, one run, two ratios (last line: JSON with `name`):
 *
 * - `ratio_batch`: `actions.recordBatch` of 1,000 actions over HTTP (typed client, real server,
 *   auth, validation, JSON both ways) ÷ `ActionStore.recordBatch` of the same batches called
 *   in-process on a second database. Target ≥ 0.6.
 * - `ratio_single`: `actions.record` of one action ÷ a trivial authenticated procedure
 *   (`auth.me`, same key, same server), both sequential over keep-alive HTTP. Target ≥ 0.5.
 *
 * Env: HTTP_BATCHES (20), HTTP_SINGLES (1000), HTTP_METRICS=1 prints the server's latency sums.
 */
import type { RecordActionInput } from "@actionlog/domain"
import * as Store from "@actionlog/store"
import { createActionlogClient } from "@actionlog/client"
import { startServer } from "@actionlog/server/start"
import { Effect } from "effect"
import { join } from "node:path"
import { makeCustomers, median, round, shopStream, sum, take, type BenchItem } from "./lib/data"
import { databaseWithCustomers, storeRuntime, tempDir } from "./lib/setup"

const BATCH = 1000
const BATCHES = Number(process.env["HTTP_BATCHES"] ?? 20)
const WARMUP = 3
const SINGLES = Number(process.env["HTTP_SINGLES"] ?? 1000)
const CUSTOMERS = 10_000

const { dir, cleanup } = tempDir("http")
try {
  const customers = makeCustomers(CUSTOMERS)
  const httpPath = await databaseWithCustomers(join(dir, "http.db"), customers)
  const storePath = await databaseWithCustomers(join(dir, "store.db"), customers)
  const now = Date.now()
  const stream = (prefix: string) =>
    shopStream({ seed: 7, customers: CUSTOMERS, nowMs: now, txPrefix: prefix })
  const batches = (it: Iterator<BenchItem>) =>
    Array.from({ length: WARMUP + BATCHES }, () =>
      take(it, BATCH).map((b) => b.input as unknown as RecordActionInput.RecordActionInput),
    )
  const httpBatches = batches(stream("h"))
  const storeBatches = batches(stream("s"))

  const server = await startServer({ dbUrl: `file:${httpPath}` })
  const { key } = await server.runtime.runPromise(
    Store.ApiKeys.use((k) =>
      k.create({ name: "bench", scopes: ["ingest", "read"], createdBy: "bench" }),
    ),
  )
  const api = createActionlogClient({ url: server.url, apiKey: key })
  const rt = storeRuntime(storePath)
  const actions = await rt.runPromise(Effect.service(Store.ActionStore))

  // Batches: alternate HTTP and store so both see the same machine state.
  const httpMs: Array<number> = []
  const storeMs: Array<number> = []
  for (let i = 0; i < WARMUP + BATCHES; i++) {
    let t0 = performance.now()
    const res = await api.actions.recordBatch.mutate({ items: httpBatches[i]! })
    const h = performance.now() - t0
    if (res.recorded !== BATCH)
      throw new Error(
        `HTTP batch: ${JSON.stringify(res.results.find((r) => r.status !== "recorded"))}`,
      )
    t0 = performance.now()
    const results = await rt.runPromise(
      actions.recordBatch(storeBatches[i]!, { recordedBy: { kind: "apiKey", id: "bench" } }),
    )
    const s = performance.now() - t0
    if (results.some((r) => r.status !== "recorded"))
      throw new Error("store batch rejected an item")
    if (i >= WARMUP) {
      httpMs.push(h)
      storeMs.push(s)
    }
  }
  const httpRate = (BATCHES * BATCH) / (sum(httpMs) / 1000)
  const storeRate = (BATCHES * BATCH) / (sum(storeMs) / 1000)

  // Singles: record one action vs auth.me, interleaved in rounds of 50 (two warm-up rounds).
  const ROUND = 50
  const rounds = 2 + Math.ceil(SINGLES / ROUND)
  const single = take(stream("one"), rounds * ROUND).map(
    (b) => b.input as unknown as RecordActionInput.RecordActionInput,
  )
  let recordMs = 0
  let trivialMs = 0
  let healthMs = 0
  for (let r = 0; r < rounds; r++) {
    const warm = r < 2
    let t0 = performance.now()
    for (let k = 0; k < ROUND; k++) await api.actions.record.mutate(single[r * ROUND + k]!)
    const a = performance.now() - t0
    t0 = performance.now()
    for (let k = 0; k < ROUND; k++) await api.auth.me.query()
    const b = performance.now() - t0
    t0 = performance.now()
    for (let k = 0; k < ROUND; k++) await api.health.check.query()
    const c = performance.now() - t0
    if (!warm) {
      recordMs += a
      trivialMs += b
      healthMs += c
    }
  }
  const measured = (rounds - 2) * ROUND
  const recordRate = measured / (recordMs / 1000)
  const trivialRate = measured / (trivialMs / 1000)
  const healthRate = measured / (healthMs / 1000)

  if (process.env["HTTP_METRICS"])
    console.log(
      (await (await fetch(`${server.url}/metrics`)).text())
        .split("\n")
        .filter((l) => l.includes("_sum"))
        .join("\n"),
    )
  await server.close()
  await rt.dispose()

  console.table([
    {
      path: "HTTP actions.recordBatch (1,000)",
      "rows/s": Math.round(httpRate),
      "median ms": round(median(httpMs), 2),
    },
    {
      path: "store ActionStore.recordBatch (1,000)",
      "rows/s": Math.round(storeRate),
      "median ms": round(median(storeMs), 2),
    },
    { path: "HTTP actions.record (1)", "calls/s": Math.round(recordRate) },
    { path: "HTTP auth.me (trivial)", "calls/s": Math.round(trivialRate) },
    { path: "HTTP health.check (public)", "calls/s": Math.round(healthRate) },
  ])
  console.log(
    JSON.stringify({
      name: "http",
      batches: BATCHES,
      batch_size: BATCH,
      http_batch_rows_per_sec: Math.round(httpRate),
      store_batch_rows_per_sec: Math.round(storeRate),
      http_batch_ms_median: round(median(httpMs), 2),
      store_batch_ms_median: round(median(storeMs), 2),
      ratio_batch: round(httpRate / storeRate, 3),
      singles: measured,
      record_calls_per_sec: Math.round(recordRate),
      trivial_calls_per_sec: Math.round(trivialRate),
      health_calls_per_sec: Math.round(healthRate),
      ratio_single: round(recordRate / trivialRate, 3),
    }),
  )
} finally {
  cleanup()
}
