import { createReadStream, existsSync, statSync } from "node:fs"
import type { IncomingMessage, ServerResponse } from "node:http"
import path from "node:path"
import type { TRPCError } from "@trpc/server"
import {
  appRouter,
  errorDetails,
  makeCreateContext,
  makeTrpcHttpHandler,
  Tracking,
} from "@actionlog/api"
import type { ContextOptions } from "@actionlog/api"
import { makeExportHandler } from "./ExportHttp"
import { makeImportHandler } from "./ImportHttp"
import type { Metrics } from "./Metrics"

/** Request bodies above this are refused with 413 (SPEC §4: 1 MiB per batch). */
export const maxBodyBytes = 1024 * 1024

export interface HttpOptions {
  readonly context: ContextOptions
  readonly metrics: Metrics
  readonly maxInFlight: number
  /** Take the client address from `X-Forwarded-For` (only behind a proxy that sets it). */
  readonly trustProxy?: boolean | undefined
  readonly adminDist: string
  readonly health: () => Promise<boolean>
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json",
}

/** A tRPC-shaped error body, so the typed client reports limits like any other error. */
const errorBody = (code: string, httpStatus: number, tag: string, message: string) =>
  JSON.stringify({
    error: {
      message,
      code: httpStatus === 413 ? -32013 : httpStatus === 429 ? -32029 : -32603,
      data: { code, httpStatus, tag, fieldPath: null, details: null, path: null },
    },
  })

const sendJson = (
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(body)
}

