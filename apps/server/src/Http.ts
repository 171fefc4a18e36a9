import { randomUUID } from "node:crypto"
import { existsSync } from "node:fs"
import type { IncomingMessage, ServerResponse } from "node:http"
import path from "node:path"
import type { Readable } from "node:stream"
import type { TRPCError } from "@trpc/server"
import sirv from "sirv"
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
  /** Where a request that failed unexpectedly is reported (default `console.error`). */
  readonly logError?: ((line: string, error: unknown) => void) | undefined
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

  // Streaming NDJSON export at /api/export/actions (and /export/actions), docs/data.md.
  const exportActions = makeExportHandler(options.context)
  // File upload for bulk import at POST /api/import (docs/data.md).
  const importUpload = makeImportHandler(options.context)

  const serveStatic = makeStaticHandler(path.resolve(options.adminDist))

  let inFlight = 0
  let draining = false

  const dispatch = (req: IncomingMessage, res: ServerResponse): void | Promise<void> => {
    const pathname = pathnameOf(req.url)
    const route = routeOf(pathname)
    res.once("finish", () => metrics.request(route, res.statusCode))
    // While draining, every answer closes its connection, so keep-alive clients reconnect
    // (and find the next instance) instead of sending into a socket about to close.
    if (draining) res.setHeader("connection", "close")

    if (route === "healthz") {
      if (draining) {
        sendJson(res, 503, JSON.stringify({ ok: false, draining: true }))
        return
      }
      return options.health().then(
        (ok) => sendJson(res, ok ? 200 : 503, JSON.stringify({ ok })),
        () => sendJson(res, 503, JSON.stringify({ ok: false })),
      )
    }
    if (route === "metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" })
      res.end(metrics.render())
      return
    }
    if (route === "static") return serveStatic(req, res, pathname)
    if (route === "unknownApi") {
      sendJson(res, 404, errorBody("NOT_FOUND", 404, "NotFound", `No API endpoint ${pathname}`))
      req.resume()
      return
    }

    if (draining) {
      sendJson(
        res,
        503,
        errorBody("SERVICE_UNAVAILABLE", 503, "ShuttingDown", "The server is shutting down"),
        { connection: "close", "retry-after": "1" },
      )
      req.resume()
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
    const streaming = isStreaming(req)
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
      }
      res.once("close", finish)
      res.once("finish", finish)
    }
    if (route === "tracking") return tracking(req, res, pathname)
    if (route === "export") return exportActions(req, res, exportPathOf(pathname))
    if (route === "import") return importUpload(req, res)
    trpc(req, res)
  }

  return {
    handler: withLastResort(dispatch, {
      trustProxy: options.trustProxy === true,
      logError: options.logError,
    }),
    inFlight: () => inFlight,
    /** From now on API requests get 503 `ShuttingDown` and every answer closes its connection. */
    beginDrain: (): void => {
      draining = true
    },
  }
}

/** The path of a request target (`/a/b?c` → `/a/b`), undecoded. */
const pathnameOf = (url: string | undefined): string => {
  const target = url ?? "/"
  const q = target.indexOf("?")
  return q === -1 ? target : target.slice(0, q)
}

type Route =
  "trpc" | "tracking" | "export" | "import" | "healthz" | "metrics" | "unknownApi" | "static"

/**
 * Plain HTTP endpoints live under `/api/`, which no admin screen uses, so every screen's URL
 * renders the app on GET. `/export/actions` stays as the export's original address.
 */
const routeOf = (pathname: string): Route =>
  pathname.startsWith("/trpc/")
    ? "trpc"
    : pathname.startsWith("/v1/")
      ? "tracking"
      : pathname === "/api/import"
        ? "import"
        : pathname.startsWith("/api/export/") || pathname === legacyExportPath
          ? "export"
          : pathname.startsWith("/api/") || pathname === "/api"
            ? "unknownApi"
            : pathname === "/healthz"
              ? "healthz"
              : pathname === "/metrics"
                ? "metrics"
                : "static"

const legacyExportPath = "/export/actions"
const exportPathOf = (pathname: string) =>
  pathname === legacyExportPath ? "/api/export/actions" : pathname

export const isStreaming = (req: IncomingMessage) =>
  (req.headers.accept ?? "").includes("text/event-stream")

