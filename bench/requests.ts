/**
 * The API's own cost per request, one run (last line: JSON with `name: "requests"`). Load comes
 * from `wrk` in a second process (Debian: `apt-get install wrk`), keep-alive, interleaved rounds:
 *
 * - `trivial_vs_bare`: calls/s of `health.check` on our server ÷ the same procedure (one
 *   `SELECT 1` on a libsql connection) on a bare tRPC 11 standalone server in this process.
 *   Goal ≥ 0.9: our layers (routing, context, middleware, Effect runtime, metrics) add ≤ 10 %.
 * - `plain_vs_bare`: `GET /healthz` (plain HTTP, same check) ÷ the bare tRPC server: how far
 *   tRPC's own adapter is above the floor of Node's HTTP server.
 * - `feed_http_*`: `actions.feed` (50 actions, ~25 KB, Bearer key) over HTTP, one connection
 *   (p50, p99) and 16 connections (p99), against `feed_store_*`: `ActionStore.feed` for the same
 *   page on the same database, timed in this process between the HTTP runs.
 *   Goals: http p50 ≤ store p50 + 1 ms, http p99 ≤ store p99 + 2 ms.
 *
 * Env: REQ_SECONDS (4 per measurement), REQ_ROUNDS (3).
 */
import * as Store from "@actionlog/store"
import type { RecordActionInput } from "@actionlog/domain"
import { startServer } from "@actionlog/server/start"
import { initTRPC } from "@trpc/server"
import { createHTTPServer } from "@trpc/server/adapters/standalone"
import { Effect } from "effect"
import Native from "libsql"
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { promisify } from "node:util"
import { customerId, makeCustomers, median, percentile, round, shopStream, take } from "./lib/data"
import { databaseWithCustomers, tempDir } from "./lib/setup"

const SECONDS = Number(process.env["REQ_SECONDS"] ?? 4)
const ROUNDS = Number(process.env["REQ_ROUNDS"] ?? 3)
const CUSTOMERS = 20
const ACTIONS = 2_000
const WRK = "/usr/bin/wrk"

if (!existsSync(WRK)) {
  console.error("bench:requests needs wrk: apt-get install wrk")
  process.exit(2)
}
const exec = promisify(execFile)

interface WrkResult {
  readonly rps: number
  readonly p50: number
  readonly p99: number
}

const toMs = (text: string): number => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim())
  if (m === null) throw new Error(`wrk latency '${text}'`)
  const v = Number(m[1])
  return m[2] === "us" ? v / 1000 : m[2] === "ms" ? v : v * 1000
}

