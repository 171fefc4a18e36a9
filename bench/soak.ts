/**
 * Soak: a steady, modest mixed load for SOAK_MINUTES (default 5) against one server, to see
 * latency or memory drift over time rather than peak speed.
 *
 * The server runs in this process over a database of 10,000 customers; the load comes from a
 * second process (this file with SOAK_ROLE=load), open-loop at SOAK_RATE operations per second
 * (default 30): `actions.record` 40%, `actions.recordBatch` of 100 10%, `actions.feed` 20%,
 * `actions.list` 15%, `/v1/batch` of 20 calls 15%, each over keep-alive HTTP without batching.
 * Every minute prints p50 / p99 latency (all operations and per operation), the server's RSS
 * and the WAL size. Goals: p99_max_ms ≤ 3 × p99_first_minute_ms, rss_growth_mb ≤ 50 (RSS at
 * the end minus RSS after the first minute). Last line: JSON.
 */
import { fork } from "node:child_process"
import { statSync } from "node:fs"
import { loadavg } from "node:os"
import { join } from "node:path"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { ApiKeys } from "@actionlog/store"
import { startServer } from "@actionlog/server/start"
import { customerEmail, customerId, makeCustomers, percentile, round, shopStream } from "./lib/data"
import { databaseWithCustomers, tempDir } from "./lib/setup"

const MINUTES = Number(process.env["SOAK_MINUTES"] ?? 5)
const RATE = Number(process.env["SOAK_RATE"] ?? 30)
const CUSTOMERS = 10_000
const OPS = ["record", "recordBatch", "feed", "list", "track"] as const
type Op = (typeof OPS)[number]
const WEIGHTS: Record<Op, number> = { record: 40, recordBatch: 10, feed: 20, list: 15, track: 15 }

/** What the load process reports at the end of each minute. */
interface MinuteReport {
  readonly minute: number
  readonly latencies: Record<Op, Array<number>>
  readonly errors: number
  readonly skipped: number
}

/** Reads the whole answer; anything but 2xx counts as an error. */
const ok = async (res: Response) => {
  await res.arrayBuffer()
  if (res.status >= 300) throw new Error(`HTTP ${res.status}`)
}

