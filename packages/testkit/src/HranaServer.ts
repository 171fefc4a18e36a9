/**
 * A stand-in for sqld in tests and benches: Hrana over HTTP (the JSON `pipeline` endpoints of
 * libsql-server's HTTP API v2 and Hrana 3) over one local database file, through the native
 * `libsql` package. It covers what `@libsql/client` talks to sqld about — streams with batons,
 * one SQLite connection per stream (so an interactive transaction is isolated from other
 * clients as on sqld), stored SQL, conditional batches, idle stream expiry, sqld-shaped errors —
 * plus two knobs for tests: an injected delay per HTTP request and a round-trip counter.
 *
 * It is not sqld: no replication, embedded replicas, auth, cursors, WebSockets or protobuf, and
 * its error codes under load are SQLite's, not sqld's own limits.
 */
import Native from "libsql"
import { randomBytes } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

export interface HranaServerOptions {
  /** The database file every stream opens (created when missing). */
  readonly dbPath: string
  /** Added to every pipeline HTTP request before it is answered (a network round trip). */
  readonly delayMs?: number
  readonly host?: string
  /** 0 (default): a free port. */
  readonly port?: number
  /** Streams idle this long are closed and their transactions rolled back (sqld: 10 s). */
  readonly streamExpiryMs?: number
  /** How long a statement waits for another stream's write lock before `SQLITE_BUSY`. */
  readonly busyTimeoutMs?: number
}

export interface HranaServer {
  /** `http://127.0.0.1:PORT`: what `@libsql/client` (and `ACTIONLOG_DB_URL`) takes. */
  readonly url: string
  readonly port: number
  /** Pipeline HTTP requests answered since start (or the last reset). */
  readonly roundTrips: () => number
  readonly resetRoundTrips: () => void
  readonly setDelayMs: (ms: number) => void
  /** Open streams (each holds one SQLite connection). */
  readonly openStreams: () => number
  /** Closes every stream (rolling back its transaction) and the HTTP server. */
  readonly close: () => Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Protocol types (JSON encoding, libsql-server docs/HTTP_V2_SPEC.md and docs/HRANA_3_SPEC.md)

type ProtoValue =
  | { type: "null" }
  | { type: "integer"; value: string }
  | { type: "float"; value: number }
  | { type: "text"; value: string }
  | { type: "blob"; base64: string }

interface ProtoStmt {
  sql?: string | null
  sql_id?: number | null
  args?: ReadonlyArray<ProtoValue>
  named_args?: ReadonlyArray<{ name: string; value: ProtoValue }>
  want_rows?: boolean
}

type ProtoCond =
  | { type: "ok"; step: number }
  | { type: "error"; step: number }
  | { type: "not"; cond: ProtoCond }
  | { type: "and"; conds: ReadonlyArray<ProtoCond> }
  | { type: "or"; conds: ReadonlyArray<ProtoCond> }
  | { type: "is_autocommit" }

interface ProtoBatch {
  steps: ReadonlyArray<{ condition?: ProtoCond | null; stmt: ProtoStmt }>
}

type StreamRequest =
  | { type: "close" }
  | { type: "execute"; stmt: ProtoStmt }
  | { type: "batch"; batch: ProtoBatch }
  | { type: "sequence"; sql?: string | null; sql_id?: number | null }
  | { type: "describe"; sql?: string | null; sql_id?: number | null }
  | { type: "store_sql"; sql_id: number; sql: string }
  | { type: "close_sql"; sql_id: number }
  | { type: "get_autocommit" }

interface ProtoError {
  message: string
  code: string
}

interface StmtResult {
  cols: Array<{ name: string; decltype: string | null }>
  rows: Array<Array<ProtoValue>>
  affected_row_count: number
  last_insert_rowid: string | null
}

/** The request cannot be understood: sqld answers 400 and the stream is gone. */
class ProtocolError extends Error {}

/** A statement failed: reported in the request's result, the stream lives on. */
class ResponseError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message)
  }
  toProto(): ProtoError {
    return { message: this.message, code: this.code }
  }
}

// ---------------------------------------------------------------------------------------------
// Values and errors

type SqlArg = null | bigint | number | string | Buffer

const decodeValue = (v: ProtoValue): SqlArg => {
  switch (v.type) {
    case "null":
      return null
    case "integer":
      return BigInt(v.value)
    case "float":
      return Number(v.value)
    case "text":
      return v.value
    case "blob":
      return Buffer.from(v.base64, "base64")
    default:
      throw new ProtocolError(`unknown value type ${JSON.stringify((v as { type: unknown }).type)}`)
  }
}

