/**
 * Webhooks benchmark (last line: JSON with `name`): a steady ingest of `actions.recordBatch`
 * (1,000 actions per call, back to back over HTTP — the rate bench:http measures) while the
 * server's webhook worker delivers every action to a receiver on 127.0.0.1.
 *
 * - `actions_per_sec`: actions received ÷ time from the first batch to the last receipt.
 * - `ingest_actions_per_sec`: the recordBatch rate during the run (the rate to keep up with).
 * - `lag_p50_ms` / `lag_p99_ms`: receipt time − the action's recorded time. Goal p99 ≤ 1,000.
 *
 * Env: WEBHOOK_BATCHES (20); WEBHOOK_RATE (actions/s, paces the ingest; default: as fast as
 * recordBatch goes); WEBHOOK_BATCH (actions per delivery, default 250); WEBHOOK_DRAIN=1 records
 * everything with the subscription paused, then resumes it: the worker's own rate, no ingest.
 */
import type { RecordActionInput } from "@actionlog/domain"
import * as Store from "@actionlog/store"
import { createActionlogClient } from "@actionlog/client"
import { startServer } from "@actionlog/server/start"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { makeCustomers, percentile, round, shopStream, take } from "./lib/data"
import { databaseWithCustomers, tempDir } from "./lib/setup"

const BATCH = 1000
const BATCHES = Number(process.env["WEBHOOK_BATCHES"] ?? 20)
const CUSTOMERS = 10_000
const RATE = Number(process.env["WEBHOOK_RATE"] ?? 0)
const DRAIN = process.env["WEBHOOK_DRAIN"] === "1"

const { dir, cleanup } = tempDir("webhooks")
try {
  const customers = makeCustomers(CUSTOMERS)
  const path = await databaseWithCustomers(join(dir, "webhooks.db"), customers)
  const lags: Array<number> = []
  let lastReceipt = 0
  let deliveries = 0
  const receiver = createServer((req, res) => {
    let body = ""
    req.on("data", (c: Buffer) => (body += c.toString()))
    req.on("end", () => {
      const now = Date.now()
      const parsed = JSON.parse(body) as { data: Array<{ recordedAt: number }> }
      for (const a of parsed.data) lags.push(now - Number(a.recordedAt))
      deliveries++
      lastReceipt = now
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()))
  const server = await startServer({
    dbUrl: `file:${path}`,
    webhooks: {
      allowPrivate: true,
      ...(process.env["WEBHOOK_BATCH"] ? { batchSize: Number(process.env["WEBHOOK_BATCH"]) } : {}),
    },
  })
  const { key } = await server.runtime.runPromise(
    Store.ApiKeys.use((k) => k.create({ name: "bench", scopes: ["admin"], createdBy: "bench" })),
  )
  const api = createActionlogClient({ url: server.url, apiKey: key })
  const { webhook } = await api.webhooks.create.mutate({
    name: "bench",
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
    active: !DRAIN,
  })
  const stream = shopStream({ seed: 11, customers: CUSTOMERS, nowMs: Date.now(), txPrefix: "w" })
  const batches = Array.from({ length: BATCHES }, () =>
    take(stream, BATCH).map((b) => b.input as unknown as RecordActionInput.RecordActionInput),
  )
  let t0 = Date.now()
  for (const [i, items] of batches.entries()) {
    if (RATE > 0) {
      const due = t0 + (i * BATCH * 1000) / RATE
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()))
    }
    const r = await api.actions.recordBatch.mutate({ items })
    if (r.recorded !== BATCH) throw new Error("a batch item was not recorded")
  }
  const ingestMs = Date.now() - t0
  if (DRAIN) {
    t0 = Date.now()
    await api.webhooks.resume.mutate({ id: webhook.id })
  }
  const total = BATCHES * BATCH
  const deadline = Date.now() + 120_000
  while (lags.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
  if (lags.length < total) throw new Error(`only ${lags.length} of ${total} actions arrived`)
  const deliverMs = lastReceipt - t0
  await server.close()
  await new Promise((r) => receiver.close(r))

  const result = {
    name: "webhooks",
    mode: DRAIN ? "drain" : RATE > 0 ? `paced ${RATE}/s` : "unpaced",
    actions: total,
    deliveries,
    ingest_actions_per_sec: Math.round(total / (ingestMs / 1000)),
    actions_per_sec: Math.round(total / (deliverMs / 1000)),
    lag_p50_ms: round(percentile(lags, 0.5), 1),
    lag_p99_ms: round(percentile(lags, 0.99), 1),
  }
  console.table([result])
  console.log(JSON.stringify(result))
} finally {
  cleanup()
}
