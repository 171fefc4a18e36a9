import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createClient } from "@libsql/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { remoteLane, startHranaServer, type HranaServer } from "@actionlog/testkit"
import { client, signIn } from "./helpers"

// Scale-out as docs/operations.md describes it: several stateless API server processes on one
// networked libSQL database (here the Hrana test server standing in for sqld). Every check
// crosses processes: what one server writes or revokes, the other sees on its next request.
// It always runs over the network, so it runs once: in the remote lane.

const serverDir = join(import.meta.dirname, "..")

interface Spawned {
  readonly url: Promise<string>
  readonly stdout: () => string
  readonly exit: Promise<number | null>
  readonly stop: () => void
}

const spawnServer = (dbUrl: string): Spawned => {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: "0",
      ACTIONLOG_DB_URL: dbUrl,
      // Both start on the empty database with the defaults an operator gets: demo seed on.
      ACTIONLOG_SEED: "true",
      ACTIONLOG_BONUS_EXPIRY_SECONDS: "0",
    },
  })
  let stdout = ""
  let stderr = ""
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()))
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString()
      const m = /listening on (http:\/\/\S+)/.exec(stdout)
      if (m) resolve(m[1]!)
    })
    void exit.then((code) => reject(new Error(`server exited (${code}): ${stderr}`)))
  })
  return { url, stdout: () => stdout, exit, stop: () => child.kill("SIGTERM") }
}

let dir: string
let hrana: HranaServer
let a: Spawned
let b: Spawned
let urlA: string
let urlB: string
let cookieA: string

beforeAll(async () => {
  if (!remoteLane) return
  dir = mkdtempSync(join(tmpdir(), "actionlog-multi-"))
  hrana = await startHranaServer({ dbPath: join(dir, "shared.db") })
  a = spawnServer(hrana.url)
  b = spawnServer(hrana.url)
  ;[urlA, urlB] = await Promise.all([a.url, b.url])
  cookieA = await signIn(urlA, "admin@example.com", "actionlog-demo")
}, 180_000)

afterAll(async () => {
  if (!remoteLane) return
  a?.stop()
  b?.stop()
  await Promise.all([a?.exit, b?.exit])
  await hrana?.close()
  rmSync(dir, { recursive: true, force: true })
})

const item = (n: number) => ({
  customer: { identifier: { kind: "email", value: `multi-${n}@example.com` } },
  createCustomer: true,
  template: "ProductViewed" as const,
  payload: { product: { productId: `p-${n}`, name: "Shirt", price: 10 } },
  transactionId: `multi-tx-${n}`,
})

const newKey = async (
  name: string,
  scopes: readonly ["read" | "ingest" | "admin", ...Array<"read" | "ingest" | "admin">],
) => client(urlA, { cookie: cookieA }).apiKeys.create.mutate({ name, scopes })

