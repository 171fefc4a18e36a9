import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { request } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { remoteLane, testDatabase } from "@actionlog/testkit"
import { ConfigInvalid, loadConfig } from "../src/ServerConfig"
import { startServer } from "../src/start"
import { client, snapshot, startTestServer, type TestServer } from "./helpers"

const serverDir = join(import.meta.dirname, "..")

const bad = () =>
  loadConfig({
    PORT: "seventy",
    ACTIONLOG_DB_URL: "ftp://x",
    ACTIONLOG_MAX_IN_FLIGHT: "0",
    ACTIONLOG_BONUS_EXPIRY_SECONDS: "-5",
  })

/** Waits until the server's in-flight gauge (from /metrics, never limited) shows `n`. */
const inFlightReaches = async (url: string, n: number) => {
  const deadline = Date.now() + 10_000
  for (;;) {
    const text = await (await fetch(`${url}/metrics`)).text()
    if (new RegExp(`^actionlog_http_in_flight ${n}$`, "m").test(text)) return
    if (Date.now() > deadline) throw new Error(`in-flight gauge never reached ${n}`)
    await new Promise((r) => setImmediate(r))
  }
}

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.close())

describe("limits", () => {
  it("answers 413 to a body over 1 MiB (declared or streamed) and changes nothing", async () => {
    const before = await snapshot(t.server)
    const big = JSON.stringify({ name: "x".repeat(1024 * 1024), scopes: ["read"] })
    const declared = await fetch(`${t.url}/trpc/apiKeys.create`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${t.keys.admin}` },
      body: big,
    })
    expect(declared.status).toBe(413)
    const body = (await declared.json()) as { error: { data: { tag: string; code: string } } }
    expect(body.error.data).toMatchObject({ tag: "PayloadTooLarge", code: "PAYLOAD_TOO_LARGE" })

    // Chunked: no Content-Length, so the limit applies while reading.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${t.url}/trpc/apiKeys.create`,
        {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${t.keys.admin}` },
        },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      req.on("error", reject)
      for (let i = 0; i < 20; i++) req.write("x".repeat(64 * 1024))
      req.end()
    })
    expect(status).toBe(413)
    expect(await snapshot(t.server)).toBe(before)
  })

  it("answers 429 with Retry-After when the in-flight limit is reached", async () => {
    const s = await startTestServer({ maxInFlight: 1 })
    try {
      // Hold one request open by never finishing its body.
      const held = request(`${s.url}/trpc/auth.signIn`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": "100" },
      })
      held.on("error", () => {})
      held.write("{")
      await inFlightReaches(s.url, 1)
      const res = await fetch(`${s.url}/trpc/auth.me`, {
        headers: { authorization: `Bearer ${s.keys.read}` },
      })
      expect(res.status).toBe(429)
      expect(res.headers.get("retry-after")).toBe("1")
      const body = (await res.json()) as { error: { data: { tag: string } } }
      expect(body.error.data.tag).toBe("Overloaded")
      // Health and metrics stay reachable under load.
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200)
      held.destroy()
      await inFlightReaches(s.url, 0)
      const after = await fetch(`${s.url}/trpc/auth.me`, {
        headers: { authorization: `Bearer ${s.keys.read}` },
      })
      expect(after.status).toBe(200)
    } finally {
      await s.close()
    }
  })
})

describe("demo seed on start", () => {
  it(
    "seeds an empty database once; later starts leave the data alone",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "actionlog-seed-"))
      const db = testDatabase(join(dir, "seed.db"))
      const dbUrl = db.url
      try {
        const first = await startServer({ dbUrl, seed: true })
        expect(first.seeded).toMatchObject({ email: "admin@example.com", rejected: 0 })
        await first.close()
        const again = await startServer({ dbUrl, seed: true })
        expect(again.seeded).toBeNull()
        await again.close()
      } finally {
        await db.close()
        rmSync(dir, { recursive: true, force: true })
      }
      // The demo seed over the network (remote lane) is thousands of round trips.
    },
    remoteLane ? 300_000 : undefined,
  )
})

describe("client address for the audit log", () => {
  it("uses X-Forwarded-For only when the proxy is trusted", async () => {
    const trusted = await startTestServer({ trustProxy: true })
    try {
      for (const [server, expected] of [
        [t, "127.0.0.1"],
        [trusted, "203.0.113.7"],
      ] as const) {
        const res = await fetch(`${server.url}/trpc/apiKeys.create`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            cookie: server.cookies.admin,
            "x-forwarded-for": "203.0.113.7, 10.0.0.1",
          },
          body: JSON.stringify({ name: "via-proxy", scopes: ["read"] }),
        })
        expect(res.status).toBe(200)
        const audit = await client(server.url, { cookie: server.cookies.admin }).audit.list.query({
          limit: 1,
        })
        expect(audit.entries[0]).toMatchObject({ action: "apiKeys.create", ip: expected })
      }
    } finally {
      await trusted.close()
    }
  })
})

describe("health, metrics, static files", () => {
  it("GET /healthz answers ok when the database answers", async () => {
    const res = await fetch(`${t.url}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true })
  })

  it("GET /metrics counts requests, latencies per procedure and outcomes", async () => {
    await client(t.url, { apiKey: t.keys.read }).auth.me.query()
    await fetch(`${t.url}/trpc/auth.me`).then((r) => r.text())
    const text = await (await fetch(`${t.url}/metrics`)).text()
    expect(text).toMatch(
      /actionlog_procedure_calls_total\{procedure="auth.me",type="query",outcome="OK"\} [1-9]/,
    )
    expect(text).toMatch(
      /actionlog_procedure_calls_total\{procedure="auth.me",type="query",outcome="UNAUTHORIZED"\} [1-9]/,
    )
    expect(text).toMatch(/actionlog_procedure_duration_seconds_count\{procedure="auth.me"\} [1-9]/)
    expect(text).toMatch(/actionlog_http_requests_total\{route="trpc",status="401"\} [1-9]/)
    expect(text).toContain("actionlog_actions_recorded_total")
    expect(text).toContain("actionlog_actions_rejected_total")
  })

  it("serves the admin app with SPA fallback, and says how to build it when missing", async () => {
    const dist = mkdtempSync(join(tmpdir(), "actionlog-dist-"))
    mkdirSync(join(dist, "assets"))
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>admin</title>")
    writeFileSync(join(dist, "assets", "app.js"), "console.log(1)")
    const s = await startTestServer({ adminDist: dist })
    const missing = await startTestServer({ adminDist: join(dist, "nope") })
    try {
      const index = await fetch(`${s.url}/`)
      expect(index.headers.get("content-type")).toContain("text/html")
      expect(await index.text()).toContain("<title>admin</title>")
      expect(await (await fetch(`${s.url}/customers/123`)).text()).toContain("<title>admin</title>")
      const js = await fetch(`${s.url}/assets/app.js`)
      expect(js.headers.get("content-type")).toContain("javascript")
      expect((await fetch(`${s.url}/assets/gone.js`)).status).toBe(404)
      expect(await (await fetch(`${s.url}/..%2f..%2fpackage.json`)).text()).toContain(
        "<title>admin</title>",
      )
      const help = await fetch(`${missing.url}/`)
      expect(help.status).toBe(200)
      expect(await help.text()).toContain("pnpm --filter @actionlog/admin build")
    } finally {
      await s.close()
      await missing.close()
      rmSync(dist, { recursive: true, force: true })
    }
  })
})

