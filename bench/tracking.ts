/**
 * Tracking API benchmark: Segment calls per second through `POST /v1/batch` (HTTP, JSON, write
 * key auth, mapping onto templates) against `ActionStore.recordBatch` of the same actions in
 * the same run, same server process and database. Batches are interleaved so machine noise
 * hits both alike. `ratio` = HTTP events/s ÷ recordBatch events/s (target ≥ 0.8).
 */
import { Tracking as Mapping, type Ids, type RecordActionInput } from "@actionlog/domain"
import { ActionStore, ApiKeys, Templates } from "@actionlog/store"
import { startServer } from "@actionlog/server/start"
import { Effect } from "effect"
import { join } from "node:path"
import { tempDir } from "./lib/setup"

const BATCH = Number(process.env["TRACKING_BATCH"] ?? 500)
const BATCHES = Number(process.env["TRACKING_BATCHES"] ?? 30)
const WARMUP = 3
const USERS = 2000

const sum = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0)
const median = (xs: ReadonlyArray<number>) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d

// Deterministic pseudo-random stream.
let seed = 42
const rnd = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff
  return seed / 0x7fffffff
}
const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(rnd() * xs.length)]!

type Call = {
  readonly type: "track"
  readonly userId: string
  readonly event: string
  readonly properties: Record<string, unknown>
  readonly messageId: string
  readonly timestamp: string
  readonly context: Record<string, unknown>
}

const product = () => {
  const i = Math.floor(rnd() * 500)
  return {
    product_id: `p-${i}`,
    sku: `SKU-${i}`,
    name: `Product ${i}`,
    price: 5 + (i % 50),
    category: `c-${i % 20}`,
  }
}

const makeCall = (n: number, prefix: string, nowMs: number): Call => {
  const userId = `user-${Math.floor(rnd() * USERS)}`
  const base = {
    type: "track" as const,
    userId,
    messageId: `${prefix}-${n}`,
    timestamp: new Date(nowMs - Math.floor(rnd() * 30 * 24 * 3600_000)).toISOString(),
    context: { library: { name: "@segment/analytics-node", version: "3.1.0" } },
  }
  const r = rnd()
  if (r < 0.45) return { ...base, event: "Product Viewed", properties: product() }
  if (r < 0.65)
    return {
      ...base,
      event: "Product Added",
      properties: { ...product(), quantity: 1 + Math.floor(rnd() * 3) },
    }
  if (r < 0.75) {
    const lines = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({
      ...product(),
      quantity: 1,
    }))
    const total = lines.reduce((s, l) => s + l.price, 0)
    return {
      ...base,
      event: "Order Completed",
      properties: { order_id: `o-${prefix}-${n}`, currency: "EUR", total, products: lines },
    }
  }
  if (r < 0.85) return { ...base, event: "Signed In", properties: {} }
  return {
    ...base,
    event: "Video Played",
    properties: {
      title: pick(["Intro", "Demo", "Launch"]),
      seconds: Math.floor(rnd() * 300),
      muted: rnd() < 0.5,
    },
  }
}

/** The record input the tracking API makes of a call (same mapping, done here directly). */
const toInput = (
  c: Call,
  videoFields: Parameters<typeof Mapping.splitProperties>[1],
): RecordActionInput.RecordActionInput => {
  const spec = Mapping.specMappingFor(c.event)
  const common = {
    customer: { identifier: { kind: "userId", value: c.userId } },
    createCustomer: true,
    occurredAt: c.timestamp,
    touchpoint: { externalId: Mapping.touchpointExternalIds.server },
    transactionId: `segment:${c.messageId}` as Ids.TransactionId,
  }
  if (spec !== undefined) {
    return {
      ...common,
      template: spec.template as Ids.TemplateName,
      payload: spec.payload({ properties: c.properties, userId: c.userId }),
      customFields: {},
    }
  }
  const split = Mapping.splitProperties(c.properties, videoFields)
  return {
    ...common,
    template: "VideoPlayed" as Ids.TemplateName,
    payload: split.rest,
    customFields: split.customFields,
  }
}

