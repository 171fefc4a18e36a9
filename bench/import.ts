/**
 * Import benchmark: a 1,000,000-line NDJSON file (IMPORT_LINES to change) through
 * `Imports.importFile` (read, parse, validate, batches of 1,000 through recordBatch, checkpoint
 * per batch) against store-level ingest of the same actions in the same run
 * (`ActionStore.recordBatch` with the inputs already in memory). `ratio` = import actions/s ÷
 * store actions/s (target ≥ 0.8); `peak_rss_mb` / `peak_heap_mb` are sampled while the import
 * runs (memory must stay flat whatever the file size), `store_peak_rss_mb` while the store-level
 * ingest runs — the native driver's own RSS growth shows in both alike.
 */
import type { RecordActionInput } from "@actionlog/domain"
import * as Store from "@actionlog/store"
import { Effect } from "effect"
import { createWriteStream, statSync } from "node:fs"
import { join } from "node:path"
import { actionStream, makeCustomers, round, take } from "./lib/data"
import { insertCustomers, migrateOnly, openNative, storeRuntime, tempDir } from "./lib/setup"

const LINES = Number(process.env["IMPORT_LINES"] ?? 1_000_000)
const CUSTOMERS = 10_000
const BATCH = 1000

const { dir, cleanup } = tempDir("import")
try {
  const file = join(dir, "actions.ndjson")
  const importPath = join(dir, "import.db")
  const storePath = join(dir, "store.db")
  const customers = makeCustomers(CUSTOMERS)
  for (const p of [importPath, storePath]) {
    await migrateOnly(p)
    const db = openNative(p)
    insertCustomers(db, customers)
    db.close()
  }
  const now = Date.now()
  const stream = (prefix: string) =>
    actionStream({
      seed: 7,
      customers: CUSTOMERS,
      heavy: 5,
      heavyShare: 0.2,
      spanMs: 365 * 24 * 3600 * 1000,
      nowMs: now,
      byEmailShare: 0.2,
      txPrefix: prefix,
    })

  // The file, written with backpressure (never all in memory).
  {
    const out = createWriteStream(file)
    const items = stream("i")
    for (let done = 0; done < LINES;) {
      const chunk = take(items, Math.min(BATCH, LINES - done))
      done += chunk.length
      const text = chunk.map((i) => JSON.stringify(i.input)).join("\n") + "\n"
      if (!out.write(text)) await new Promise<void>((r) => out.once("drain", () => r()))
    }
    await new Promise<void>((r) => out.end(() => r()))
  }
  const fileMb = statSync(file).size / 1024 / 1024

  // 1. The import (first, so the RSS samples are the import's own).
  const rssBefore = process.memoryUsage().rss
  let peakRss = rssBefore
  let peakHeap = 0
  const sampler = setInterval(() => {
    const m = process.memoryUsage()
    peakRss = Math.max(peakRss, m.rss)
    peakHeap = Math.max(peakHeap, m.heapUsed)
  }, 50)
  const importRt = storeRuntime(importPath)
  const imports = await importRt.runPromise(Effect.service(Store.Imports))
  const t0 = performance.now()
  const result = await importRt.runPromise(imports.importFile({ path: file }))
  const importMs = performance.now() - t0
  clearInterval(sampler)
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
  await importRt.dispose()
  if (result.recorded !== LINES) {
    throw new Error(`import recorded ${result.recorded} of ${LINES} (${result.rejected} rejected)`)
  }

  // 2. Store-level ingest of the same actions (inputs generated per batch, not timed).
  const storeRt = storeRuntime(storePath)
  const actions = await storeRt.runPromise(Effect.service(Store.ActionStore))
  const items = stream("i")
  let storeMs = 0
  // Sampled per batch: the store loop never yields to timers (its effects resolve in microtasks).
  let storePeakRss = 0
  for (let done = 0; done < LINES;) {
    const batch = take(items, Math.min(BATCH, LINES - done)).map(
      (b) => b.input as unknown as RecordActionInput.RecordActionInput,
    )
    done += batch.length
    const s = performance.now()
    const rs = await storeRt.runPromise(
      actions.recordBatch(batch, { recordedBy: { kind: "import", id: "bench" } }),
    )
    storeMs += performance.now() - s
    storePeakRss = Math.max(storePeakRss, process.memoryUsage().rss)
    if (rs.some((r) => r.status !== "recorded")) throw new Error("store rejected an item")
  }
  await storeRt.dispose()

  const importRate = LINES / (importMs / 1000)
  const storeRate = LINES / (storeMs / 1000)
  console.table([
    {
      path: "import (file → Imports.importFile)",
      "actions/s": Math.round(importRate),
      "total s": round(importMs / 1000, 1),
    },
    {
      path: "store (ActionStore.recordBatch)",
      "actions/s": Math.round(storeRate),
      "total s": round(storeMs / 1000, 1),
    },
  ])
  console.log(
    JSON.stringify({
      name: "import",
      lines: LINES,
      file_mb: round(fileMb, 1),
      import_actions_per_sec: Math.round(importRate),
      store_actions_per_sec: Math.round(storeRate),
      ratio: round(importRate / storeRate, 3),
      peak_rss_mb: round(peakRss / 1024 / 1024, 1),
      peak_heap_mb: round(peakHeap / 1024 / 1024, 1),
      store_peak_rss_mb: round(storePeakRss / 1024 / 1024, 1),
      rss_before_import_mb: round(rssBefore / 1024 / 1024, 1),
    }),
  )
} finally {
  cleanup()
}