const encodeValue = (v: unknown): ProtoValue => {
  if (v === null || v === undefined) return { type: "null" }
  if (typeof v === "bigint") return { type: "integer", value: v.toString() }
  // Statements read with safe integers: a number is always a REAL.
  if (typeof v === "number") return { type: "float", value: v }
  if (typeof v === "string") return { type: "text", value: v }
  if (v instanceof Uint8Array) return { type: "blob", base64: Buffer.from(v).toString("base64") }
  return { type: "text", value: String(v) }
}

const PRIMARY_CODES: Record<number, string> = {
  1: "SQLITE_ERROR",
  2: "SQLITE_INTERNAL",
  3: "SQLITE_PERM",
  4: "SQLITE_ABORT",
  5: "SQLITE_BUSY",
  6: "SQLITE_LOCKED",
  7: "SQLITE_NOMEM",
  8: "SQLITE_READONLY",
  9: "SQLITE_INTERRUPT",
  10: "SQLITE_IOERR",
  11: "SQLITE_CORRUPT",
  12: "SQLITE_NOTFOUND",
  13: "SQLITE_FULL",
  14: "SQLITE_CANTOPEN",
  15: "SQLITE_PROTOCOL",
  17: "SQLITE_SCHEMA",
  18: "SQLITE_TOOBIG",
  19: "SQLITE_CONSTRAINT",
  20: "SQLITE_MISMATCH",
  21: "SQLITE_MISUSE",
  22: "SQLITE_NOLFS",
  23: "SQLITE_AUTH",
  25: "SQLITE_RANGE",
  26: "SQLITE_NOTADB",
}

/**
 * sqld reports SQLite errors with the primary code only (`SQLITE_CONSTRAINT`, not
 * `SQLITE_CONSTRAINT_UNIQUE`) and the message prefixed "SQLite error: "; a statement it cannot
 * parse is `SQL_PARSE_ERROR`; bad arguments `ARGS_INVALID`.
 */
const toResponseError = (cause: unknown): ResponseError => {
  if (cause instanceof ResponseError) return cause
  const err = cause as { message?: unknown; code?: unknown; rawCode?: unknown } | null
  const message = typeof err?.message === "string" ? err.message : String(cause)
  if (cause instanceof RangeError || cause instanceof TypeError) {
    return new ResponseError(`Arguments do not match SQL parameters: ${message}`, "ARGS_INVALID")
  }
  const raw = typeof err?.rawCode === "number" ? err.rawCode : undefined
  const code =
    raw !== undefined
      ? (PRIMARY_CODES[raw & 0xff] ?? "SQLITE_UNKNOWN")
      : typeof err?.code === "string"
        ? err.code.replace(/^(SQLITE_[A-Z]+?)_.*$/, "$1")
        : "SQLITE_UNKNOWN"
  if (
    code === "SQLITE_ERROR" &&
    /syntax error|incomplete input|unrecognized token/i.test(message)
  ) {
    return new ResponseError(`SQL string could not be parsed: ${message}`, "SQL_PARSE_ERROR")
  }
  return new ResponseError(`SQLite error: ${message}`, code)
}

/** Plain SQLITE_BUSY (not _SNAPSHOT, which waiting cannot fix): wait and try again. */
const isPlainBusy = (cause: unknown): boolean => {
  const err = cause as { rawCode?: unknown; code?: unknown } | null
  return err?.rawCode === 5 || err?.code === "SQLITE_BUSY"
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

const send = (res: ServerResponse, status: number, type: string, body: string) => {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) })
  res.end(body)
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

// ---------------------------------------------------------------------------------------------
// Streams

type Db = InstanceType<typeof Native>
/** The part of the native statement used here (bind parameters: one array or one object). */
interface Stmt {
  readonly reader: boolean
  run(...params: Array<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint }
  all(...params: Array<unknown>): Array<unknown>
  raw(on: boolean): unknown
  safeIntegers(on: boolean): unknown
  columns(): Array<{ name: string; type: string | null }>
}

interface Connection {
  readonly db: Db
  readonly prepared: Map<string, Stmt>
}

interface Stream extends Connection {
  readonly id: string
  readonly sqls: Map<number, string>
  baton: string
  busy: boolean
  timer: NodeJS.Timeout | undefined
}

const MAX_SQL_COUNT = 50
/** Idle connections kept for the next streams (opening one and re-reading the schema costs). */
const POOL_SIZE = 8

