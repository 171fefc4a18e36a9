/**
 * Bulk import of historical actions from NDJSON or CSV files of any size (SPEC §4).
 *
 * - Streamed: the file is read chunk by chunk and recorded in batches through
 *   `ActionStore.recordBatch`, so memory does not grow with the file.
 * - Idempotent: a line without a transaction id gets `import:<file hash>:<line>`, so a re-run
 *   records nothing new.
 * - Resumable: each batch commits together with a checkpoint (file hash → last line), so an
 *   interrupted import continues after the last committed line.
 * - Rejected lines (line number, tag, message, path) go to a report file (NDJSON).
 *
 * Line formats: see docs/data.md. NDJSON lines are record inputs (like
 * `actions.record`) or lines of an actions export (so an export can be imported elsewhere).
 */
import { Customer, Ids, RecordActionInput, Registry } from "@actionlog/domain"
import { Clock, Context, Effect, Layer, Schema } from "effect"
import { createHash } from "node:crypto"
import { createReadStream, createWriteStream, statSync, type WriteStream } from "node:fs"
import { ActionStore, type BatchItemResult } from "./ActionStore"
import { Database } from "./Database"
import type { DatabaseError } from "./DatabaseError"
import { EMPTY_PROFILE } from "./internal/writeBatch"
import { hashCustomerId, SQL_SUPPRESSED } from "./internal/suppression"

export type ImportFormat = "ndjson" | "csv"

export interface ImportOptions {
  readonly path: string
  /** Default: from the extension (`.csv` → csv, else ndjson). */
  readonly format?: ImportFormat | undefined
  /** CSV: the template of every row (unless the file has a `template` column). */
  readonly template?: string | undefined
  /** Lines per batch (default 1,000, the batch limit). */
  readonly batchSize?: number | undefined
  /** Default `<path>.rejected.ndjson`. */
  readonly reportPath?: string | undefined
  /** Ignore a checkpoint and read the whole file again (nothing is recorded twice). */
  readonly restart?: boolean | undefined
  readonly onProgress?: ((progress: ImportProgress) => void) | undefined
}

export interface ImportProgress {
  readonly bytesRead: number
  readonly totalBytes: number
  /** Lines read (including those skipped because a previous run committed them). */
  readonly lines: number
  readonly recorded: number
  readonly alreadyProcessed: number
  readonly rejected: number
}

export interface ImportResult extends ImportProgress {
  readonly fileHash: string
  /** The last line a previous run had committed (0 when starting fresh). */
  readonly resumedFrom: number
  readonly reportPath: string
}

export class ImportFailed extends Schema.TaggedError<ImportFailed>()("ImportFailed", {
  message: Schema.String,
}) {}

interface Rejection {
  readonly line: number
  readonly tag: string
  readonly message: string
  readonly path?: ReadonlyArray<string | number>
}

type Parsed =
  | { readonly ok: true; readonly input: RecordActionInput.RecordActionInput }
  | { readonly ok: false; readonly tag: string; readonly message: string }

const decodeInput = Schema.decodeUnknownResult(RecordActionInput.RecordActionInput)

const invalid = (message: string): Parsed => ({ ok: false, tag: "InvalidLine", message })

// The hot path of a large import: a structural check that only ever accepts what the
// `RecordActionInput` schema accepts (names and kinds are checked with the schema itself,
// memoised, since a file repeats a handful of them). Anything else goes through the schema,
// which accepts or rejects it with its message. Halves the per-line cost.
const memo = <A>(is: (u: unknown) => u is A) => {
  const seen = new Map<string, boolean>()
  return (s: string): boolean => {
    let ok = seen.get(s)
    if (ok === undefined) {
      ok = is(s)
      if (seen.size < 10_000) seen.set(s, ok)
    }
    return ok
  }
}
const isTemplateName = memo(Schema.is(Ids.TemplateName))
const isIdentifierKind = memo(Schema.is(Customer.IdentifierKind))
const isTouchpointExternalId = memo((u: unknown): u is string =>
  Schema.is(Registry.TouchpointRef)({ externalId: u }),
)
const INPUT_KEYS = new Set([
  "customer",
  "template",
  "occurredAt",
  "touchpoint",
  "brand",
  "transactionId",
  "payload",
  "customFields",
  "createCustomer",
])
const idString = (u: unknown): u is string =>
  typeof u === "string" && u.length > 0 && u.length <= 200
const plainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" &&
  u !== null &&
  !Array.isArray(u) &&
  Object.getPrototypeOf(u) === Object.prototype