describe.skipIf(!remoteLane)("two server processes on one remote database", () => {
  it("started together on an empty database: migrations and the demo seed applied once", async () => {
    const db = createClient({ url: hrana.url })
    try {
      const migrations = await db.execute(
        "SELECT id, count(*) AS n FROM schema_migrations GROUP BY id ORDER BY id",
      )
      expect(migrations.rows.length).toBeGreaterThanOrEqual(6)
      expect(migrations.rows.every((r) => r["n"] === 1)).toBe(true)
      const admins = await db.execute(
        "SELECT count(*) AS n FROM staff_users WHERE email = 'admin@example.com'",
      )
      expect(admins.rows[0]!["n"]).toBe(1)
    } finally {
      db.close()
    }
    // Exactly one of them loaded the demo data.
    const seeded = [a.stdout(), b.stdout()].filter((s) => s.includes("Demo data loaded"))
    expect(seeded).toHaveLength(1)
  })

  it("the same transactionId sent to both at once records one action", async () => {
    const { key } = await newKey("multi-ingest", ["ingest", "read"])
    for (let n = 0; n < 5; n++) {
      const [ra, rb] = await Promise.all([
        client(urlA, { apiKey: key }).actions.record.mutate(item(n)),
        client(urlB, { apiKey: key }).actions.record.mutate(item(n)),
      ])
      expect([ra.status, rb.status].sort()).toEqual(["alreadyProcessed", "recorded"])
      expect(ra.id).toBe(rb.id)
    }
    // A batch and a single record racing on the same ids.
    const batch = Array.from({ length: 20 }, (_, i) => item(100 + i))
    const [ba, bb] = await Promise.all([
      client(urlA, { apiKey: key }).actions.recordBatch.mutate({ items: batch }),
      client(urlB, { apiKey: key }).actions.recordBatch.mutate({ items: batch }),
    ])
    expect(ba.recorded + bb.recorded).toBe(20)
    expect(ba.alreadyProcessed + bb.alreadyProcessed).toBe(20)
    const list = await client(urlB, { apiKey: key }).actions.list.query({ limit: 500 })
    const ids = list.items.map((x) => x.transactionId).filter((x) => x?.startsWith("multi-tx-"))
    expect(ids).toHaveLength(25)
    expect(new Set(ids).size).toBe(25)
  })

  it("a key revoked through one server is refused by the other on its next request", async () => {
    const { key, apiKey } = await newKey("multi-short-lived", ["read"])
    expect(await client(urlB, { apiKey: key }).auth.me.query()).toMatchObject({ kind: "apiKey" })
    await client(urlA, { cookie: cookieA }).apiKeys.revoke.mutate({ id: apiKey.id })
    await expect(client(urlB, { apiKey: key }).auth.me.query()).rejects.toMatchObject({
      data: { httpStatus: 401, tag: "Unauthenticated" },
    })
  })

  it("a template created on one server is usable on the other at once", async () => {
    const { key } = await newKey("multi-templates", ["ingest", "read"])
    // B has the registry cached from before the template exists.
    const before = await client(urlB, { apiKey: key }).templates.list.query({})
    expect(before.some((t) => t.systemName === "MultiGiftCardBought")).toBe(false)
    const created = await client(urlA, { cookie: cookieA }).templates.create.mutate({
      displayName: "Multi gift card bought",
      category: "personal",
      customFields: [{ name: "amount", type: "decimal", required: true }],
    })
    expect(created.systemName).toBe("MultiGiftCardBought")
    const recorded = await client(urlB, { apiKey: key }).actions.record.mutate({
      customer: { identifier: { kind: "email", value: "multi-gift@example.com" } },
      createCustomer: true,
      template: "MultiGiftCardBought" as never,
      customFields: { amount: 25.5 },
    })
    expect(recorded.status).toBe("recorded")
    const got = await client(urlB, { apiKey: key }).actions.get.query({ id: recorded.id })
    expect(got.action).toMatchObject({ template: "MultiGiftCardBought" })
  })

  it("a live subscription on one server receives actions recorded through the other", async () => {
    const { key } = await newKey("multi-live", ["ingest", "read"])
    const controller = new AbortController()
    const seen: Array<{ type: string; action?: { transactionId?: string } }> = []
    const waiters: Array<() => void> = []
    const reading = (async () => {
      const input = encodeURIComponent(JSON.stringify({ templates: ["CustomerSignedIn"] }))
      const res = await fetch(`${urlB}/trpc/live.actions?input=${input}`, {
        headers: { accept: "text/event-stream", authorization: `Bearer ${key}` },
        signal: controller.signal,
      })
      const body = res.body!.getReader()
      const decoder = new TextDecoder()
      let buffer = ""
      try {
        for (;;) {
          const { value, done } = await body.read()
          if (done) return
          buffer += decoder.decode(value, { stream: true })
          let end: number
          while ((end = buffer.indexOf("\n\n")) !== -1) {
            const block = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            const data = block
              .split("\n")
              .filter((l) => l.startsWith("data:"))
              .map((l) => l.slice(5).trim())
              .join("")
            if (data !== "") seen.push(JSON.parse(data))
            for (const w of waiters.splice(0)) w()
          }
        }
      } catch {
        // aborted
      }
    })()
    const until = async (pred: () => boolean, what: string) => {
      const deadline = Date.now() + 20_000
      while (!pred()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
        await new Promise<void>((r) => {
          waiters.push(r)
          setTimeout(r, 200)
        })
      }
    }
    try {
      await until(() => seen.some((m) => m.type === "ready"), "ready")
      for (let n = 0; n < 3; n++) {
        await client(urlA, { apiKey: key }).actions.record.mutate({
          customer: { identifier: { kind: "email", value: "multi-live@example.com" } },
          createCustomer: true,
          template: "CustomerSignedIn",
          payload: { method: "password" },
          transactionId: `multi-live-${n}`,
        })
      }
      const live = () =>
        seen.filter((m) => m.action?.transactionId?.startsWith("multi-live-") === true)
      await until(() => live().length === 3, "three actions recorded through the other server")
      expect(live().map((m) => m.action!.transactionId)).toEqual([
        "multi-live-0",
        "multi-live-1",
        "multi-live-2",
      ])
    } finally {
      controller.abort()
      await reading
    }
  })
})