const load = async (url: string, key: string) => {
  const stream = shopStream({ seed: 11, customers: CUSTOMERS, nowMs: Date.now(), txPrefix: "soak" })
  const headers = { "content-type": "application/json", authorization: `Bearer ${key}` }
  const trackAuth = `Basic ${Buffer.from(`${key}:`).toString("base64")}`
  let n = 0
  const next = () => stream.next().value!.input
  const someCustomer = () => customerId(Math.floor(Math.random() * CUSTOMERS))
  const mutate = (path: string, input: unknown) =>
    fetch(`${url}/trpc/${path}`, { method: "POST", headers, body: JSON.stringify(input) }).then(ok)
  const query = (path: string, input: unknown) =>
    fetch(`${url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, {
      headers,
    }).then(ok)
  const run: Record<Op, () => Promise<void>> = {
    record: () => mutate("actions.record", next()),
    recordBatch: () =>
      mutate("actions.recordBatch", { items: Array.from({ length: 100 }, () => next()) }),
    feed: () => query("actions.feed", { customer: { id: someCustomer() }, limit: 50 }),
    list: () => query("actions.list", { limit: 50 }),
    track: () => {
      const batch = Array.from({ length: 20 }, () => {
        const c = Math.floor(Math.random() * CUSTOMERS)
        return {
          type: "track",
          userId: `soak-user-${c}`,
          event: "Product Viewed",
          messageId: `soak-${process.pid}-${n++}`,
          timestamp: new Date().toISOString(),
          properties: { product_id: `sku-${c % 500}`, name: "Linen shirt", price: 39.9 },
          context: { traits: { email: customerEmail(c) } },
        }
      })
      return fetch(`${url}/v1/batch`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: trackAuth },
        body: JSON.stringify({ batch }),
      }).then(ok)
    },
  }
  // A deterministic mix: each slot of 100 is one operation in the weights' proportions.
  const slots: Array<Op> = OPS.flatMap((op) => Array.from({ length: WEIGHTS[op] }, () => op))
  for (let i = slots.length - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1)
    ;[slots[i], slots[j]] = [slots[j]!, slots[i]!]
  }
  const empty = () =>
    Object.fromEntries(OPS.map((op) => [op, [] as Array<number>])) as Record<Op, Array<number>>
  let current = empty()
  let errors = 0
  let skipped = 0
  let inFlight = 0
  const start = performance.now()
  const interval = 1000 / RATE
  for (let minute = 1; minute <= MINUTES; minute++) {
    const end = start + minute * 60_000
    for (let i = Math.round(((minute - 1) * 60_000) / interval); ; i++) {
      const due = start + i * interval
      if (due >= end) break
      const wait = due - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      // Open loop: a slow answer does not slow the arrivals (up to 200 at once).
      if (inFlight >= 200) {
        skipped++
        continue
      }
      const op = slots[i % slots.length]!
      const bucket = current
      inFlight++
      const t0 = performance.now()
      run[op]()
        .then(
          () => bucket[op].push(performance.now() - t0),
          () => errors++,
        )
        .finally(() => inFlight--)
    }
    const report: MinuteReport = { minute, latencies: current, errors, skipped }
    current = empty()
    errors = 0
    skipped = 0
    process.send!(report)
  }
  // Let the last answers arrive before exiting.
  await new Promise((r) => setTimeout(r, 2000))
  process.exit(0)
}

const serve = async () => {
  const { dir, cleanup } = tempDir("soak")
  const path = join(dir, "soak.db")
  await databaseWithCustomers(path, makeCustomers(CUSTOMERS))
  const server = await startServer({ dbUrl: `file:${path}` })
  const { key } = await server.runtime.runPromise(
    ApiKeys.use((k) => k.create({ name: "soak", scopes: ["ingest", "read"], createdBy: "bench" })),
  )
  const walMb = () => {
    try {
      return statSync(`${path}-wal`).size / 1024 / 1024
    } catch {
      return 0
    }
  }
  console.log(`soak: ${MINUTES} min at ${RATE} ops/s against ${server.url}`)
  // How long the server's event loop was stalled (a synchronous checkpoint shows here), and
  // the machine's load, to tell the server's own stalls from a busy machine.
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  const minutes: Array<{ minute: number; p50: number; p99: number; rssMb: number }> = []
  const child = fork(import.meta.filename, [], {
    env: { ...process.env, SOAK_ROLE: "load", SOAK_URL: server.url, SOAK_KEY: key },
    execArgv: ["--import", "tsx"],
  })
  await new Promise<void>((resolve, reject) => {
    child.on("message", (m: MinuteReport) => {
      const all = OPS.flatMap((op) => m.latencies[op])
      const rssMb = process.memoryUsage().rss / 1024 / 1024
      const row = {
        minute: m.minute,
        p50: round(percentile(all, 0.5), 1),
        p99: round(percentile(all, 0.99), 1),
        rssMb: round(rssMb, 1),
      }
      minutes.push(row)
      const perOp = OPS.map((op) => `${op} ${round(percentile(m.latencies[op], 0.99), 1)}`).join(
        ", ",
      )
      console.log(
        `minute ${m.minute}: ${all.length} ops, p50 ${row.p50} ms, p99 ${row.p99} ms (p99: ${perOp}), ` +
          `rss ${row.rssMb} MB, wal ${round(walMb(), 1)} MB, errors ${m.errors}, skipped ${m.skipped}, ` +
          `event-loop delay p99 ${round(loop.percentile(99) / 1e6, 1)} max ${round(loop.max / 1e6, 1)} ms, ` +
          `load ${round(loadavg()[0]!, 1)}`,
      )
      loop.reset()
    })
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`load process exited ${code}`)),
    )
  })
  await server.close()
  cleanup()
  const first = minutes[0]!
  const last = minutes.at(-1)!
  const p99Max = Math.max(...minutes.map((m) => m.p99))
  const result = {
    name: "soak",
    minutes: MINUTES,
    rate: RATE,
    p99_max_ms: p99Max,
    p99_first_minute_ms: first.p99,
    p99_ratio: round(p99Max / first.p99, 2),
    rss_growth_mb: round(last.rssMb - first.rssMb, 1),
  }
  console.log(
    `goals: p99_max ≤ 3 × first minute (${result.p99_ratio}×), rss growth ≤ 50 MB (${result.rss_growth_mb})`,
  )
  console.log(JSON.stringify(result))
}

if (process.env["SOAK_ROLE"] === "load")
  await load(process.env["SOAK_URL"]!, process.env["SOAK_KEY"]!)
else await serve()