/** Request ids from a trusted proxy are kept (one id across the hops), otherwise made here. */
const requestIdOf = (req: IncomingMessage, trustProxy: boolean): string => {
  const given = req.headers["x-request-id"]
  if (trustProxy && typeof given === "string" && /^[\w.:-]{1,128}$/.test(given)) return given
  return randomUUID()
}

/**
 * The last line of defence: every request gets an `x-request-id`, and a handler that throws or
 * rejects answers 500 for that request alone (or, once its headers are out, has its connection
 * cut so the client sees a failure rather than a truncated body), logged with the id.
 * The process keeps serving.
 */
export const withLastResort = (
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
  options: {
    readonly trustProxy?: boolean | undefined
    readonly logError?: ((line: string, error: unknown) => void) | undefined
  } = {},
) => {
  const logError = options.logError ?? ((line, error) => console.error(line, error))
  return (req: IncomingMessage, res: ServerResponse): void => {
    const id = requestIdOf(req, options.trustProxy === true)
    res.setHeader("x-request-id", id)
    const failed = (error: unknown) => {
      const target = (req.url ?? "").slice(0, 200)
      logError(`[actionlog] request ${id} ${req.method ?? "?"} ${target} failed:`, error)
      if (!res.headersSent) {
        sendJson(
          res,
          500,
          errorBody(
            "INTERNAL_SERVER_ERROR",
            500,
            "InternalError",
            `The server failed to answer this request (request id ${id})`,
          ),
        )
        req.resume()
      } else res.destroy()
    }
    try {
      const pending = handler(req, res)
      if (pending !== undefined) pending.catch(failed)
    } catch (error) {
      failed(error)
    }
  }
}

/** `bytes=N-` or `bytes=N-M` (N ≤ M): anything else is ignored, as RFC 9110 allows. */
const isSimpleRange = (range: string): boolean => {
  const m = /^bytes=(\d{1,15})-(\d{0,15})$/.exec(range.trim())
  return m !== null && (m[2] === "" || Number(m[1]) <= Number(m[2]))
}

const assetCache = "public, max-age=31536000, immutable"

const safeDecodeUri = (pathname: string): string => {
  try {
    return decodeURI(pathname)
  } catch {
    return pathname
  }
}

const notFound = (res: ServerResponse) => {
  res.writeHead(404, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-cache" })
  res.end("Not found")
}

/**
 * The admin app's build, served by sirv: exact files from dist/ (never outside it, no
 * dot-files), hashed `/assets/*` cached for a year, everything else revalidated; a missing
 * asset is a 404 and any other path is a client route that gets index.html. Source maps are
 * never served, even when a development build left some in dist/.
 */
const makeStaticHandler = (dist: string) => {
  const common = {
    // Looked up per request, so a rebuild while running is served at once.
    dev: true,
    etag: true,
    setHeaders: (res: ServerResponse, pathname: string) =>
      res.setHeader("cache-control", pathname.startsWith("/assets/") ? assetCache : "no-cache"),
  }
  const files = sirv(dist, common)
  const app = sirv(dist, { ...common, single: true, ignores: false })
  const index = path.join(dist, "index.html")
  return (req: IncomingMessage, res: ServerResponse, pathname: string): void => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" })
      res.end()
      req.resume()
      return
    }
    if (!existsSync(index)) {
      res.writeHead(pathname === "/" ? 200 : 404, { "content-type": "text/html; charset=utf-8" })
      res.end(notBuiltPage(dist))
      return
    }
    const range = req.headers.range
    if (range !== undefined && !isSimpleRange(range)) delete req.headers.range
    // A file that vanishes between lookup and read (a rebuild) fails this response only.
    res.once("pipe", (source: Readable) => source.once("error", () => res.destroy()))
    // Judged on the path as sirv will look it up (decodeURI, kept as sent when malformed).
    const decoded = safeDecodeUri(pathname)
    if (decoded.endsWith(".map")) {
      notFound(res)
      return
    }
    const hidden = decoded.split("/").some((s) => s.startsWith("."))
    if (decoded.startsWith("/assets/")) {
      if (hidden) notFound(res)
      else files(req, res, () => notFound(res))
      return
    }
    // Dot-segments never name a file of the app: such a path is a (bogus) client route.
    if (hidden) req.url = "/"
    app(req, res, () => notFound(res))
  }
}
