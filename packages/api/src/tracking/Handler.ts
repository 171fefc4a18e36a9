/**
 * The Segment-compatible HTTP Tracking API as a plain Node `(req, res)` handler, mounted by
 * the server at `/v1/*`. Write key = an API key with the `ingest` scope, as the HTTP Basic
 * username (Segment's libraries), a Bearer token, or `writeKey` in the body (analytics.js).
 * Bodies are JSON (any content type, since browsers send `text/plain` to skip CORS preflight),
 * optionally gzip-compressed.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { gunzip } from "node:zlib"
import { Cause, Exit, type ManagedRuntime } from "effect"
import { Tracking } from "@actionlog/domain"
import { ApiKeys, scopeAllows, TrackingStore, type ApiKeyPrincipal } from "@actionlog/store"
import type { ApiServices } from "../services"
import type { ApiMetrics } from "../trpc"

export interface TrackingHandlerOptions {
  readonly runtime: ManagedRuntime.ManagedRuntime<ApiServices, unknown>
  readonly metrics?: ApiMetrics | undefined
}

/** Endpoint (long and the short forms analytics.js uses) → call type; `batch` for batches. */
const endpoints: Record<string, Tracking.MessageType | "batch"> = {
  track: "track",
  t: "track",
  identify: "identify",
  i: "identify",
  page: "page",
  p: "page",
  screen: "screen",
  s: "screen",
  alias: "alias",
  a: "alias",
  group: "group",
  g: "group",
  batch: "batch",
  b: "batch",
  import: "batch",
}

const cors = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers": "authorization, content-type, content-encoding",
  "access-control-max-age": "86400",
}

const send = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  if (res.headersSent) return
  res.writeHead(status, { "content-type": "application/json", ...cors, ...headers })
  res.end(JSON.stringify(body))
}

const fail = (
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
) => send(res, status, { success: false, code, message }, extra)

class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const kb = (n: number) => `${Math.round(n / 1024)} KB`

/** Read the body (≤ `limit` bytes after decompression). */
const readBody = (req: IncomingMessage, limit: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase().trim()
    if (encoding !== "identity" && encoding !== "gzip") {
      reject(
        new BodyError(
          415,
          "UnsupportedEncoding",
          `Content-Encoding "${encoding}" is not supported; send identity or gzip`,
        ),
      )
      return
    }
    const declared = Number(req.headers["content-length"] ?? "0")
    if (encoding === "identity" && declared > limit) {
      reject(tooLarge(`is ${kb(declared)}`, limit))
      return
    }
    const chunks: Array<Buffer> = []
    let size = 0
    let failed = false
    req.on("data", (chunk: Buffer) => {
      if (failed) return
      size += chunk.length
      if (size > limit) {
        failed = true
        reject(tooLarge(`is more than ${kb(limit)}`, limit))
        return
      }
      chunks.push(chunk)
    })
    // A body cut off by the client (aborted upload, bad chunk) is a bad request, not a fault.
    req.on("error", (e) => {
      if (!failed)
        reject(
          new BodyError(400, "InvalidBody", `The request body could not be read: ${e.message}`),
        )
      failed = true
    })
    req.on("end", () => {
      if (failed) return
      const raw = Buffer.concat(chunks)
      if (encoding === "identity") {
        resolve(raw)
        return
      }
      gunzip(raw, { maxOutputLength: limit }, (error, out) => {
        if (error === null) resolve(out)
        else if (
          error instanceof RangeError ||
          (error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE"
        )
          reject(tooLarge(`decompresses to more than ${kb(limit)}`, limit))
        else
          reject(
            new BodyError(
              400,
              "InvalidGzip",
              `The gzip body could not be decompressed: ${error.message}`,
            ),
          )
      })
    })
  })

/** `what`: "is 612 KB" / "is more than 32 KB" / "decompresses to more than 500 KB". */
const tooLarge = (what: string, limit: number) =>
  new BodyError(
    400,
    "RequestTooLarge",
    `The request body ${what}; the limit is ${kb(limit)} (${limit} bytes) ${limit === Tracking.MAX_BATCH_BYTES ? "per batch" : "per call"}`,
  )

/** The write key: Basic username, Bearer token, or `writeKey` in the body. */
const writeKeyOf = (req: IncomingMessage, body: Record<string, unknown>): string | undefined => {
  const auth = req.headers.authorization
  if (auth !== undefined) {
    const [scheme, value] = auth.trim().split(/\s+/, 2)
    if (scheme?.toLowerCase() === "basic" && value !== undefined) {
      const decoded = Buffer.from(value, "base64").toString("utf8")
      const colon = decoded.indexOf(":")
      const user = colon === -1 ? decoded : decoded.slice(0, colon)
      if (user !== "") return user
    }
    if (scheme?.toLowerCase() === "bearer" && value !== undefined && value !== "") return value
  }
  if (typeof body["writeKey"] === "string") return body["writeKey"]
  const first = Array.isArray(body["batch"]) ? body["batch"][0] : undefined
  if (
    typeof first === "object" &&
    first !== null &&
    typeof (first as Record<string, unknown>)["writeKey"] === "string"
  )
    return (first as Record<string, unknown>)["writeKey"] as string
  return undefined
}

export interface TrackingResponse {
  readonly success: boolean
  readonly message?: string
  readonly errors?: ReadonlyArray<{
    readonly index: number
    readonly messageId?: string | undefined
    readonly tag: string
    readonly message: string
    readonly path?: ReadonlyArray<string | number> | undefined
  }>
}