const onlyKey = (o: Record<string, unknown>, key: string) => {
  let n = 0
  for (const k in o) {
    if (k !== key) return false
    n++
  }
  return n === 1
}

const fastInput = (o: Record<string, unknown>): RecordActionInput.RecordActionInput | undefined => {
  for (const k in o) if (!INPUT_KEYS.has(k) || o[k] === undefined) return undefined
  const c = o["customer"]
  if (!plainObject(c)) return undefined
  if ("id" in c) {
    if (!onlyKey(c, "id") || !idString(c["id"])) return undefined
  } else {
    const i = c["identifier"]
    if (!onlyKey(c, "identifier") || !plainObject(i)) return undefined
    const kind = i["kind"]
    const value = i["value"]
    if (Object.keys(i).length !== 2 || typeof kind !== "string" || !isIdentifierKind(kind))
      return undefined
    if (typeof value !== "string" || value.length === 0 || value.length > 320) return undefined
  }
  const template = o["template"]
  if (typeof template !== "string" || !isTemplateName(template)) return undefined
  if ("occurredAt" in o && typeof o["occurredAt"] !== "string") return undefined
  if ("brand" in o && !idString(o["brand"])) return undefined
  if ("transactionId" in o && !idString(o["transactionId"])) return undefined
  if ("payload" in o && !plainObject(o["payload"])) return undefined
  if ("customFields" in o && !plainObject(o["customFields"])) return undefined
  if ("createCustomer" in o && typeof o["createCustomer"] !== "boolean") return undefined
  if ("touchpoint" in o) {
    const t = o["touchpoint"]
    if (!plainObject(t)) return undefined
    if ("id" in t) {
      if (!onlyKey(t, "id") || !idString(t["id"])) return undefined
    } else {
      const e = t["externalId"]
      if (!onlyKey(t, "externalId") || typeof e !== "string" || !isTouchpointExternalId(e))
        return undefined
    }
  }
  return o as unknown as RecordActionInput.RecordActionInput
}

const toInput = (value: unknown, txFallback: string): Parsed => {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return invalid("not a JSON object")
  let o = value as Record<string, unknown>
  if (!("customer" in o) && typeof o["customerId"] === "string") {
    // A line of an actions export: re-record it for the same customer id.
    const occurred = o["occurredAt"]
    o = {
      customer: { id: o["customerId"] },
      createCustomer: true,
      template: o["template"],
      ...(typeof occurred === "number" ? { occurredAt: new Date(occurred).toISOString() } : {}),
      ...(typeof o["touchpointId"] === "string" ? { touchpoint: { id: o["touchpointId"] } } : {}),
      ...(typeof o["brandId"] === "string" ? { brand: o["brandId"] } : {}),
      ...(typeof o["transactionId"] === "string" ? { transactionId: o["transactionId"] } : {}),
      payload: o["payload"] ?? {},
      ...(o["customFields"] === undefined ? {} : { customFields: o["customFields"] }),
    }
  }
  if (o["transactionId"] === undefined) o = { ...o, transactionId: txFallback }
  const fast = fastInput(o)
  if (fast !== undefined) return { ok: true, input: fast }
  const r = decodeInput(o, { onExcessProperty: "error" })
  if (r._tag === "Failure") return invalid(r.failure.message.split("\n").slice(0, 3).join(" "))
  return { ok: true, input: r.success }
}

// ---- CSV -------------------------------------------------------------------------------

/** Split one CSV record (RFC 4180 quoting) into cells. */
export const splitCsv = (record: string): Array<string> => {
  const cells: Array<string> = []
  let cell = ""
  let quoted = false
  for (let i = 0; i < record.length; i++) {
    const ch = record[i]!
    if (quoted) {
      if (ch === '"') {
        if (record[i + 1] === '"') {
          cell += '"'
          i++
        } else quoted = false
      } else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ",") {
      cells.push(cell)
      cell = ""
    } else cell += ch
  }
  cells.push(cell)
  return cells
}

type CellType = "string" | "number" | "boolean" | "json"
interface Column {
  readonly target: "customer" | "field"
  readonly name: string
  readonly path: ReadonlyArray<string>
  readonly type: CellType
}

const setPath = (obj: Record<string, unknown>, path: ReadonlyArray<string>, value: unknown) => {
  let cur = obj
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!
    const next = cur[k]
    if (typeof next !== "object" || next === null) cur[k] = {}
    cur = cur[k] as Record<string, unknown>
  }
  cur[path[path.length - 1]!] = value
}

