/**
 * Hostile and malformed requests at every edge of the real server: each gets a complete HTTP
 * answer and the process keeps serving (checked with /healthz after each one).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { connect, type AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { withLastResort } from "../src/Http"
import { startTestServer, type TestServer } from "./helpers"

/** One raw request over its own socket: the status line and headers of the answer. */
const raw = (port: number, text: string | Buffer) =>
  new Promise<{ status: number; head: string; body: string }>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(text))
    let out = ""
    socket.setEncoding("latin1")
    socket.on("data", (d: string) => {
      out += d
      // SSE answers stay open: the head is enough.
      if (/\r\n\r\n/.test(out) && /text\/event-stream/i.test(out)) socket.destroy()
    })
    socket.on("error", reject)
    // No answer in time counts as a wedged request (status 0).
    socket.setTimeout(10_000, () => socket.destroy())
    socket.on("close", () => {
      const end = out.indexOf("\r\n\r\n")
      const head = end === -1 ? out : out.slice(0, end)
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0)
      resolve({ status, head: head.toLowerCase(), body: end === -1 ? "" : out.slice(end + 4) })
    })
  })

const get = (target: string, headers = "") =>
  `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headers}\r\n`
const post = (target: string, body: string | Buffer, headers = "") => {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, "latin1")
  const head = `POST ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${bytes.length}\r\n${headers}\r\n`
  return Buffer.concat([Buffer.from(head, "latin1"), bytes])
}

const indexHtml = "<!doctype html><title>admin</title>"
const deep = (n: number) => "[".repeat(n) + "]".repeat(n)

let t: TestServer
let dist: string
beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), "actionlog-edge-dist-"))
  mkdirSync(join(dist, "assets"))
  writeFileSync(join(dist, "index.html"), indexHtml)
  writeFileSync(join(dist, "assets", "app-1234.js"), "console.log(1)")
  writeFileSync(join(dist, "assets", "app-1234.js.map"), '{"version":3}')
  writeFileSync(join(dist, ".secret"), "hidden")
  t = await startTestServer({ adminDist: dist })
})
afterAll(async () => {
  await t.close()
  rmSync(dist, { recursive: true, force: true })
})

