import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { Database, layer } from "@actionlog/store"
import { testDatabase } from "@actionlog/testkit"

// A status change and its action commit together, also when the process dies at any moment:
// a child drives orders through their lifecycle and is killed with SIGKILL; afterwards every
// order's state matches its actions exactly, and every acknowledged change is there.

const here = dirname(fileURLToPath(import.meta.url))
// The server app has tsx; the child imports our packages relative to its own file.
const serverDir = join(here, "..", "..", "..", "..", "apps", "server")
const dir = mkdtempSync(join(tmpdir(), "actionlog-producers-crash-"))
// In the remote lane the killed writer is a client of a Hrana server over the file: its open
// transaction is the server's to roll back.
const db = testDatabase(join(dir, "crash.db"))
afterAll(async () => {
  await db.close()
  rmSync(dir, { recursive: true, force: true })
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe("crash safety of producers", () => {
  it("a killed writer leaves no order change without its action and no action without its change", async () => {
    const url = db.url
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(here, "fixtures", "orderWriter.ts")],
      {
        cwd: serverDir,
        env: { ...process.env, ACTIONLOG_ORDERS: JSON.stringify({ url }) },
        stdio: ["ignore", "pipe", "pipe"],
      },
    )
    const acks: Array<string> = []
    let out = ""
    let stderr = ""
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()))
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString()
        const lines = out.split("\n")
        out = lines.pop() ?? ""
        for (const line of lines) {
          if (line === "ready") resolve()
          else if (line.startsWith("ack ")) acks.push(line.slice(4))
        }
      })
      child.on("exit", () => reject(new Error(`writer exited early: ${stderr}`)))
    })
    const exited = new Promise((r) => child.on("exit", r))
    await ready
    // Let it get going, then kill it without warning.
    while (acks.length < 40) await sleep(20)
    await sleep(Math.floor(Math.random() * 50))
    child.kill("SIGKILL")
    await exited

    const rt = ManagedRuntime.make(layer({ url }))
    try {
      const q = <A>(sql: string) => rt.runPromise(Database.use((db) => db.query<A>(sql)))
      // Every history row has its action, and every order action has its history row.
      const orphanEvents = await q(
        "SELECT e.action_id FROM order_events e LEFT JOIN actions a ON a.id = e.action_id WHERE a.id IS NULL",
      )
      const orphanActions = await q(
        "SELECT a.id FROM actions a LEFT JOIN order_events e ON e.action_id = a.id WHERE a.template IN ('OrderPlaced','OrderPaid','OrderStatusChanged','OrderReturned') AND e.action_id IS NULL",
      )
      expect(orphanEvents).toEqual([])
      expect(orphanActions).toEqual([])
      // Each order's status is that of its last change, whose action carries the same snapshot.
      const mismatched = await q(`
        SELECT o.id FROM orders o
        JOIN order_events e ON e.seq = (SELECT MAX(seq) FROM order_events WHERE order_id = o.id)
        JOIN actions a ON a.id = e.action_id
        WHERE o.status <> e.status OR json_extract(a.payload, '$.order.status') <> o.status
          OR json_extract(a.payload, '$.order') <> json(o.snapshot)`)
      expect(mismatched).toEqual([])
      // Every acknowledged change is there.
      const done = new Set(
        (await q<{ k: string }>("SELECT order_id || ' ' || status AS k FROM order_events")).map(
          (r) => r.k,
        ),
      )
      expect(acks.filter((ack) => !done.has(ack))).toEqual([])
      const [{ n } = { n: 0 }] = await q<{ n: number }>("SELECT COUNT(*) AS n FROM orders")
      expect(n).toBeGreaterThanOrEqual(8)
    } finally {
      await rt.dispose()
    }
  }, 60_000)
})