const typed = (raw: string, type: CellType): { ok: true; value: unknown } | { ok: false } => {
  switch (type) {
    case "string":
      return { ok: true, value: raw }
    case "number": {
      const n = Number(raw)
      return raw.trim() !== "" && Number.isFinite(n) ? { ok: true, value: n } : { ok: false }
    }
    case "boolean":
      return raw === "true" || raw === "false" ? { ok: true, value: raw === "true" } : { ok: false }
    case "json":
      try {
        return { ok: true, value: JSON.parse(raw) as unknown }
      } catch {
        return { ok: false }
      }
  }
}

/** The header → how each cell becomes part of a record input. */
export const csvColumns = (header: ReadonlyArray<string>): Array<Column | string> =>
  header.map((h) => {
    const [name0, type0] = h.trim().split(":") as [string, string | undefined]
    const name = name0.trim()
    const type = (type0 ?? "string").trim() as CellType
    if (!["string", "number", "boolean", "json"].includes(type))
      return `column "${h}": unknown type`
    if (name.startsWith("customer."))
      return { target: "customer", name, path: [name.slice(9)], type }
    if (name.startsWith("payload.") || name.startsWith("customFields."))
      return { target: "field", name, path: name.split("."), type }
    if (
      [
        "template",
        "occurredAt",
        "transactionId",
        "brand",
        "touchpoint",
        "touchpointId",
        "createCustomer",
        "payload",
        "customFields",
      ].includes(name)
    ) {
      const t: CellType =
        name === "createCustomer"
          ? "boolean"
          : name === "payload" || name === "customFields"
            ? "json"
            : type
      return { target: "field", name, path: [name], type: t }
    }
    return `unknown column "${name}"`
  })

const checkColumns = (cols: ReadonlyArray<Column | string>): Array<Column> | string => {
  const bad = cols.find((c): c is string => typeof c === "string")
  if (bad !== undefined) return bad
  const ok = cols as ReadonlyArray<Column>
  if (!ok.some((c) => c.target === "customer"))
    return 'a customer column is required ("customer.id" or "customer.<identifier kind>")'
  return [...ok]
}

const csvRecordToObject = (
  columns: ReadonlyArray<Column>,
  cells: ReadonlyArray<string>,
  template: string | undefined,
): Record<string, unknown> | string => {
  if (cells.length !== columns.length)
    return `expected ${columns.length} cells, got ${cells.length}`
  const o: Record<string, unknown> = template === undefined ? {} : { template }
  for (const [i, col] of columns.entries()) {
    const raw = cells[i]!
    if (raw === "") continue
    const v = typed(raw, col.type)
    if (!v.ok) return `${col.name}: "${raw}" is not a ${col.type}`
    if (col.target === "customer") {
      const kind = col.path[0]!
      o["customer"] = kind === "id" ? { id: v.value } : { identifier: { kind, value: v.value } }
    } else if (col.name === "touchpoint") o["touchpoint"] = { externalId: v.value }
    else if (col.name === "touchpointId") o["touchpoint"] = { id: v.value }
    else setPath(o, col.path, v.value)
  }
  return o
}

// ---- the service -----------------------------------------------------------------------

const hashFile = (path: string) =>
  Effect.tryPromise({
    try: () =>
      new Promise<string>((resolve, reject) => {
        const h = createHash("sha256")
        createReadStream(path)
          .on("data", (c) => h.update(c))
          .on("error", reject)
          .on("end", () => resolve(h.digest("hex")))
      }),
    catch: (e) => new ImportFailed({ message: `cannot read ${path}: ${String(e)}` }),
  })

export class Imports extends Context.Service<
  Imports,
  {
    readonly importFile: (
      options: ImportOptions,
    ) => Effect.Effect<ImportResult, ImportFailed | DatabaseError>
  }
