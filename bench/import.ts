/**
 * Import benchmark: a 1,000,000-line NDJSON file (IMPORT_LINES to change) through
 * `Imports.importFile` (read, parse, validate, batches of 1,000 through recordBatch, checkpoint
 * per batch) against store-level ingest of the same actions in the same run
 * (`ActionStore.recordBatch` with the inputs already in memory). `ratio` = import actions/s ÷
 * store actions/s (target ≥ 0.8). Memory must stay flat whatever the file size: a quarter-size
 * file is imported first, and `rss_growth` = the full import's peak RSS above the RSS before
 * the first import ÷ the quarter import's peak above it (flat ≈ 1; growing with the file ≈ 4). `peak_rss_mb` is split into anonymous memory (heaps, SQLite page
 * caches) and mapped file pages, sampled every 50 ms while the import runs.
 */
import type { RecordActionInput } from "@actionlog/domain"
import * as Store from "@actionlog/store"
import { Effect } from "effect"
import { createWriteStream, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { makeCustomers, round, shopStream, take } from "./lib/data"
import { databaseWithCustomers, storeRuntime, tempDir } from "./lib/setup"

const LINES = Number(process.env["IMPORT_LINES"] ?? 1_000_000)
const CUSTOMERS = 10_000
const BATCH = 1000

/** Resident memory split as Linux reports it: anonymous (heaps, caches) vs mapped file pages. */
const residentMb = () => {
  const rss = process.memoryUsage().rss / 1024 / 1024
  try {
    const status = readFileSync("/proc/self/status", "utf8")
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN)
    return { rss, anon: kb("RssAnon") / 1024, file: kb("RssFile") / 1024 }
  } catch {
    return { rss, anon: NaN, file: NaN }
  }
}