/** One wrk run: requests/s and latency percentiles (ms); fails on any non-2xx answer. */
const wrk = async (url: string, connections: number, headers: Record<string, string> = {}) => {
  const args = ["-t", connections > 1 ? "2" : "1", "-c", String(connections)]
  args.push("-d", `${SECONDS}s`, "--latency")
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}: ${v}`)
  const { stdout } = await exec(WRK, [...args, url])
  if (/Non-2xx/.test(stdout)) throw new Error(`non-2xx answers from ${url}:\n${stdout}`)
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1])
  const p50 = toMs(/ 50%\s+(\S+)/.exec(stdout)![1]!)
  const p99 = toMs(/ 99%\s+(\S+)/.exec(stdout)![1]!)
  return { rps, p50, p99 } satisfies WrkResult
}

const { dir, cleanup } = tempDir("requests")
try {
  const path = await databaseWithCustomers(join(dir, "requests.db"), makeCustomers(CUSTOMERS))
  const server = await startServer({ dbUrl: `file:${path}` })
  const rt = server.runtime
  const items = take(
    shopStream({ seed: 11, customers: CUSTOMERS, nowMs: Date.now(), txPrefix: "r" }),
    ACTIONS,
  )
  for (let i = 0; i < items.length; i += 1000) {
    const batch = items.slice(i, i + 1000)
    await rt.runPromise(
      Store.ActionStore.use((s) =>
        s.recordBatch(
          batch.map((b) => b.input as unknown as RecordActionInput.RecordActionInput),
          { recordedBy: { kind: "apiKey", id: "bench" } },
        ),
      ),
    )
  }
  const { key } = await rt.runPromise(
    Store.ApiKeys.use((k) => k.create({ name: "bench", scopes: ["read"], createdBy: "bench" })),
  )
  const customer = customerId(0)
  const feedUrl = `${server.url}/trpc/actions.feed?input=${encodeURIComponent(
    JSON.stringify({ customer: { id: customer }, limit: 50 }),
  )}`
  const auth = { authorization: `Bearer ${key}` }
  const page = await fetch(feedUrl, { headers: auth })
  const pageBytes = (await page.arrayBuffer()).byteLength
  if (page.status !== 200) throw new Error(`feed answered ${page.status}`)

  // The bare reference: tRPC 11's standalone adapter and one procedure doing the same check.
  const bareDb = new Native(path)
  const select1 = bareDb.prepare("SELECT 1")
  const t = initTRPC.create()
  const bareRouter = t.router({
    health: t.router({
      check: t.procedure.query(() => {
        select1.get()
        return { ok: true as const }
      }),
    }),
  })
  const bare = createHTTPServer({ router: bareRouter, basePath: "/trpc/" })
  await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve))
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`

  const store = await rt.runPromise(Effect.service(Store.ActionStore))
  const storeFeed = async (n: number) => {
    const ms: Array<number> = []
    for (let i = 0; i < n; i++) {
      const t0 = performance.now()
      await rt.runPromise(store.feed(customer, { limit: 50 }))
      ms.push(performance.now() - t0)
    }
    return ms
  }
  await storeFeed(200)

  const runs: Record<string, Array<WrkResult>> = {
    bare: [],
    trivial: [],
    plain: [],
    feed: [],
    feed16: [],
  }
  const storeMs: Array<number> = []
  for (let r = 0; r < ROUNDS; r++) {
    runs["bare"]!.push(await wrk(`${bareUrl}/trpc/health.check`, 1))
    runs["trivial"]!.push(await wrk(`${server.url}/trpc/health.check`, 1))
    runs["plain"]!.push(await wrk(`${server.url}/healthz`, 1))
    storeMs.push(...(await storeFeed(1000)))
    runs["feed"]!.push(await wrk(feedUrl, 1, auth))
    runs["feed16"]!.push(await wrk(feedUrl, 16, auth))
    storeMs.push(...(await storeFeed(1000)))
  }
  bare.close()
  bareDb.close()
  await server.close()

  const med = (name: string, f: (w: WrkResult) => number) => median(runs[name]!.map(f))
  const rps = (name: string) => med(name, (w) => w.rps)
  const storeP50 = percentile(storeMs, 0.5)
  const storeP99 = percentile(storeMs, 0.99)
  console.table(
    Object.keys(runs).map((name) => ({
      run: name,
      "req/s": Math.round(rps(name)),
      "p50 ms": round(
        med(name, (w) => w.p50),
        3,
      ),
      "p99 ms": round(
        med(name, (w) => w.p99),
        3,
      ),
    })),
  )
  console.log(
    `store feed (same page, ${storeMs.length} calls): p50 ${round(storeP50, 3)} ms, p99 ${round(storeP99, 3)} ms; page ${pageBytes} bytes`,
  )
  console.log(
    JSON.stringify({
      name: "requests",
      rounds: ROUNDS,
      seconds_per_run: SECONDS,
      bare_rps: Math.round(rps("bare")),
      trivial_rps: Math.round(rps("trivial")),
      plain_rps: Math.round(rps("plain")),
      trivial_vs_bare: round(rps("trivial") / rps("bare")),
      plain_vs_bare: round(rps("plain") / rps("bare")),
      feed_page_bytes: pageBytes,
      feed_http_p50_ms: round(med("feed", (w) => w.p50)),
      feed_store_p50_ms: round(storeP50),
      feed_http_p99_ms: round(med("feed", (w) => w.p99)),
      feed_store_p99_ms: round(storeP99),
      feed_http_p99_c16_ms: round(med("feed16", (w) => w.p99)),
      feed_http_rps_c16: Math.round(rps("feed16")),
    }),
  )
} finally {
  cleanup()
}