>()("@actionlog/store/Imports") {
  static readonly layer = Layer.effect(
    Imports,
    Effect.gen(function* () {
      const db = yield* Database
      const store = yield* ActionStore

      /** Empty profiles for `{ id }` refs with createCustomer (export lines), never suppressed ones. */
      const ensureCustomers = (inputs: ReadonlyArray<RecordActionInput.RecordActionInput>) =>
        Effect.gen(function* () {
          const ids = new Set<string>()
          for (const i of inputs) {
            if (i.createCustomer === true && "id" in i.customer) ids.add(i.customer.id)
          }
          if (ids.size === 0) return
          const now = yield* Clock.currentTimeMillis
          for (const id of ids) {
            const suppressed = yield* db.query(SQL_SUPPRESSED, [hashCustomerId(id)])
            if (suppressed.length > 0) continue
            yield* db.execute(
              "INSERT INTO customers (id, profile, search_name, created_at, updated_at) VALUES (?, ?, NULL, ?, ?) ON CONFLICT DO NOTHING",
              [id, EMPTY_PROFILE, now, now],
            )
          }
        })

      const importFile = Effect.fn("Imports.importFile")(function* (options: ImportOptions) {
        const path = options.path
        const totalBytes = yield* Effect.try({
          try: () => statSync(path).size,
          catch: () => new ImportFailed({ message: `no such file: ${path}` }),
        })
        const format: ImportFormat =
          options.format ?? (path.toLowerCase().endsWith(".csv") ? "csv" : "ndjson")
        const batchSize = Math.max(1, Math.min(1000, options.batchSize ?? 1000))
        const reportPath = options.reportPath ?? `${path}.rejected.ndjson`
        const fileHash = yield* hashFile(path)
        const jobId = fileHash.slice(0, 16)
        const now = yield* Clock.currentTimeMillis

        const [checkpoint] = yield* db.query<{ line: number }>(
          "SELECT line FROM import_checkpoints WHERE file_hash = ?",
          [fileHash],
        )
        const resume = checkpoint !== undefined && options.restart !== true
        const resumedFrom = resume ? Number(checkpoint.line) : 0
        // This run's counts (the checkpoint row keeps the totals over every run).
        const counts = { recorded: 0, alreadyProcessed: 0, rejected: 0 }
        if (!resume) {
          yield* db.execute(
            `INSERT INTO import_checkpoints (file_hash, file_name, line, recorded, already_processed, rejected, started_at, updated_at, finished_at)
             VALUES (?, ?, 0, 0, 0, 0, ?, ?, NULL)
             ON CONFLICT (file_hash) DO UPDATE SET line = 0, recorded = 0, already_processed = 0, rejected = 0, started_at = excluded.started_at, updated_at = excluded.updated_at, finished_at = NULL`,
            [fileHash, path.split(/[\\/]/).pop() ?? path, now, now],
          )
        }

        const report: WriteStream = yield* Effect.acquireRelease(
          Effect.sync(() => createWriteStream(reportPath, { flags: resume ? "a" : "w" })),
          (s) => Effect.promise(() => new Promise<void>((r) => s.end(() => r()))),
        )
        const writeReport = (rows: ReadonlyArray<Rejection>) =>
          rows.length === 0
            ? Effect.void
            : Effect.promise(
                () =>
                  new Promise<void>((resolve, reject) => {
                    let text = ""
                    for (const r of rows) text += `${JSON.stringify(r)}\n`
                    report.write(text, (e) => (e ? reject(e) : resolve()))
                  }),
              )

        let bytesRead = 0
        let lineNo = 0
        const progress = (): ImportProgress => ({
          bytesRead,
          totalBytes,
          lines: lineNo,
          ...counts,
        })

        // Pending batch: inputs with their line numbers, plus lines rejected while parsing.
        let inputs: Array<RecordActionInput.RecordActionInput> = []
        let inputLines: Array<number> = []
        let parseRejections: Array<Rejection> = []
        let lastLine = resumedFrom

        const flush = Effect.gen(function* () {
          if (lastLine <= resumedFrom && inputs.length === 0 && parseRejections.length === 0) return
          const batch = inputs
          const lines = inputLines
          const rejections = parseRejections
          const upTo = lastLine
          inputs = []
          inputLines = []
          parseRejections = []
          const results: ReadonlyArray<BatchItemResult> = yield* db.transaction(
            Effect.gen(function* () {
              yield* ensureCustomers(batch)
              const rs =
                batch.length === 0
                  ? []
                  : yield* store
                      .recordBatch(batch, { recordedBy: { kind: "import", id: jobId } })
                      .pipe(
                        Effect.catchTag("BatchTooLarge", (e) =>
                          Effect.die(new Error(`unexpected: ${e.message}`)),
                        ),
                      )
              let rec = 0
              let dup = 0
              let rej = rejections.length
              for (const r of rs) {
                if (r.status === "recorded") rec++
                else if (r.status === "alreadyProcessed") dup++
                else rej++
              }
              const t = yield* Clock.currentTimeMillis
              yield* db.execute(
                "UPDATE import_checkpoints SET line = ?, recorded = recorded + ?, already_processed = already_processed + ?, rejected = rejected + ?, updated_at = ? WHERE file_hash = ?",
                [upTo, rec, dup, rej, t, fileHash],
              )
              return rs
            }),
          )
          const rejected: Array<Rejection> = [...rejections]
          results.forEach((r, i) => {
            if (r.status === "recorded") counts.recorded++
            else if (r.status === "alreadyProcessed") counts.alreadyProcessed++
            else {
              rejected.push({
                line: lines[i]!,
                tag: r.tag,
                message: r.message,
                ...(r.path === undefined ? {} : { path: r.path }),
              })
            }
          })
          counts.rejected += rejected.length
          rejected.sort((a, b) => a.line - b.line)
          yield* writeReport(rejected)
          options.onProgress?.(progress())
        })

        // CSV state
        let columns: Array<Column> | undefined
        let pendingRecord: string | undefined
        let pendingStart = 0

        const onRecord = (text: string, line: number): Parsed | "header" | "skip" => {
          const tx = `import:${jobId}:${line}`
          if (format === "ndjson") {
            if (text.trim() === "") return "skip"
            let value: unknown
            try {
              value = JSON.parse(text)
            } catch {
              return invalid("not valid JSON")
            }
            return toInput(value, tx)
          }
          if (columns === undefined) return "header"
          if (text.trim() === "") return "skip"
          const o = csvRecordToObject(columns, splitCsv(text), options.template)
          if (typeof o === "string") return invalid(o)
          if (o["template"] === undefined)
            return invalid("no template: give --template or a template column")
          return toInput(o, tx)
        }

        // Per line, synchronous (no effect per line on the hot path): answers "flush" when a
        // batch is full, or the error that stops the import.
        const handleLine = (raw: string): "flush" | ImportFailed | undefined => {
          lineNo++
          let text = raw.endsWith("\r") ? raw.slice(0, -1) : raw
          let line = lineNo
          if (format === "csv") {
            // A quoted cell may span lines: join until the quotes balance.
            if (pendingRecord !== undefined) {
              text = `${pendingRecord}\n${text}`
              line = pendingStart
            }
            if ((text.split('"').length - 1) % 2 === 1) {
              if (pendingRecord === undefined) pendingStart = lineNo
              pendingRecord = text
              return undefined
            }
            pendingRecord = undefined
            if (columns === undefined) {
              const cols = checkColumns(csvColumns(splitCsv(text)))
              if (typeof cols === "string")
                return new ImportFailed({ message: `CSV header: ${cols}` })
              columns = cols
              return undefined
            }
          }
          if (line <= resumedFrom) return undefined
          const parsed = onRecord(text, line)
          lastLine = lineNo
          if (parsed === "skip" || parsed === "header") return undefined
          if (parsed.ok) {
            inputs.push(parsed.input)
            inputLines.push(line)
          } else parseRejections.push({ line, tag: parsed.tag, message: parsed.message })
          return inputs.length + parseRejections.length >= batchSize ? "flush" : undefined
        }
        const onLine = (raw: string) => {
          const r = handleLine(raw)
          return r === undefined ? Effect.void : r === "flush" ? flush : Effect.fail(r)
        }

        const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 256 * 1024 })
        yield* Effect.addFinalizer(() => Effect.sync(() => stream.destroy()))
        const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<string>
        let rest = ""
        for (;;) {
          const next = yield* Effect.tryPromise({
            try: () => iterator.next(),
            catch: (e) => new ImportFailed({ message: `cannot read ${path}: ${String(e)}` }),
          })
          if (next.done === true) break
          const chunk = next.value
          bytesRead += Buffer.byteLength(chunk)
          const text = rest + chunk
          let start = 0
          for (;;) {
            const nl = text.indexOf("\n", start)
            if (nl === -1) break
            const r = handleLine(text.slice(start, nl))
            if (r !== undefined) yield* r === "flush" ? flush : Effect.fail(r)
            start = nl + 1
          }
          rest = text.slice(start)
        }
        if (rest !== "") yield* onLine(rest)
        if (pendingRecord !== undefined) {
          parseRejections.push({
            line: pendingStart,
            tag: "InvalidLine",
            message: "unterminated quoted cell",
          })
          lastLine = lineNo
        }
        yield* flush
        const end = yield* Clock.currentTimeMillis
        yield* db.execute(
          "UPDATE import_checkpoints SET finished_at = ?, updated_at = ? WHERE file_hash = ?",
          [end, end, fileHash],
        )
        return { ...progress(), fileHash, resumedFrom, reportPath } satisfies ImportResult
      }, Effect.scoped)

      return Imports.of({ importFile })
    }),
  )
}
