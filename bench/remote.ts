/**
 * Remote benchmark: the store on an embedded file (native driver) against the same store on a
 * libSQL server reached over HTTP — the testkit's Hrana server in its own process, with 0, 5
 * and 20 ms injected per round trip (20 ms: a Turso region away). Batches of 1,000 realistic
 * actions (ingest's stream: transaction ids on all, 20% of customers named by email) through
 * `ActionStore.recordBatch` with 1 and 4 concurrent clients (remote: 4 clients = 4 separate
 * database clients, as 4 API servers would have; embedded: 4 callers on one store, as one
 * server), feed first pages (50) of random customers, and the server's round-trip counter.
 *
 * Last line: `round_trips_per_batch` (target ≤ 3), `ratio_20ms` = remote actions/s at 20 ms
 * with 4 clients ÷ embedded actions/s with 4 callers in this run (target ≥ 0.5),
 * `feed_p99_20ms_ms` (target ≤ 2 × 20 + 5).
 */
import type { RecordActionInput } from "@actionlog/domain"
import * as Store from "@actionlog/store"
import { Effect, ManagedRuntime } from "effect"
import { join } from "node:path"
import { customerId, makeCustomers, percentile, rng, round, shopStream, take } from "./lib/data"
import { startRemoteServer } from "./lib/hranaChild"
import { databaseWithCustomers, tempDir } from "./lib/setup"

const BATCH = 1000
/** Timed batches per client and configuration. */
const BATCHES = Number(process.env["REMOTE_BATCHES"] ?? 8)
const FEEDS = Number(process.env["REMOTE_FEEDS"] ?? 300)
const DELAYS = [0, 5, 20]
const CUSTOMERS = 10_000
const CLIENTS = 4

type Runtime = ManagedRuntime.ManagedRuntime<Store.StoreServices, unknown>

const { dir, cleanup } = tempDir("remote")
try {
  const customers = makeCustomers(CUSTOMERS)
  const embeddedPath = await databaseWithCustomers(join(dir, "embedded.db"), customers)
  const remotePath = await databaseWithCustomers(join(dir, "remote.db"), customers)
  const server = await startRemoteServer(remotePath)

  const items = shopStream({ seed: 7, customers: CUSTOMERS, nowMs: Date.now(), txPrefix: "r" })
  const nextBatch = () =>
    take(items, BATCH).map((b) => b.input as unknown as RecordActionInput.RecordActionInput)

  const recordOne = async (rt: Runtime) => {
    const batch = nextBatch()
    const results = await rt.runPromise(
      Effect.flatMap(Effect.service(Store.ActionStore), (s) =>
        s.recordBatch(batch, { recordedBy: { kind: "apiKey", id: "bench" } }),
      ),
    )
    const bad = results.find((r) => r.status !== "recorded")
    if (bad !== undefined) throw new Error(`an item was not recorded: ${JSON.stringify(bad)}`)
  }

  /** actions/s of `clients` each recording BATCHES batches one after the other, all at once. */
  const throughput = async (clients: ReadonlyArray<Runtime>) => {
    const t0 = performance.now()
    await Promise.all(
      clients.map(async (rt) => {
        for (let i = 0; i < BATCHES; i++) await recordOne(rt)
      }),
    )
    return (clients.length * BATCHES * BATCH) / ((performance.now() - t0) / 1000)
  }

  const pick = rng(11)
  const feedTimes = async (rt: Runtime) => {
    const actions = await rt.runPromise(Effect.service(Store.ActionStore))
    const ms: Array<number> = []
    for (let i = 0; i < FEEDS; i++) {
      // A third of the reads hit the heavy customers (long feeds), the rest anyone.
      const c = pick() < 0.3 ? Math.floor(pick() * 5) : Math.floor(pick() * CUSTOMERS)
      const t0 = performance.now()
      await rt.runPromise(actions.feed(customerId(c), { limit: 50 }))
      ms.push(performance.now() - t0)
    }
    return { p50: round(percentile(ms, 0.5), 2), p99: round(percentile(ms, 0.99), 2) }
  }

  const open = async (url: string): Promise<Runtime> => {
    const rt = ManagedRuntime.make(Store.layer({ url }))
    await recordOne(rt) // opens, migrates, loads the registries, warms up
    return rt
  }

  // Embedded: one store (one process), 1 and 4 concurrent callers.
  const embedded = await open(`file:${embeddedPath}`)
  const embedded1 = await throughput([embedded])
  const embedded4 = await throughput(Array.from({ length: CLIENTS }, () => embedded))
  const embeddedFeed = await feedTimes(embedded)
  await embedded.dispose()

  // Remote: 4 clients of the same server.
  const remotes: Array<Runtime> = []
  for (let i = 0; i < CLIENTS; i++) remotes.push(await open(server.url))
  const rows: Array<Record<string, unknown>> = [
    {
      database: "embedded",
      "1 client actions/s": Math.round(embedded1),
      [`${CLIENTS} clients actions/s`]: Math.round(embedded4),
      "round trips/batch": "-",
      "feed p50 ms": embeddedFeed.p50,
      "feed p99 ms": embeddedFeed.p99,
      "round trips/feed": "-",
    },
  ]
  const figures: Record<string, number> = {}
  for (const delay of DELAYS) {
    await server.setDelayMs(delay)
    await server.resetRoundTrips()
    const one = await throughput([remotes[0]!])
    const perBatch = (await server.roundTrips()) / BATCHES
    const four = await throughput(remotes)
    await server.resetRoundTrips()
    const feed = await feedTimes(remotes[0]!)
    const perFeed = (await server.roundTrips()) / FEEDS
    rows.push({
      database: `remote ${delay} ms`,
      "1 client actions/s": Math.round(one),
      [`${CLIENTS} clients actions/s`]: Math.round(four),
      "round trips/batch": round(perBatch, 2),
      "feed p50 ms": feed.p50,
      "feed p99 ms": feed.p99,
      "round trips/feed": round(perFeed, 2),
    })
    figures[`remote_${delay}ms_actions_per_sec_1`] = Math.round(one)
    figures[`remote_${delay}ms_actions_per_sec_${CLIENTS}`] = Math.round(four)
    figures[`round_trips_per_batch_${delay}ms`] = round(perBatch, 2)
    figures[`feed_p50_${delay}ms_ms`] = feed.p50
    figures[`feed_p99_${delay}ms_ms`] = feed.p99
    figures[`round_trips_per_feed_${delay}ms`] = round(perFeed, 2)
  }
  for (const rt of remotes) await rt.dispose()
  await server.close()

  console.table(rows)
  console.log(
    JSON.stringify({
      name: "remote",
      batches_per_client: BATCHES,
      batch_size: BATCH,
      round_trips_per_batch: Math.max(
        ...DELAYS.map((d) => figures[`round_trips_per_batch_${d}ms`]!),
      ),
      ratio_20ms: round(figures[`remote_20ms_actions_per_sec_${CLIENTS}`]! / embedded4, 3),
      feed_p99_20ms_ms: figures["feed_p99_20ms_ms"],
      embedded_actions_per_sec_1: Math.round(embedded1),
      [`embedded_actions_per_sec_${CLIENTS}`]: Math.round(embedded4),
      embedded_feed_p50_ms: embeddedFeed.p50,
      embedded_feed_p99_ms: embeddedFeed.p99,
      ...figures,
    }),
  )
} finally {
  cleanup()
}