/** The handler for `/v1/*`. */
export const makeTrackingHandler = (options: TrackingHandlerOptions) => {
  const { runtime, metrics } = options
  const authenticate = (key: string) => runtime.runPromise(ApiKeys.use((k) => k.authenticate(key)))

  const run = async (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    const name = pathname.replace(/^\/v1\//, "").replace(/\/+$/, "")
    const kind = endpoints[name]
    if (kind === undefined) {
      fail(
        res,
        404,
        "NotFound",
        `No tracking endpoint ${pathname}; use /v1/track, /v1/identify, /v1/page, /v1/screen, /v1/alias, /v1/group or /v1/batch`,
      )
      req.resume()
      return
    }
    if (req.method === "OPTIONS") {
      res.writeHead(204, cors)
      res.end()
      return
    }
    if (req.method !== "POST") {
      fail(res, 405, "MethodNotAllowed", "Tracking endpoints accept POST", {
        allow: "POST, OPTIONS",
      })
      req.resume()
      return
    }
    const receivedAt = Date.now()
    const limit = kind === "batch" ? Tracking.MAX_BATCH_BYTES : Tracking.MAX_EVENT_BYTES
    let raw: Buffer
    try {
      raw = await readBody(req, limit)
    } catch (e) {
      if (e instanceof BodyError) {
        fail(res, e.status, e.code, e.message, { connection: "close" })
        req.resume()
        return
      }
      throw e
    }
    let body: unknown
    try {
      body = JSON.parse(raw.toString("utf8"))
    } catch (e) {
      fail(res, 400, "InvalidJson", `The body is not valid JSON: ${(e as Error).message}`)
      return
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      fail(res, 400, "InvalidJson", "The body must be a JSON object")
      return
    }
    const envelope = body as Record<string, unknown>
    const key = writeKeyOf(req, envelope)
    if (key === undefined) {
      fail(
        res,
        401,
        "Unauthenticated",
        "Send the write key as the HTTP Basic username (or writeKey in the body)",
        {
          "www-authenticate": 'Basic realm="actionlog"',
        },
      )
      return
    }
    const principal: ApiKeyPrincipal | undefined = await authenticate(key)
    if (principal === undefined) {
      fail(res, 401, "Unauthenticated", "The write key is invalid or revoked", {
        "www-authenticate": 'Basic realm="actionlog"',
      })
      return
    }
    if (!scopeAllows(principal.scopes, "ingest")) {
      fail(res, 403, "Forbidden", `The API key '${principal.name}' lacks the 'ingest' scope`)
      return
    }

    let calls: Array<{ type: string; message: unknown }>
    if (kind === "batch") {
      if (!Array.isArray(envelope["batch"])) {
        fail(res, 400, "InvalidBatch", 'A batch body needs "batch": an array of calls')
        return
      }
      calls = envelope["batch"].map((m: unknown) => ({
        type:
          typeof m === "object" &&
          m !== null &&
          typeof (m as Record<string, unknown>)["type"] === "string"
            ? ((m as Record<string, unknown>)["type"] as string)
            : "",
        message: m,
      }))
    } else {
      calls = [{ type: kind, message: envelope }]
    }

    const exit = await runtime.runPromiseExit(
      TrackingStore.use((t) =>
        t.ingest({
          principal,
          calls,
          receivedAt,
          sentAt: kind === "batch" ? envelope["sentAt"] : undefined,
          context: kind === "batch" ? envelope["context"] : undefined,
        }),
      ),
    )
    if (Exit.isFailure(exit)) {
      console.error("[actionlog] tracking failed:", Cause.pretty(exit.cause))
      // 5xx: the library retries, and transaction ids make the retry safe.
      fail(res, 503, "Unavailable", "The event store is unavailable; retry later", {
        "retry-after": "1",
      })
      return
    }
    respond(res, calls, exit.value)
  }

  const respond = (
    res: ServerResponse,
    calls: ReadonlyArray<{ message: unknown }>,
    outcomes: ReadonlyArray<Tracking.Outcome>,
  ) => {
    let recorded = 0
    let already = 0
    const errors: Array<NonNullable<TrackingResponse["errors"]>[number]> = []
    outcomes.forEach((o, index) => {
      if (o.status === "recorded") recorded++
      else if (o.status === "unchanged") return
      else if (o.status === "alreadyProcessed") already++
      else {
        const m = calls[index]?.message
        const messageId =
          typeof m === "object" && m !== null
            ? (m as Record<string, unknown>)["messageId"]
            : undefined
        errors.push({
          index,
          ...(typeof messageId === "string" ? { messageId } : {}),
          tag: o.tag,
          message: o.message,
          ...(o.path === undefined ? {} : { path: o.path }),
        })
      }
    })
    metrics?.actions(recorded, errors.length, already)
    if (errors.length === 0) {
      send(res, 200, { success: true } satisfies TrackingResponse)
      return
    }
    // Not a silent 200: the valid calls are recorded, the response says what was refused.
    send(res, 400, {
      success: false,
      message:
        outcomes.length === 1
          ? errors[0]!.message
          : `${errors.length} of ${outcomes.length} calls were rejected; the others were recorded`,
      errors,
    } satisfies TrackingResponse)
  }

  return (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> =>
    run(req, res, pathname).catch((e: unknown) => {
      console.error("[actionlog] tracking request failed:", e)
      fail(res, 503, "Unavailable", "The event store is unavailable; retry later", {
        "retry-after": "1",
      })
    })
}