const notBuiltPage = (dist: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>actionlog</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>actionlog is running</h1>
<p>The admin app is not built yet (no <code>${dist}</code>). Build it with:</p>
<pre>pnpm --filter @actionlog/admin build</pre>
<p>then reload this page. The API is at <code>/trpc</code>; health at <code>/healthz</code>; metrics at <code>/metrics</code>.</p>
</body></html>`

/** The caller's address for the audit log: the proxy's view when trusted, else the socket's. */
const clientIp = (req: IncomingMessage, trustProxy: boolean): string => {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"]
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim()
    if (first !== undefined && first !== "") return first
  }
  const address = req.socket.remoteAddress ?? "unknown"
  return address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address
}

/** Seconds a throttled sign-in must wait (the longest of a batch), for `Retry-After`. */
const retryAfterOf = (errors: ReadonlyArray<TRPCError>): number | undefined => {
  let seconds: number | undefined
  for (const error of errors) {
    const wait = errorDetails(error).details?.retryAfterSeconds
    if (typeof wait === "number" && wait > (seconds ?? 0)) seconds = wait
  }
  return seconds
}

export const makeRequestHandler = (options: HttpOptions) => {
  const { metrics } = options
  const createContext = makeCreateContext(options.context)
  const trpc = makeTrpcHttpHandler({
    router: appRouter,
    basePath: "/trpc/",
    maxBodySize: maxBodyBytes,
    responseMeta: ({ errors }) => {
      const retryAfter = retryAfterOf(errors)
      return retryAfter === undefined ? {} : { headers: { "retry-after": String(retryAfter) } }
    },
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        console.error(`[actionlog] ${path ?? "?"} failed:`, error.cause ?? error)
      }
    },
    createContext: ({ req, res, info }) =>
      createContext({
        connectionParams: info.connectionParams,
        header: (name) => {
          const v = req.headers[name]
          return Array.isArray(v) ? v.join(", ") : v
        },
        ip: clientIp(req, options.trustProxy === true),
        setHeader: (name, value) => {
          // Appended, so two procedures of one batch cannot drop each other's cookies.
          const prev = res.getHeader(name)
          res.setHeader(
            name,
            prev === undefined
              ? [value]
              : [...(Array.isArray(prev) ? prev : [String(prev)]), value],
          )
        },
      }),
  })

  // Segment-compatible tracking API at /v1/* (docs/tracking.md).
  const tracking = Tracking.makeTrackingHandler({
    runtime: options.context.runtime,
    metrics: options.context.metrics,
  })

  // Streaming NDJSON export at /export/actions (docs/data.md).
  const exportActions = makeExportHandler(options.context)
  // File upload for bulk import at POST /import (docs/data.md).
  const importUpload = makeImportHandler(options.context)

  const dist = path.resolve(options.adminDist)
  const serveStatic = (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" })
      res.end()
      return
    }
    const index = path.join(dist, "index.html")
    if (!existsSync(index)) {
      res.writeHead(pathname === "/" ? 200 : 404, { "content-type": "text/html; charset=utf-8" })
      res.end(notBuiltPage(dist))
      return
    }
    let file = path.join(dist, path.normalize(decodeURIComponent(pathname)))
    // Never outside dist/; anything not a file falls back to the SPA's index.html.
    if (!file.startsWith(dist + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      // A missing asset (has an extension) is a 404, a client route gets index.html.
      if (path.extname(pathname) !== "" && pathname.startsWith("/assets/")) {
        res.writeHead(404, { "content-type": "text/plain" })
        res.end("Not found")
        return
      }
      file = index
    }
    const type = contentTypes[path.extname(file)] ?? "application/octet-stream"
    const immutable = file.includes(`${path.sep}assets${path.sep}`)
    res.writeHead(200, {
      "content-type": type,
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    })
    if (req.method === "HEAD") {
      res.end()
      return
    }
    createReadStream(file).pipe(res)
  }

  let inFlight = 0
  let draining = false

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/"
    const q = url.indexOf("?")
    const pathname = q === -1 ? url : url.slice(0, q)
    const route = pathname.startsWith("/trpc/")
      ? "trpc"
      : pathname.startsWith("/v1/")
        ? "tracking"
        : pathname.startsWith("/export/")
          ? "export"
          : pathname === "/import"
            ? "import"
            : pathname === "/healthz"
              ? "healthz"
              : pathname === "/metrics"
                ? "metrics"
                : "static"
    res.once("finish", () => metrics.request(route, res.statusCode))

    if (route === "healthz") {
      if (draining) {
        sendJson(res, 503, JSON.stringify({ ok: false, draining: true }))
        return
      }
      options.health().then(
        (ok) => sendJson(res, ok ? 200 : 503, JSON.stringify({ ok })),
        () => sendJson(res, 503, JSON.stringify({ ok: false })),
      )
      return
    }
    if (route === "metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" })
      res.end(metrics.render())
      return
    }
    if (route === "static") {
      serveStatic(req, res, pathname)
      return
    }

    if (draining) {
      sendJson(
        res,
        503,
        errorBody("SERVICE_UNAVAILABLE", 503, "ShuttingDown", "The server is shutting down"),
        { connection: "close", "retry-after": "1" },
      )
      return
    }
    const declared = Number(req.headers["content-length"] ?? "0")
    // The tracking API answers its own limits (400, as Segment's libraries expect).
    if (declared > maxBodyBytes && route !== "tracking" && route !== "import") {
      sendJson(
        res,
        413,
        errorBody(
          "PAYLOAD_TOO_LARGE",
          413,
          "PayloadTooLarge",
          `Request body of ${declared} bytes exceeds the limit of ${maxBodyBytes} bytes (1 MiB)`,
        ),
        { connection: "close" },
      )
      req.resume()
      return
    }
    // Live subscriptions (SSE) are long-lived and do not count against the request limit.
    const streaming = (req.headers.accept ?? "").includes("text/event-stream")
    if (!streaming && inFlight >= options.maxInFlight) {
      sendJson(
        res,
        429,
        errorBody(
          "TOO_MANY_REQUESTS",
          429,
          "Overloaded",
          "The server is busy; retry after the number of seconds in Retry-After",
        ),
        { "retry-after": "1" },
      )
      req.resume()
      return
    }
    if (!streaming) {
      inFlight++
      metrics.inFlight = inFlight
      let done = false
      const finish = () => {
        if (done) return
        done = true
        inFlight--
        metrics.inFlight = inFlight
        if (inFlight === 0) for (const w of idleWaiters.splice(0)) w()
      }
      res.once("close", finish)
      res.once("finish", finish)
    }
    if (route === "tracking") void tracking(req, res, pathname)
    else if (route === "export") void exportActions(req, res, pathname)
    else if (route === "import") void importUpload(req, res)
    else trpc(req, res)
  }

  const idleWaiters: Array<() => void> = []
  return {
    handler,
    inFlight: () => inFlight,
    /** Refuse new API requests; resolves when those in flight have finished. */
    drain: (): Promise<void> => {
      draining = true
      return inFlight === 0
        ? Promise.resolve()
        : new Promise((resolve) => idleWaiters.push(resolve))
    },
  }
}