/** Starts the server on `host` (default 127.0.0.1) and `port` (default: a free one). */
export const startHranaServer = async (options: HranaServerOptions): Promise<HranaServer> => {
  const host = options.host ?? "127.0.0.1"
  const built = build(options, false)
  await new Promise<void>((resolve, reject) => {
    built.http.once("error", reject)
    built.http.listen(options.port ?? 0, host, () => resolve())
  })
  return built.handle(host)
}

/**
 * The same, listening before it returns (for test helpers that hand out a URL synchronously).
 * Binding without a host name is what makes `listen` synchronous: it listens on every
 * interface, so it answers loopback clients only.
 */
export const startHranaServerSync = (options: Omit<HranaServerOptions, "host">): HranaServer => {
  const built = build(options, true)
  built.http.listen(options.port ?? 0)
  return built.handle("127.0.0.1")
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"])

const build = (options: HranaServerOptions, loopbackOnly: boolean) => {
  const expiryMs = options.streamExpiryMs ?? 10_000
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000
  let delayMs = options.delayMs ?? 0
  let roundTrips = 0
  let nextStreamId = 0
  const streams = new Map<string, Stream>()
  /** Expired stream ids, so their next request gets "expired" rather than "invalid baton". */
  const expired = new Set<string>()
  let closed = false

  // WAL like sqld; set once on the file so streams opening later need not switch it.
  {
    const db = new Native(options.dbPath)
    db.exec("PRAGMA journal_mode = WAL")
    db.close()
  }

  const pool: Array<Connection> = []

  const openConnection = (): Connection => {
    const db = new Native(options.dbPath)
    // Every connection lives on this one event loop: SQLite must never block it waiting for a
    // lock another stream holds (that stream could then never commit), so lock waits are
    // done asynchronously in `withBusyWait` below.
    db.exec("PRAGMA busy_timeout = 0")
    db.exec("PRAGMA synchronous = NORMAL")
    return { db, prepared: new Map() }
  }

  const openStream = (): Stream => {
    const conn = pool.pop() ?? openConnection()
    // sqld's libSQL is built with foreign keys on by default.
    conn.db.exec("PRAGMA foreign_keys = ON")
    const id = `${++nextStreamId}`
    const stream: Stream = {
      id,
      ...conn,
      sqls: new Map(),
      baton: "",
      busy: false,
      timer: undefined,
    }
    streams.set(id, stream)
    return stream
  }

  const closeStream = (stream: Stream) => {
    if (stream.timer !== undefined) clearTimeout(stream.timer)
    streams.delete(stream.id)
    try {
      if (stream.db.inTransaction) stream.db.exec("ROLLBACK")
      if (!closed && pool.length < POOL_SIZE && !stream.db.inTransaction) {
        pool.push({ db: stream.db, prepared: stream.prepared })
        return
      }
    } catch {
      // not reusable: closed below
    }
    stream.db.close()
  }

  const armExpiry = (stream: Stream) => {
    if (stream.timer !== undefined) clearTimeout(stream.timer)
    stream.timer = setTimeout(() => {
      if (stream.busy) return armExpiry(stream)
      closeStream(stream)
      expired.add(stream.id)
    }, expiryMs)
    stream.timer.unref()
  }

  const newBaton = (stream: Stream) => `${stream.id}.${randomBytes(16).toString("base64url")}`

  const prepare = (stream: Stream, sql: string): Stmt => {
    let stmt = stream.prepared.get(sql)
    if (stmt === undefined) {
      stmt = stream.db.prepare(sql) as unknown as Stmt
      stmt.safeIntegers(true)
      if (stmt.reader) stmt.raw(true)
      stream.prepared.set(sql, stmt)
    }
    return stmt
  }

  const sqlOf = (
    stream: Stream,
    sql: string | null | undefined,
    sqlId: number | null | undefined,
  ) => {
    if (sql !== undefined && sql !== null) {
      if (sqlId !== undefined && sqlId !== null) {
        throw new ProtocolError("Both `sql` and `sql_id` are given")
      }
      return sql
    }
    if (sqlId === undefined || sqlId === null) {
      throw new ProtocolError("Neither `sql` nor `sql_id` is given")
    }
    const stored = stream.sqls.get(sqlId)
    if (stored === undefined) throw new ProtocolError(`SQL text ${sqlId} is not stored`)
    return stored
  }

  /** Runs `f`, waiting (without blocking the loop) while another stream holds the lock. */
  const withBusyWait = async <A>(f: () => A): Promise<A> => {
    const deadline = Date.now() + busyTimeoutMs
    for (let wait = 1; ; wait = Math.min(wait * 2, 25)) {
      try {
        return f()
      } catch (cause) {
        if (!isPlainBusy(cause) || Date.now() >= deadline) throw cause
      }
      await sleep(wait)
    }
  }

  const executeStmt = async (stream: Stream, s: ProtoStmt): Promise<StmtResult> => {
    const sql = sqlOf(stream, s.sql, s.sql_id)
    const args = s.args ?? []
    const named = s.named_args ?? []
    if (args.length > 0 && named.length > 0) {
      throw new ResponseError(
        "Specifying both positional and named arguments is not supported",
        "ARGS_BOTH_POSITIONAL_AND_NAMED",
      )
    }
    const shape = scanSql(sql)
    if (shape.many) {
      throw new ResponseError("SQL string contains more than one statement", "SQL_MANY_STATEMENTS")
    }
    if (args.length > shape.params.length) {
      throw new ResponseError(
        `Arguments do not match SQL parameters: ${args.length} values for ${shape.params.length} parameters`,
        "ARGS_INVALID",
      )
    }
    if (named.length > 0) {
      const unknown = named.find((a) => paramOf(shape, a.name) === undefined)
      if (shape.positional || unknown !== undefined) {
        throw new ResponseError(
          `Arguments do not match SQL parameters: ${unknown === undefined ? "positional parameters take no names" : `no parameter ${unknown.name}`}`,
          "ARGS_INVALID",
        )
      }
    }
    try {
      const stmt = prepare(stream, sql)
      const bind: Array<unknown> =
        named.length > 0
          ? [
              Object.fromEntries(
                named.map((a) => [paramOf(shape, a.name)!.slice(1), decodeValue(a.value)]),
              ),
            ]
          : args.length > 0
            ? [args.map(decodeValue)]
            : []
      return await withBusyWait(() => {
        if (stmt.reader) {
          const [before] = changesOf(stream)
          const rows = stmt.all(...bind) as Array<Array<unknown>>
          const [after, changes, rowid] = changesOf(stream)
          return {
            cols: stmt.columns().map((c) => ({ name: c.name, decltype: c.type })),
            rows: s.want_rows === false ? [] : rows.map((r) => r.map(encodeValue)),
            // A RETURNING statement reads and writes; a plain SELECT changes nothing.
            affected_row_count: after === before ? 0 : Number(changes),
            last_insert_rowid: String(rowid),
          }
        }
        const info = stmt.run(...bind)
        return {
          cols: [],
          rows: [],
          affected_row_count: Number(info.changes),
          last_insert_rowid: String(info.lastInsertRowid),
        }
      })
    } catch (cause) {
      throw toResponseError(cause)
    }
  }

  const changesOf = (stream: Stream): [bigint, bigint, bigint] => {
    const stmt = prepare(stream, "SELECT total_changes(), changes(), last_insert_rowid()")
    return (stmt.all() as Array<[bigint, bigint, bigint]>)[0]!
  }

  const evalCond = (
    stream: Stream,
    cond: ProtoCond,
    outcomes: Array<"ok" | "error" | "skipped">,
    stepIndex: number,
    v3: boolean,
  ): boolean => {
    const stepOf = (step: number) => {
      if (!Number.isInteger(step) || step < 0 || step >= stepIndex) {
        throw new ProtocolError(`Batch condition refers to step ${step}, not before ${stepIndex}`)
      }
      return outcomes[step]
    }
    switch (cond.type) {
      case "ok":
        return stepOf(cond.step) === "ok"
      case "error":
        return stepOf(cond.step) === "error"
      case "not":
        return !evalCond(stream, cond.cond, outcomes, stepIndex, v3)
      case "and":
        return cond.conds.every((c) => evalCond(stream, c, outcomes, stepIndex, v3))
      case "or":
        return cond.conds.some((c) => evalCond(stream, c, outcomes, stepIndex, v3))
      case "is_autocommit":
        if (!v3) {
          throw new ProtocolError("BatchCond of type `is_autocommit` needs protocol version 3")
        }
        return !stream.db.inTransaction
      default:
        throw new ProtocolError(`unknown condition ${JSON.stringify(cond)}`)
    }
  }

  const executeBatch = async (stream: Stream, batch: ProtoBatch, v3: boolean) => {
    const outcomes: Array<"ok" | "error" | "skipped"> = []
    const stepResults: Array<StmtResult | null> = []
    const stepErrors: Array<ProtoError | null> = []
    for (const [i, step] of batch.steps.entries()) {
      const run =
        step.condition === undefined || step.condition === null
          ? true
          : evalCond(stream, step.condition, outcomes, i, v3)
      if (!run) {
        outcomes.push("skipped")
        stepResults.push(null)
        stepErrors.push(null)
        continue
      }
      try {
        stepResults.push(await executeStmt(stream, step.stmt))
        stepErrors.push(null)
        outcomes.push("ok")
      } catch (cause) {
        if (cause instanceof ProtocolError) throw cause
        stepResults.push(null)
        stepErrors.push(toResponseError(cause).toProto())
        outcomes.push("error")
      }
    }
    return { step_results: stepResults, step_errors: stepErrors }
  }

  const describe = (stream: Stream, sql: string) => {
    try {
      const stmt = prepare(stream, sql)
      const plan = stream.db.prepare(`EXPLAIN ${sql}`)
      plan.raw(true)
      const ops = plan.all() as Array<Array<unknown>>
      // column 1 is the opcode, 3 is P2: a `Transaction` with P2 ≠ 0 opens a write.
      const writes = ops.some(
        (op) => op[1] === "OpenWrite" || (op[1] === "Transaction" && Number(op[3]) !== 0),
      )
      return {
        params: scanSql(sql).params.map((name) => ({ name })),
        cols: stmt.reader ? stmt.columns().map((c) => ({ name: c.name, decltype: c.type })) : [],
        is_explain: /^\s*EXPLAIN\b/i.test(sql),
        is_readonly: !writes,
      }
    } catch (cause) {
      throw toResponseError(cause)
    }
  }

  const handleRequest = async (stream: Stream, req: StreamRequest, v3: boolean) => {
    switch (req.type) {
      case "close":
        closeStream(stream)
        return { type: "close" }
      case "execute":
        return { type: "execute", result: await executeStmt(stream, req.stmt) }
      case "batch":
        return { type: "batch", result: await executeBatch(stream, req.batch, v3) }
      case "sequence": {
        const sql = sqlOf(stream, req.sql, req.sql_id)
        try {
          await withBusyWait(() => stream.db.exec(sql))
        } catch (cause) {
          throw toResponseError(cause)
        }
        return { type: "sequence" }
      }
      case "describe":
        return { type: "describe", result: describe(stream, sqlOf(stream, req.sql, req.sql_id)) }
      case "store_sql":
        if (stream.sqls.has(req.sql_id)) {
          throw new ProtocolError(`SQL text ${req.sql_id} is already stored`)
        }
        if (stream.sqls.size >= MAX_SQL_COUNT) {
          throw new ResponseError(
            `The server already stores ${stream.sqls.size} SQL texts, it cannot store more`,
            "SQL_STORE_TOO_MANY",
          )
        }
        stream.sqls.set(req.sql_id, req.sql)
        return { type: "store_sql" }
      case "close_sql":
        stream.sqls.delete(req.sql_id)
        return { type: "close_sql" }
      case "get_autocommit":
        if (!v3) throw new ProtocolError("The `get_autocommit` request needs protocol version 3")
        return { type: "get_autocommit", is_autocommit: !stream.db.inTransaction }
      default:
        throw new ProtocolError(`unknown request ${JSON.stringify(req)}`)
    }
  }

  const pipeline = async (body: { baton?: string | null; requests?: unknown }, v3: boolean) => {
    if (!Array.isArray(body.requests)) throw new ProtocolError("`requests` must be an array")
    let stream: Stream
    if (body.baton === undefined || body.baton === null) {
      stream = openStream()
    } else {
      const id = body.baton.split(".")[0] ?? ""
      const found = streams.get(id)
      if (found === undefined || found.baton !== body.baton || found.busy) {
        if (found === undefined && expired.has(id)) {
          throw new ResponseError("The stream has expired due to inactivity", "STREAM_EXPIRED")
        }
        throw new ProtocolError("Invalid baton")
      }
      stream = found
    }
    stream.busy = true
    if (stream.timer !== undefined) clearTimeout(stream.timer)
    const results: Array<unknown> = []
    try {
      for (const req of body.requests as Array<StreamRequest>) {
        if (!streams.has(stream.id)) {
          results.push({
            type: "error",
            error: { message: "The stream is closed", code: "STREAM_CLOSED" },
          })
          continue
        }
        try {
          results.push({ type: "ok", response: await handleRequest(stream, req, v3) })
        } catch (cause) {
          if (!(cause instanceof ResponseError)) throw cause
          results.push({ type: "error", error: cause.toProto() })
        }
      }
    } catch (cause) {
      // A protocol error ends the stream, as on sqld.
      if (streams.has(stream.id)) closeStream(stream)
      throw cause
    } finally {
      stream.busy = false
    }
    let baton: string | null = null
    if (streams.has(stream.id)) {
      stream.baton = newBaton(stream)
      baton = stream.baton
      armExpiry(stream)
    }
    return { baton, base_url: null, results }
  }

  const server = createServer((req, res) => {
    if (loopbackOnly && !LOOPBACK.has(req.socket.remoteAddress ?? "")) {
      return send(res, 403, "text/plain", "Forbidden")
    }
    const path = (req.url ?? "/").split("?")[0]
    if (req.method === "GET" && (path === "/v2" || path === "/v3" || path === "/health")) {
      return send(res, 200, "text/plain", "Hello, this is a Hrana test server")
    }
    if (req.method !== "POST" || (path !== "/v2/pipeline" && path !== "/v3/pipeline")) {
      return send(res, 404, "text/plain", "Not found")
    }
    roundTrips++
    void (async () => {
      try {
        const text = await readBody(req)
        if (delayMs > 0) await sleep(delayMs)
        let body: { baton?: string | null; requests?: unknown }
        try {
          body = JSON.parse(text) as typeof body
        } catch {
          throw new ProtocolError("Could not deserialize JSON request body")
        }
        const out = await pipeline(body, path === "/v3/pipeline")
        send(res, 200, "application/json", JSON.stringify(out))
      } catch (cause) {
        if (cause instanceof ResponseError) {
          send(res, 400, "application/json", JSON.stringify(cause.toProto()))
        } else if (cause instanceof ProtocolError) {
          send(res, 400, "text/plain", cause.message)
        } else {
          send(res, 500, "text/plain", String((cause as Error)?.message ?? cause))
        }
      }
    })()
  })

  const handle = (host: string): HranaServer => {
    const port = (server.address() as AddressInfo).port
    return {
      url: `http://${host}:${port}`,
      port,
      roundTrips: () => roundTrips,
      resetRoundTrips: () => {
        roundTrips = 0
      },
      setDelayMs: (ms) => {
        delayMs = ms
      },
      openStreams: () => streams.size,
      close: async () => {
        closed = true
        for (const stream of streams.values()) closeStream(stream)
        for (const conn of pool.splice(0)) conn.db.close()
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
      },
    }
  }
  return { http: server, handle }
}

interface SqlShape {
  /** Parameter names by index - 1 (`null` for `?` / `?NNN`), with SQLite's numbering. */
  readonly params: ReadonlyArray<string | null>
  /** Any `?` / `?NNN` parameter (binding names to those would crash the native driver). */
  readonly positional: boolean
  /** More than one statement (the native driver would silently run only the first). */
  readonly many: boolean
}

/** A named argument matches `:a`, `@a` or `$a` by its full name or, like sqld, by `a`. */
const paramOf = (shape: SqlShape, name: string): string | undefined =>
  [name, `:${name}`, `@${name}`, `$${name}`].find((n) => n.length > 1 && shape.params.includes(n))

const TOKEN =
  /'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|(\?\d*|[:@$][A-Za-z_]\w*)|(;)|(\S)/g

/** Parameters and statement count of a SQL text, outside strings, identifiers and comments. */
const scanSql = (sql: string): SqlShape => {
  const params: Array<string | null> = []
  const named = new Map<string, number>()
  let positional = false
  let ended = false
  let many = false
  for (const m of sql.matchAll(TOKEN)) {
    const [, param, semicolon, other] = m
    if (semicolon !== undefined) {
      ended = true
      continue
    }
    if (ended && (param !== undefined || other !== undefined)) many = true
    if (param === undefined) continue
    if (param.startsWith("?")) {
      positional = true
      const index = param === "?" ? params.length + 1 : Number(param.slice(1))
      while (params.length < index) params.push(null)
    } else if (!named.has(param)) {
      params.push(param)
      named.set(param, params.length)
    }
  }
  // A trigger body holds several statements in one.
  if (/^\s*CREATE\s+(TEMP\s+|TEMPORARY\s+)?TRIGGER\b/i.test(sql)) many = false
  return { params, positional, many }
}