/** Each request with the statuses a correct server may answer. */
const cases = (): ReadonlyArray<readonly [string, string | Buffer, ReadonlyArray<number>]> => {
  const bearer = `Authorization: Bearer ${t.keys.admin}\r\n`
  const basic = `Authorization: Basic ${Buffer.from(`${t.keys.ingest}:`).toString("base64")}\r\n`
  const json = "Content-Type: application/json\r\n"
  return [
    // Malformed percent-encoding in the path (once ended the process).
    ["/%c0", get("/%c0"), [200]],
    ["/%c0%ae%c0%ae/etc/passwd", get("/%c0%ae%c0%ae/etc/passwd"), [200]],
    ["/%", get("/%"), [200]],
    ["/assets/%E0%A4%A", get("/assets/%E0%A4%A"), [404]],
    ["/trpc/%c0", get("/trpc/%c0"), [400]],
    ["/v1/%c0", post("/v1/%c0", "{}"), [404]],
    ["/api/%c0", get("/api/%c0"), [404]],
    ["/api/export/%c0", get("/api/export/%c0", bearer), [404]],
    // Escaping dist/ and hidden files.
    ["/../../etc/passwd", get("/../../etc/passwd"), [200]],
    ["/assets/..%2f..%2fpackage.json", get("/assets/..%2f..%2fpackage.json"), [404]],
    ["/assets/%2e%2e/%2e%2e/package.json", get("/assets/%2e%2e/%2e%2e/package.json"), [404]],
    ["/.secret", get("/.secret"), [200]],
    ["/%00", get("/%00"), [200]],
    ["request target *", get("*"), [200, 404]],
    ["absolute-form target", get("http://evil.example/trpc/auth.me"), [200, 404]],
    ["bad range", get("/assets/app-1234.js", "Range: bytes=9-2\r\n"), [200]],
    ["range past the end", get("/assets/app-1234.js", "Range: bytes=99999-\r\n"), [416]],
    ["multi range", get("/", "Range: bytes=0-1,5-x\r\n"), [200]],
    // Query strings.
    ["trpc input %c0", get("/trpc/auth.me?input=%c0", bearer), [200, 400]],
    ["trpc batch=%", get("/trpc/auth.me,auth.me?batch=%&input=%", bearer), [200, 400, 404]],
    ["export since=%c0", get("/api/export/actions?since=%c0&till=%", bearer), [400]],
    [
      "export beyond Date range",
      get("/api/export/actions?since=9999999999999999&till=9999999999999999", bearer),
      [400],
    ],
    ["import format=%c0", post("/api/import?format=%c0&name=%", "x", bearer), [400]],
    ["import name=..", post("/api/import?format=ndjson&name=..", "{}\n", bearer), [200, 400]],
    // JSON bodies.
    ["trpc truncated JSON", post("/trpc/auth.signIn", "{", json), [400]],
    ["trpc deep JSON", post("/trpc/actions.record", deep(100_000), bearer + json), [400]],
    ["trpc invalid UTF-8", post("/trpc/auth.signIn", '{"email":"\xff\xfe"}', json), [400, 401]],
    ["tracking truncated JSON", post("/v1/track", "{", basic), [400]],
    [
      "tracking deep properties",
      post("/v1/track", `{"userId":"u","event":"E","properties":${deep(100_000)}}`, basic),
      [400],
    ],
    ["tracking JSON array", post("/v1/batch", "[1]", basic), [400]],
    ["tracking bad gzip", post("/v1/track", "plain", basic + "Content-Encoding: gzip\r\n"), [400]],
    [
      "tracking gzip bomb",
      post("/v1/track", gzipSync(Buffer.alloc(50_000_000)), basic + "Content-Encoding: gzip\r\n"),
      [400],
    ],
    ["tracking encoding br", post("/v1/track", "{}", basic + "Content-Encoding: br\r\n"), [415]],
    // Headers and cookies.
    ["Authorization: Basic only", post("/v1/track", "{}", "Authorization: Basic\r\n"), [401]],
    ["Authorization: Basic %%%", get("/trpc/auth.me", "Authorization: Basic %%%\r\n"), [401]],
    ["Authorization: Bearer", get("/trpc/auth.me", "Authorization: Bearer\r\n"), [401]],
    ["Authorization: junk", get("/api/export/actions", "Authorization: \xff\xfe\r\n"), [401]],
    ["Cookie %c0", get("/trpc/auth.me", "Cookie: actionlog_session=%c0; =; a\r\n"), [401]],
    ["Cookie %%%", get("/api/export/actions", "Cookie: %%%=%%%\r\n"), [401]],
    ["X-Forwarded-For ,,,", get("/trpc/auth.me", "X-Forwarded-For: ,,,\r\n"), [401]],
    ["Host [::", `GET /trpc/auth.me HTTP/1.1\r\nHost: [::\r\nConnection: close\r\n\r\n`, [400]],
    ["HTTP/1.0 without Host", "GET /trpc/auth.me HTTP/1.0\r\n\r\n", [401]],
    [
      "Content-Length abc",
      `POST /trpc/auth.signIn HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`,
      [400],
    ],
    [
      "bad chunk",
      `POST /v1/track HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
      [400],
    ],
    ["unknown method", "FOO / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", [400]],
    // Live subscriptions (SSE).
    [
      "SSE bad input",
      get("/trpc/live.actions?input=%7B", "Accept: text/event-stream\r\n"),
      [200, 400, 401],
    ],
    [
      "SSE bad Last-Event-ID",
      get(
        "/trpc/live.actions?input=%7B%7D&lastEventId=%c0",
        `Accept: text/event-stream\r\nLast-Event-ID: \xff\r\n${bearer}`,
      ),
      [200, 400],
    ],
  ]
}

describe("hostile requests", () => {
  it("answers each with a complete response and keeps serving", async () => {
    const answered: Array<string> = []
    const mismatched: Array<string> = []
    for (const [name, request, expected] of cases()) {
      const res = await raw(t.server.port, request)
      answered.push(`${name} → ${res.status}`)
      if (!expected.includes(res.status)) mismatched.push(`${name}: got ${res.status}\n${res.head}`)
      const health = await fetch(`${t.url}/healthz`)
      expect(health.status, `healthz after ${name}`).toBe(200)
    }
    expect(mismatched).toEqual([])
    expect(answered).toHaveLength(cases().length)
  })

  it("never serves what is outside dist/, dot-files or source maps", async () => {
    for (const target of ["/%c0", "/../../etc/passwd", "/.secret", "/%2e%2e/package.json"]) {
      const res = await raw(t.server.port, get(target))
      expect({ target, body: res.body }).toEqual({ target, body: indexHtml })
    }
    for (const target of [
      "/assets/app-1234.js.map",
      "/assets/app-1234.js%2emap",
      "/%61ssets/app-1234.js%2Emap",
      "/app-1234.js.map",
      "/assets/.secret",
      "/assets/%2esecret",
      "/%61ssets/gone-1.js",
    ]) {
      const res = await raw(t.server.port, get(target))
      expect({ target, status: res.status }).toEqual({ target, status: 404 })
    }
    expect(readFileSync(join(dist, "assets", "app-1234.js.map"), "utf8")).toContain("version")
  })
})

describe("static files", () => {
  it("caches hashed assets for a year and revalidates everything else", async () => {
    const asset = await fetch(`${t.url}/assets/app-1234.js`)
    expect(asset.status).toBe(200)
    expect(asset.headers.get("content-type")).toContain("javascript")
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable")
    for (const route of ["/", "/customers/cus_1", "/index.html"]) {
      const res = await fetch(`${t.url}${route}`)
      expect({
        route,
        status: res.status,
        type: res.headers.get("content-type"),
        cache: res.headers.get("cache-control"),
      }).toEqual({ route, status: 200, type: "text/html;charset=utf-8", cache: "no-cache" })
    }
    const missing = await fetch(`${t.url}/assets/gone-1.js`)
    expect(missing.status).toBe(404)
    const etag = asset.headers.get("etag")
    expect(etag).not.toBeNull()
    const again = await fetch(`${t.url}/assets/app-1234.js`, {
      headers: { "if-none-match": etag! },
    })
    expect(again.status).toBe(304)
    expect((await fetch(`${t.url}/`, { method: "POST" })).status).toBe(405)
  })

  it("renders the app on GET for every admin route; APIs live under /api", async () => {
    const app = readFileSync(join(import.meta.dirname, "../../admin/src/App.tsx"), "utf8")
    const routes = [...app.matchAll(/path: "(\/[^"]*)"/g)].map((m) => m[1]!.replace(/:\w+/g, "x_1"))
    expect(routes).toContain("/import")
    expect(routes).toContain("/export")
    for (const route of routes) {
      const res = await fetch(`${t.url}${route}`, { headers: { cookie: t.cookies.admin } })
      expect({ route, status: res.status, body: await res.text() }).toEqual({
        route,
        status: 200,
        body: indexHtml,
      })
    }
    // The upload and export endpoints answer as APIs, not as pages.
    const upload = await fetch(`${t.url}/api/import`, { headers: { cookie: t.cookies.admin } })
    expect(upload.status).toBe(405)
    expect(upload.headers.get("allow")).toBe("POST")
    expect((await fetch(`${t.url}/api/nothing`)).status).toBe(404)
    const legacy = await fetch(`${t.url}/export/actions?since=0&till=1`, {
      headers: { cookie: t.cookies.admin },
    })
    expect(legacy.status).toBe(200)
    expect(legacy.headers.get("content-type")).toContain("application/x-ndjson")
  })
})

describe("the last line of defence", () => {
  it("gives every answer an x-request-id", async () => {
    const a = await fetch(`${t.url}/healthz`)
    const b = await fetch(`${t.url}/trpc/auth.me`)
    expect(a.headers.get("x-request-id")).toMatch(/^[\w-]{8,}$/)
    expect(b.headers.get("x-request-id")).toMatch(/^[\w-]{8,}$/)
    expect(a.headers.get("x-request-id")).not.toBe(b.headers.get("x-request-id"))
  })

  it("answers 500 for a handler that throws or rejects, logs the request id, keeps serving", async () => {
    const logged: Array<string> = []
    const handler = withLastResort(
      (req: IncomingMessage, res: ServerResponse) => {
        if (req.url === "/throw") throw new Error("sync failure")
        if (req.url === "/reject") return Promise.reject(new Error("async failure"))
        if (req.url === "/late") {
          res.writeHead(200)
          res.write("partial")
          return Promise.reject(new Error("failure after the headers"))
        }
        res.end("fine")
      },
      { logError: (line, error) => logged.push(`${line} ${(error as Error).message}`) },
    )
    const server = createServer(handler)
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
    const port = (server.address() as AddressInfo).port
    try {
      for (const path of ["/throw", "/reject"]) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`)
        expect(res.status).toBe(500)
        const id = res.headers.get("x-request-id")!
        const body = (await res.json()) as { error: { message: string; data: { tag: string } } }
        expect(body.error.data.tag).toBe("InternalError")
        expect(body.error.message).toContain(id)
        expect(logged.at(-1)).toContain(`request ${id} GET ${path} failed`)
      }
      // Headers already sent: the connection is cut, so the client sees an error.
      const late = await raw(port, get("/late"))
      expect(late.status).toBe(200)
      expect(late.body).not.toMatch(/0\r\n\r\n$/)
      expect(logged.at(-1)).toContain("failure after the headers")
      expect(await (await fetch(`http://127.0.0.1:${port}/ok`)).text()).toBe("fine")
    } finally {
      await new Promise((r) => server.close(r))
    }
  })
})
