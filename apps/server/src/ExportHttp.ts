/**
 * `GET /api/export/actions?since=&till=&template=&channel=&brand=` (also at `/export/actions`): every action recorded in
 * `[since, till)`, streamed as NDJSON (one action per line, recorded order). Same credentials
 * as tRPC: an API key with `read` (or `admin`) scope, or a staff session whose role has the
 * `export` permission. Pages of the store's keyset export are written with backpressure, so
 * memory stays flat whatever the window.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { Effect, Exit } from "effect"
import { Time } from "@actionlog/domain"
import { actorOf, makeCreateContext, type ContextOptions } from "@actionlog/api"
import { AuditLog, Exports, type ExportWindow } from "@actionlog/store"
import { authorizeRequest, errorJson } from "./PlainHttpAuth"

/** Epoch ms a JavaScript Date can hold (the file name of the download is made from them). */
const maxTimeMs = 8.64e15

/** ISO 8601 date-time with zone, or epoch milliseconds. */
const parseTime = (v: string | null): number | undefined => {
  if (v === null) return undefined
  const t = /^\d{1,16}$/.test(v) ? Number(v) : Time.parseIsoTime(v)
  return t !== undefined && Math.abs(t) <= maxTimeMs ? t : undefined
}

/** `?template=a&template=b` or `?template=a,b`. */
const list = (params: URLSearchParams, name: string): ReadonlyArray<string> | undefined => {
  const values = params
    .getAll(name)
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
  const nonEmpty = values.filter((v) => v !== "")
  return nonEmpty.length === 0 ? undefined : nonEmpty
}

export const makeExportHandler = (context: ContextOptions) => {
  const createContext = makeCreateContext(context)
  const runtime = context.runtime

  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    if (pathname !== "/api/export/actions") {
      errorJson(
        res,
        404,
        "NOT_FOUND",
        "NotFound",
        `No export at ${pathname}; use /api/export/actions`,
      )
      return
    }
    if (req.method !== "GET") {
      res.setHeader("allow", "GET")
      errorJson(res, 405, "METHOD_NOT_SUPPORTED", "MethodNotAllowed", "Use GET")
      return
    }
    const principal = await authorizeRequest(createContext, req, res, {
      scope: "read",
      permission: "export",
    })
    if (principal === undefined) return

    const params = new URL(req.url ?? "/", "http://x").searchParams
    const since = parseTime(params.get("since"))
    const till = parseTime(params.get("till"))
    if (since === undefined || till === undefined || since > till) {
      errorJson(
        res,
        400,
        "BAD_REQUEST",
        "InvalidFilter",
        "since and till are required: ISO 8601 date-times with zone (or epoch ms), since ≤ till",
      )
      return
    }
    const window: ExportWindow = {
      since,
      till,
      templates: list(params, "template"),
      channels: list(params, "channel"),
      brands: list(params, "brand"),
    }

    let closed = false
    res.once("close", () => (closed = true))
    const write = (text: string) =>
      new Promise<void>((resolve, reject) => {
        if (closed) return reject(new Error("client went away"))
        if (res.write(text)) return resolve()
        const onDrain = () => {
          res.off("close", onClose)
          resolve()
        }
        const onClose = () => {
          res.off("drain", onDrain)
          reject(new Error("client went away"))
        }
        res.once("drain", onDrain)
        res.once("close", onClose)
      })

    res.writeHead(200, {
      "content-type": "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="actions-${new Date(since).toISOString()}-${new Date(till).toISOString()}.ndjson"`,
      "cache-control": "no-store",
    })
    const exit = await runtime.runPromiseExit(
      Effect.gen(function* () {
        const count = yield* Exports.use((e) =>
          e.writeNdjson(window, (text) => Effect.promise(() => write(text))),
        )
        // Who exported what (no personal data: the window and the count).
        yield* AuditLog.use((log) =>
          log.append({
            actor: actorOf(principal),
            ip: req.socket.remoteAddress ?? null,
            action: "exports.actions",
            targetType: "actions",
            targetId: null,
            changes: { ...window, count },
          }),
        )
      }),
    )
    if (Exit.isSuccess(exit)) res.end()
    // A failure after the headers cannot change the status: cut the connection, so the
    // client sees an error instead of a silently truncated file.
    else res.destroy()
  }
}