interface Spawned {
  readonly url: Promise<string>
  /** Settles when the process says it is draining. */
  readonly draining: Promise<void>
  readonly exit: Promise<{ code: number | null; stdout: string; stderr: string }>
  readonly kill: (signal: NodeJS.Signals) => void
}

const spawnMain = (env: Record<string, string>): Spawned => {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { ...process.env, HOST: "127.0.0.1", PORT: "0", ACTIONLOG_SEED: "false", ...env },
  })
  let stdout = ""
  let stderr = ""
  const url = new Promise<string>((resolve) =>
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
      const m = /listening on (http:\/\/\S+)/.exec(stdout)
      if (m) resolve(m[1]!)
    }),
  )
  const draining = new Promise<void>((resolve) =>
    child.stdout.on("data", () => {
      if (stdout.includes(": draining")) resolve()
    }),
  )
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr })),
  )
  return { url, draining, exit, kill: (signal) => child.kill(signal) }
}

describe("the server process", () => {
  it(
    "on SIGTERM finishes in-flight requests, then closes the database and exits 0",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "actionlog-main-"))
      const db = testDatabase(join(dir, "main.db"))
      try {
        const p = spawnMain({
          ACTIONLOG_DB_URL: db.url,
          ACTIONLOG_SEED: "true",
        })
        const url = await p.url
        const body = JSON.stringify({ email: "admin@example.com", password: "actionlog-demo" })
        const response = new Promise<number>((resolve, reject) => {
          const req = request(
            `${url}/trpc/auth.signIn`,
            {
              method: "POST",
              headers: {
                "content-type": "application/json",
                "content-length": String(body.length),
              },
            },
            (res) => {
              res.resume()
              res.on("end", () => resolve(res.statusCode ?? 0))
            },
          )
          req.on("error", reject)
          req.write(body.slice(0, 10))
          // SIGTERM only once the request is in flight; finish it only once draining began.
          void inFlightReaches(url, 1)
            .then(() => {
              p.kill("SIGTERM")
              return p.draining
            })
            .then(() => req.end(body.slice(10)), reject)
        })
        expect(await response).toBe(200)
        const { code, stdout } = await p.exit
        expect(stdout).toContain("SIGTERM: draining")
        expect(stdout).toContain("stopped")
        expect(code).toBe(0)
      } finally {
        await db.close()
        rmSync(dir, { recursive: true, force: true })
      }
    },
    // An empty database with the demo seed: over the network (remote lane), thousands of round
    // trips.
    remoteLane ? 300_000 : undefined,
  )

  it("main.ts prints every bad setting on stderr and exits 2 without listening", async () => {
    const { code, stdout, stderr } = await spawnMain({
      PORT: "seventy",
      ACTIONLOG_DB_URL: "ftp://x",
      ACTIONLOG_MAX_IN_FLIGHT: "0",
      ACTIONLOG_BONUS_EXPIRY_SECONDS: "-5",
    }).exit
    expect(code).toBe(2)
    expect(stderr).toContain('PORT="seventy" is invalid: expected a TCP port')
    expect(stderr).toContain('ACTIONLOG_DB_URL="ftp://x" is invalid')
    expect(stderr).toContain('ACTIONLOG_MAX_IN_FLIGHT="0" is invalid')
    expect(stderr).toContain('ACTIONLOG_BONUS_EXPIRY_SECONDS="-5" is invalid')
    expect(stdout).not.toContain("listening")
  })

  it("loadConfig reports every bad setting at once; defaults when unset", () => {
    expect(bad).toThrow(ConfigInvalid)
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      host: "0.0.0.0",
      seed: true,
      maxInFlight: 256,
      bonusExpirySeconds: 3600,
    })
    expect(loadConfig({}).dbUrl).toMatch(/^file:\/.*\/data\/actionlog\.db$/)
  })
})
