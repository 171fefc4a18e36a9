/**
 * `POST /api/import?format=ndjson|csv&template=NAME&name=FILE`: upload a file of historical actions
 * (the admin app's import page). The body is streamed to a temporary file (memory stays flat
 * whatever its size), then imported exactly like `pnpm actionlog import` (batches, idempotent by
 * file hash + line, checkpointed). Answers the counts and the first 1,000 rejected lines.
 * Credentials: an API key with `ingest` (or `admin`) scope, or staff with `actions.add`.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs"
import type { IncomingMessage, ServerResponse } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pipeline } from "node:stream/promises"
import { createInterface } from "node:readline"
import { Cause, Exit } from "effect"
import { actorOf, makeCreateContext, type ContextOptions } from "@actionlog/api"
import { AuditLog, Imports } from "@actionlog/store"
import { authorizeRequest, errorJson } from "./PlainHttpAuth"

/** Uploads above this are refused (413). */
export const maxImportBytes = 2 * 1024 * 1024 * 1024

export const makeImportHandler = (context: ContextOptions) => {
  const createContext = makeCreateContext(context)
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "POST") {
      res.setHeader("allow", "POST")
      errorJson(res, 405, "METHOD_NOT_SUPPORTED", "MethodNotAllowed", "Use POST")
      req.resume()
      return
    }
    const principal = await authorizeRequest(createContext, req, res, {
      scope: "ingest",
      permission: "actions.add",
    })
    if (principal === undefined) return
    const declared = Number(req.headers["content-length"] ?? "0")
    if (declared > maxImportBytes) {
      errorJson(
        res,
        413,
        "PAYLOAD_TOO_LARGE",
        "PayloadTooLarge",
        `Uploads are limited to ${maxImportBytes} bytes`,
      )
      req.resume()
      return
    }
    const params = new URL(req.url ?? "/", "http://x").searchParams
    const format = params.get("format") ?? "ndjson"
    if (format !== "ndjson" && format !== "csv") {
      errorJson(res, 400, "BAD_REQUEST", "InvalidFilter", "format: ndjson or csv")
      req.resume()
      return
    }
    const template = params.get("template") ?? undefined
    // A plain file name inside the upload's own folder (no separators, no "." or "..").
    const name =
      (params.get("name") ?? "")
        .replace(/[^\w.-]/g, "_")
        .replace(/^\.+/, "")
        .slice(0, 100) || `upload.${format}`
    const dir = mkdtempSync(join(tmpdir(), "actionlog-upload-"))
    try {
      const file = join(dir, name)
      await pipeline(req, createWriteStream(file))
      const reportPath = join(dir, "rejected.ndjson")
      const exit = await context.runtime.runPromiseExit(
        Imports.use((i) => i.importFile({ path: file, format, template, reportPath })),
      )
      if (Exit.isFailure(exit)) {
        const e = Cause.squash(exit.cause) as { message?: string; _tag?: string }
        const internal = e._tag === "DatabaseError"
        errorJson(
          res,
          internal ? 500 : 400,
          internal ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST",
          e._tag ?? "ImportFailed",
          e.message ?? "import failed",
        )
        return
      }
      const result = exit.value
      const rejectedLines: Array<unknown> = []
      const lines = createInterface({ input: createReadStream(reportPath) })
      for await (const line of lines) {
        if (rejectedLines.length >= 1000) break
        if (line !== "") rejectedLines.push(JSON.parse(line))
      }
      lines.close()
      await context.runtime.runPromise(
        AuditLog.use((log) =>
          log.append({
            actor: actorOf(principal),
            ip: req.socket.remoteAddress ?? null,
            action: "actions.import",
            targetType: "import",
            targetId: result.fileHash.slice(0, 16),
            changes: {
              name,
              lines: result.lines,
              recorded: result.recorded,
              alreadyProcessed: result.alreadyProcessed,
              rejected: result.rejected,
            },
          }),
        ),
      )
      res.writeHead(200, { "content-type": "application/json" })
      res.end(
        JSON.stringify({
          fileHash: result.fileHash,
          lines: result.lines,
          recorded: result.recorded,
          alreadyProcessed: result.alreadyProcessed,
          rejected: result.rejected,
          resumedFrom: result.resumedFrom,
          rejectedLines,
        }),
      )
    } catch (error) {
      if (!res.headersSent) errorJson(res, 400, "BAD_REQUEST", "ImportFailed", String(error))
      else res.destroy()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