const { dir, cleanup } = tempDir("tracking")
const server = await startServer({ dbUrl: `file:${join(dir, "bench.db")}` })
try {
  const rt = server.runtime
  const { key } = await rt.runPromise(
    ApiKeys.use((k) => k.create({ name: "bench", scopes: ["ingest"], createdBy: "bench" })),
  )
  const auth = `Basic ${Buffer.from(`${key}:`).toString("base64")}`
  const actions = await rt.runPromise(Effect.service(ActionStore))
  const now = Date.now()
  let n = 0

  const postBatch = async (calls: ReadonlyArray<Call>) => {
    const body = JSON.stringify({ batch: calls, sentAt: new Date().toISOString() })
    const t0 = performance.now()
    const res = await fetch(`${server.url}/v1/batch`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: auth },
      body,
    })
    const text = await res.text()
    const ms = performance.now() - t0
    if (res.status !== 200)
      throw new Error(`/v1/batch answered ${res.status}: ${text.slice(0, 500)}`)
    return { ms, bytes: body.length }
  }

  // Create every customer, the touchpoint and the VideoPlayed template before timing.
  for (let u = 0; u < USERS; u += BATCH) {
    const calls = Array.from({ length: Math.min(BATCH, USERS - u) }, (_, i) => ({
      ...makeCall(n++, "w", now),
      userId: `user-${u + i}`,
      event: "Video Played",
      properties: { title: "Intro", seconds: 1, muted: false },
    }))
    await postBatch(calls)
  }
  const video = await rt.runPromise(Templates.use((t) => t.get("VideoPlayed")))

  const runDirect = async (calls: ReadonlyArray<Call>) => {
    const t0 = performance.now()
    const inputs = calls.map((c) => toInput(c, video.customFields))
    const results = await rt.runPromise(
      actions.recordBatch(inputs, { recordedBy: { kind: "apiKey", id: "bench" } }),
    )
    const ms = performance.now() - t0
    const bad = results.find((r) => r.status !== "recorded")
    if (bad !== undefined)
      throw new Error(`recordBatch did not record an item: ${JSON.stringify(bad)}`)
    return ms
  }

  const httpMs: Array<number> = []
  const directMs: Array<number> = []
  let bytes = 0
  for (let i = 0; i < WARMUP + BATCHES; i++) {
    const httpCalls = Array.from({ length: BATCH }, () => makeCall(n++, "h", now))
    // The same calls, under other message ids (so neither path sees the other's as repeats).
    const directCalls = httpCalls.map((c) => ({ ...c, messageId: `d${c.messageId}` }))
    const h = await postBatch(httpCalls)
    const d = await runDirect(directCalls)
    if (i >= WARMUP) {
      httpMs.push(h.ms)
      directMs.push(d)
      bytes += h.bytes
    }
  }

  const httpRate = (BATCHES * BATCH) / (sum(httpMs) / 1000)
  const directRate = (BATCHES * BATCH) / (sum(directMs) / 1000)
  console.table([
    {
      path: "POST /v1/batch (HTTP, auth, mapping)",
      "events/s": Math.round(httpRate),
      "median ms/batch": round(median(httpMs)),
    },
    {
      path: "ActionStore.recordBatch (same actions)",
      "events/s": Math.round(directRate),
      "median ms/batch": round(median(directMs)),
    },
  ])
  console.log(
    JSON.stringify({
      name: "tracking",
      batches: BATCHES,
      batch_size: BATCH,
      avg_request_bytes: Math.round(bytes / BATCHES),
      http_events_per_sec: Math.round(httpRate),
      record_batch_events_per_sec: Math.round(directRate),
      http_ms_per_batch_median: round(median(httpMs)),
      record_batch_ms_per_batch_median: round(median(directMs)),
      ratio: round(httpRate / directRate, 3),
      target_ratio: 0.8,
    }),
  )
} finally {
  await server.close()
  cleanup()
}
