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
 * with 4 clients ÷ embedded actions/s with 4 callers, timed in alternating rounds in this run
 * (target ≥ 0.5), `feed_p99_20ms_ms` (target ≤ 2 × 20 + 5).
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
const PER_ROUND = 2
/** Alternating embedded / remote rounds per configuration, PER_ROUND batches per client each. */
const ROUNDS = Number(process.env["REMOTE_ROUNDS"] ?? 4)
const BATCHES = ROUNDS * PER_ROUND
const FEEDS = Number(process.env["REMOTE_FEEDS"] ?? 300)
const DELAYS = [0, 5, 20]
const CUSTOMERS = 10_000
const CLIENTS = 4

const feed = (xs: Array<number>) => ({
  p50: round(percentile(xs, 0.5), 2),
  p99: round(percentile(xs, 0.99), 2),
})

type Runtime = ManagedRuntime.ManagedRuntime<Store.StoreServices, unknown>

const { dir, cleanup } = tempDir("remote")
try {
  const customers = makeCustomers(CUSTOMERS)
  const embeddedPath = await databaseWithCustomers(join(dir, "embedded.db"), customers)
  const remotePath = await databaseWithCustomers(join(dir, "remote.db"), customers)
  const server = await startRemoteServer(remotePath)
  process.once("exit", server.kill)

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

  /** ms for each of `clients` to record `batches` batches one after the other, all at once. */
  const timed = async (clients: ReadonlyArray<Runtime>, batches: number) => {
    const t0 = performance.now()
    await Promise.all(
      clients.map(async (rt) => {
        for (let i = 0; i < batches; i++) await recordOne(rt)
      }),
    )
    return performance.now() - t0
  }

  const pick = rng(11)
  const feedOf = async (rt: Runtime) => {
    const actions = await rt.runPromise(Effect.service(Store.ActionStore))
    return async () => {
      // A third of the reads hit the heavy customers (long feeds), the rest anyone.
      const c = pick() < 0.3 ? Math.floor(pick() * 5) : Math.floor(pick() * CUSTOMERS)
      const t0 = performance.now()
      await rt.runPromise(actions.feed(customerId(c), { limit: 50 }))
      return performance.now() - t0
    }
  }

  const open = async (url: string): Promise<Runtime> => {
    const rt = ManagedRuntime.make(Store.layer({ url }))
    await recordOne(rt) // opens, migrates, loads the registries, warms up
    return rt
  }

  // Embedded: one store (one process) with 1 and 4 concurrent callers. Remote: 4 clients of
  // the same server. The two are timed in alternating rounds (and feed reads alternate one by
  // one) so that this shared machine's drift lands on both alike.
  const embedded = await open(`file:${embeddedPath}`)
  const embeddedCallers = Array.from({ length: CLIENTS }, () => embedded)
  const remotes: Array<Runtime> = []
  for (let i = 0; i < CLIENTS; i++) remotes.push(await open(server.url))
  const embeddedFeed = await feedOf(embedded)
  const remoteFeed = await feedOf(remotes[0]!)

  const rows: Array<Record<string, unknown>> = []
  const figures: Record<string, number> = {}
  const rate = (clients: number, ms: number) => (clients * BATCHES * BATCH) / (ms / 1000)
  for (const delay of DELAYS) {
    await server.setDelayMs(delay)
    const ms = { e1: 0, r1: 0, e4: 0, r4: 0 }
    let remoteTrips = 0
    for (let round = 0; round < ROUNDS; round++) {
      const n = PER_ROUND
      ms.e1 += await timed([embedded], n)
      await server.resetRoundTrips()
      ms.r1 += await timed([remotes[0]!], n)
      remoteTrips += await server.roundTrips()
      ms.e4 += await timed(embeddedCallers, n)
      ms.r4 += await timed(remotes, n)
    }
    const feedMs = { e: [] as Array<number>, r: [] as Array<number> }
    await server.resetRoundTrips()
    for (let i = 0; i < FEEDS; i++) {
      feedMs.r.push(await remoteFeed())
      feedMs.e.push(await embeddedFeed())
    }
    const perFeed = (await server.roundTrips()) / FEEDS
    const perBatch = remoteTrips / BATCHES
    const e = feed(feedMs.e)
    const r = feed(feedMs.r)
    rows.push(
      {
        database: `embedded (beside ${delay} ms)`,
        "1 client actions/s": Math.round(rate(1, ms.e1)),
        [`${CLIENTS} clients actions/s`]: Math.round(rate(CLIENTS, ms.e4)),
        "round trips/batch": "-",
        "feed p50 ms": e.p50,
        "feed p99 ms": e.p99,
        "round trips/feed": "-",
      },
      {
        database: `remote ${delay} ms`,
        "1 client actions/s": Math.round(rate(1, ms.r1)),
        [`${CLIENTS} clients actions/s`]: Math.round(rate(CLIENTS, ms.r4)),
        "round trips/batch": round(perBatch, 2),
        "feed p50 ms": r.p50,
        "feed p99 ms": r.p99,
        "round trips/feed": round(perFeed, 2),
      },
    )
    figures[`embedded_beside_${delay}ms_actions_per_sec_1`] = Math.round(rate(1, ms.e1))
    figures[`embedded_beside_${delay}ms_actions_per_sec_${CLIENTS}`] = Math.round(
      rate(CLIENTS, ms.e4),
    )
    figures[`remote_${delay}ms_actions_per_sec_1`] = Math.round(rate(1, ms.r1))
    figures[`remote_${delay}ms_actions_per_sec_${CLIENTS}`] = Math.round(rate(CLIENTS, ms.r4))
    figures[`ratio_${delay}ms`] = round(ms.e4 / ms.r4, 3)
    figures[`round_trips_per_batch_${delay}ms`] = round(perBatch, 2)
    figures[`embedded_feed_p99_beside_${delay}ms_ms`] = e.p99
    figures[`feed_p50_${delay}ms_ms`] = r.p50
    figures[`feed_p99_${delay}ms_ms`] = r.p99
    figures[`round_trips_per_feed_${delay}ms`] = round(perFeed, 2)
  }
  for (const rt of remotes) await rt.dispose()
  await embedded.dispose()
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
      ratio_20ms: figures["ratio_20ms"],
      feed_p99_20ms_ms: figures["feed_p99_20ms_ms"],
      ...figures,
    }),
  )
} finally {
  cleanup()
}