const { dir, cleanup } = tempDir("import")
try {
  const customers = makeCustomers(CUSTOMERS)
  const freshDb = (name: string) => databaseWithCustomers(join(dir, name), customers)
  const now = Date.now()
  const stream = (prefix: string) =>
    shopStream({ seed: 7, customers: CUSTOMERS, nowMs: now, txPrefix: prefix })

  /**
   * An NDJSON file of `lines` good actions plus a bad line after every 3,331st (~300 per
   * million, four kinds), written with backpressure (never all in memory). Returns the bad
   * lines' numbers and the tag each must be reported with.
   */
  const writeFile = async (name: string, lines: number) => {
    const file = join(dir, name)
    const out = createWriteStream(file)
    const items = stream("i")
    const bad = new Map<number, string>()
    let lineNo = 0
    for (let done = 0; done < lines;) {
      const chunk = take(items, Math.min(BATCH, lines - done))
      done += chunk.length
      const text: Array<string> = []
      for (const item of chunk) {
        text.push(JSON.stringify(item.input))
        if (++lineNo % 3331 !== 0) continue
        const kind = bad.size % 4
        const base = item.input as unknown as Record<string, unknown>
        const { transactionId: _, ...noTx } = base
        lineNo++
        if (kind === 0) {
          text.push("{ not json")
          bad.set(lineNo, "InvalidLine")
        } else if (kind === 1) {
          text.push(JSON.stringify({ ...noTx, template: "NoSuchTemplate" }))
          bad.set(lineNo, "UnknownTemplate")
        } else if (kind === 2) {
          text.push(JSON.stringify({ ...noTx, template: "OrderPlaced", payload: { order: 5 } }))
          bad.set(lineNo, "InvalidPayload")
        } else {
          text.push(
            JSON.stringify({ ...noTx, occurredAt: new Date(now + 3_600_000).toISOString() }),
          )
          bad.set(lineNo, "EventTimeInFuture")
        }
      }
      if (!out.write(text.join("\n") + "\n")) {
        await new Promise<void>((r) => out.once("drain", () => r()))
      }
    }
    await new Promise<void>((r) => out.end(() => r()))
    return { file, bad, lines: lineNo }
  }

  /** Import `lines` lines into a fresh database, sampling memory every 50 ms. */
  const runImport = async (goodLines: number, rerun: boolean) => {
    const { file, bad, lines } = await writeFile(`actions-${goodLines}.ndjson`, goodLines)
    const dbPath = await freshDb(`import-${goodLines}.db`)
    const before = residentMb()
    const peak = { ...before, heap: 0 }
    const sample = () => {
      const m = residentMb()
      peak.rss = Math.max(peak.rss, m.rss)
      peak.anon = Math.max(peak.anon, m.anon)
      peak.file = Math.max(peak.file, m.file)
      peak.heap = Math.max(peak.heap, process.memoryUsage().heapUsed / 1024 / 1024)
    }
    const sampler = setInterval(sample, 50)
    const rt = storeRuntime(dbPath)
    const imports = await rt.runPromise(Effect.service(Store.Imports))
    const t0 = performance.now()
    const result = await rt.runPromise(imports.importFile({ path: file }))
    const ms = performance.now() - t0
    clearInterval(sampler)
    sample()
    // The figures only count if the import did its job: every good line once, every bad line
    // reported with its number and tag.
    const check = (cond: boolean, what: string) => {
      if (!cond) throw new Error(`import of ${lines} lines: ${what}`)
    }
    check(result.lines === lines, `read ${result.lines} lines`)
    check(result.recorded === goodLines, `recorded ${result.recorded} of ${goodLines}`)
    check(result.rejected === bad.size, `rejected ${result.rejected}, expected ${bad.size}`)
    const report = readFileSync(result.reportPath, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { line: number; tag: string })
    check(
      JSON.stringify(report.map((r) => [r.line, r.tag])) === JSON.stringify([...bad.entries()]),
      "the rejected-line report differs from the bad lines written",
    )
    // A second run that re-reads the whole file (ignoring the checkpoint) records nothing.
    let rerunMs = 0
    if (rerun) {
      const t1 = performance.now()
      const again = await rt.runPromise(imports.importFile({ path: file, restart: true }))
      rerunMs = performance.now() - t1
      check(again.recorded === 0, `the re-run recorded ${again.recorded}`)
      check(again.alreadyProcessed === goodLines, `re-run: ${again.alreadyProcessed} known`)
    }
    await rt.dispose()
    return {
      ms,
      rerunMs,
      lines,
      bad: bad.size,
      before,
      peak,
      fileMb: statSync(file).size / 1024 / 1024,
    }
  }

  // 1. The imports: a quarter-size file first, then the full one — "flat" means the peak does
  // not follow the file size.
  const small = await runImport(Math.round(LINES / 4), false)
  const full = await runImport(LINES, true)
  const importMs = full.ms
  const fileMb = full.fileMb
  const storePath = await freshDb("store.db")

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

  // Growth above the RSS the process had before the first import: dividing the peaks
  // themselves would let the starting memory (runtime, modules, customers) hide the growth.
  const base = small.before.rss
  const fullGrowth = full.peak.rss - base
  const quarterGrowth = small.peak.rss - base
  const importRate = full.lines / (importMs / 1000)
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
      lines: full.lines,
      bad_lines: full.bad,
      rerun_s: round(full.rerunMs / 1000, 1),
      file_mb: round(fileMb, 1),
      import_actions_per_sec: Math.round(importRate),
      store_actions_per_sec: Math.round(storeRate),
      ratio: round(importRate / storeRate, 3),
      peak_rss_mb: round(full.peak.rss, 1),
      peak_rss_anon_mb: round(full.peak.anon, 1),
      peak_rss_file_mb: round(full.peak.file, 1),
      peak_heap_mb: round(full.peak.heap, 1),
      rss_before_import_mb: round(full.before.rss, 1),
      quarter_file_peak_rss_mb: round(small.peak.rss, 1),
      rss_at_start_mb: round(base, 1),
      rss_growth_mb: round(fullGrowth, 1),
      quarter_rss_growth_mb: round(quarterGrowth, 1),
      rss_growth: round(fullGrowth / Math.max(quarterGrowth, 1), 3),
      store_peak_rss_mb: round(storePeakRss / 1024 / 1024, 1),
    }),
  )
} finally {
  cleanup()
}
