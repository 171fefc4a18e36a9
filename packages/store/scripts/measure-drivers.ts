// Measures the two drivers on the local-file hot path (docs/store.md, "Driver measurement").
// Run: pnpm --filter @actionlog/store exec tsx scripts/measure-drivers.ts
import { createClient } from "@libsql/client"
import Native from "libsql"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const DDL = [
  "CREATE TABLE t (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, customer_id TEXT NOT NULL, occurred_at INTEGER NOT NULL, payload TEXT NOT NULL)",
  "CREATE INDEX t_feed ON t (customer_id, occurred_at DESC, id DESC)",
]
const BATCHES = 30
const ROWS = 1000
const payload = JSON.stringify({ productId: "p-123456", price: 1999.5, note: "x".repeat(240) })
const row = (b: number, i: number) => [
  `id-${b}-${i}-${Math.random().toString(36).slice(2)}`,
  `c-${(b * ROWS + i) % 500}`,
  1_700_000_000_000 + b * ROWS + i,
  payload,
]
const INSERT = "INSERT INTO t (id, customer_id, occurred_at, payload) VALUES (?, ?, ?, ?)"
const FEED =
  "SELECT id, customer_id, occurred_at, payload FROM t WHERE customer_id = ? ORDER BY occurred_at DESC, id DESC LIMIT 50"

const dir = mkdtempSync(join(tmpdir(), "drivers-"))
const results: Array<{
  driver: string
  insertRowsPerSec: number
  feedP50Ms: number
  pointUs: number
}> = []

const pct = (xs: Array<number>, p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? 0
}

{
  const db = new Native(join(dir, "native.db"), { timeout: 5000 })
  db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
  for (const s of DDL) db.exec(s)
  const ins = db.prepare(INSERT)
  const t0 = performance.now()
  for (let b = 0; b < BATCHES; b++) {
    db.exec("BEGIN IMMEDIATE")
    for (let i = 0; i < ROWS; i++) ins.run(row(b, i))
    db.exec("COMMIT")
  }
  const insertMs = performance.now() - t0
  const feed = db.prepare(FEED)
  const times: Array<number> = []
  for (let k = 0; k < 500; k++) {
    const s = performance.now()
    feed.all(`c-${k % 500}`)
    times.push(performance.now() - s)
  }
  const point = db.prepare("SELECT seq FROM t WHERE customer_id = ? LIMIT 1")
  const p0 = performance.now()
  for (let k = 0; k < 5000; k++) point.get(`c-${k % 500}`)
  const pointUs = ((performance.now() - p0) / 5000) * 1000
  results.push({
    driver: "libsql (native, sync, prepared once)",
    insertRowsPerSec: Math.round((BATCHES * ROWS) / (insertMs / 1000)),
    feedP50Ms: +pct(times, 0.5).toFixed(3),
    pointUs: +pointUs.toFixed(2),
  })
  db.close()
}

{
  const client = createClient({ url: `file:${join(dir, "client.db")}` })
  await client.execute("PRAGMA journal_mode=WAL")
  for (const s of DDL) await client.execute(s)
  const t0 = performance.now()
  for (let b = 0; b < BATCHES; b++) {
    const stmts = []
    for (let i = 0; i < ROWS; i++) stmts.push({ sql: INSERT, args: row(b, i) })
    await client.batch(stmts, "write")
  }
  const insertMs = performance.now() - t0
  const times: Array<number> = []
  for (let k = 0; k < 500; k++) {
    const s = performance.now()
    await client.execute({ sql: FEED, args: [`c-${k % 500}`] })
    times.push(performance.now() - s)
  }
  const p0 = performance.now()
  for (let k = 0; k < 5000; k++)
    await client.execute({
      sql: "SELECT seq FROM t WHERE customer_id = ? LIMIT 1",
      args: [`c-${k % 500}`],
    })
  const pointUs = ((performance.now() - p0) / 5000) * 1000
  results.push({
    driver: "@libsql/client (file:, async, batch)",
    insertRowsPerSec: Math.round((BATCHES * ROWS) / (insertMs / 1000)),
    feedP50Ms: +pct(times, 0.5).toFixed(3),
    pointUs: +pointUs.toFixed(2),
  })
  client.close()
}

console.table(results)
console.log(JSON.stringify({ name: "drivers", results }))
rmSync(dir, { recursive: true, force: true })
