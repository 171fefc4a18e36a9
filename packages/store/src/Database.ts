/**
 * The one database seam of actionlog. Two drivers behind one interface:
 *
 * - `native`: the `libsql` package (better-sqlite3-style, synchronous, statements prepared once)
 *   for local files — measured several times faster than `@libsql/client` on the hot path
 *   (docs/store.md). It keeps a writer connection (guarded by an in-process lock, so a fiber's
 *   transaction never interleaves with another fiber's statements) and a reader connection
 *   (WAL lets reads run beside a write transaction).
 * - `remote`: `@libsql/client` for `libsql://`, `https://`, `http://`, `ws(s)://` (sqld, Turso).
 *
 * Transactions are fiber-scoped: inside `transaction(effect)`, every `execute` / `query` /
 * `batch` of this Database (from any service) runs in that transaction, and a nested
 * `transaction` becomes a SAVEPOINT. That is how a producer changes its own tables and records
 * an action atomically.
 */
import { createClient, type Client, type InStatement, type Transaction } from "@libsql/client"
import Native from "libsql"
import { Context, Effect, Exit, Layer, Schedule, Semaphore } from "effect"
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { makeCheckpointer } from "./Checkpointer"
import { DatabaseError } from "./DatabaseError"
import { migrate } from "./Migrator"
import migrations from "./migrations/index"

export type SqlValue = null | string | number | bigint | Uint8Array
export type Row = Record<string, unknown>

export interface SqlStatement {
  readonly sql: string
  readonly args?: ReadonlyArray<SqlValue>
}

export interface ExecResult {
  readonly rows: ReadonlyArray<Row>
  readonly rowsAffected: number
  readonly lastInsertRowid: number | undefined
}

export interface DatabaseConfig {
  /** `file:path.db` (default driver: native), or `libsql://` / `https://` / `http://` / `ws://`. */
  readonly url: string
  readonly authToken?: string | undefined
  /** Force a driver for a `file:` URL (`client` exists for the measurement and for tests). */
  readonly driver?: "native" | "client" | undefined
  /** How long SQLite waits for another process's write lock before `SQLITE_BUSY`. */
  readonly busyTimeoutMs?: number | undefined
  /** `FULL` (default) makes an acknowledged commit survive power loss, `NORMAL` only a crash. */
  readonly synchronous?: "FULL" | "NORMAL" | undefined
  /** Apply migrations when the layer starts (default true). */
  readonly migrate?: boolean | undefined
  /**
   * Native only. `worker` (default): WAL checkpoints run in a worker thread, off every COMMIT.
   * `inline`: SQLite's own autocheckpoint, for short-lived uses that never serve requests (a
   * test fixture built synchronously); its layer then opens and closes synchronously.
   */
  readonly walCheckpoints?: "worker" | "inline" | undefined
}

export interface DatabaseShape {
  readonly mode: "native" | "remote"
  /** Run one statement. Outside a transaction it autocommits. */
  readonly execute: (
    sql: string,
    args?: ReadonlyArray<SqlValue>,
  ) => Effect.Effect<ExecResult, DatabaseError>
  /** Run a read and return its rows (uses the reader connection outside a transaction). */
  readonly query: <A = Row>(
    sql: string,
    args?: ReadonlyArray<SqlValue>,
  ) => Effect.Effect<ReadonlyArray<A>, DatabaseError>
  /**
   * Run several statements atomically (joins the current transaction when there is one, as a
   * savepoint). Remote: one round trip (one Hrana batch), inside a transaction or not.
   */
  readonly batch: (
    statements: ReadonlyArray<SqlStatement>,
  ) => Effect.Effect<ReadonlyArray<ExecResult>, DatabaseError>
  /**
   * Run several reads whose statements are all known up front. Remote: one round trip (one
   * read batch, a consistent snapshot); native: each on the reader connection. Inside a
   * transaction they run in it.
   */
  readonly readBatch: (
    statements: ReadonlyArray<SqlStatement>,
  ) => Effect.Effect<ReadonlyArray<ExecResult>, DatabaseError>
  /**
   * Run `self` in a write transaction (`BEGIN IMMEDIATE`, retried while another process holds the
   * lock): committed when it succeeds, rolled back when it fails or is interrupted. Nested calls
   * become savepoints.
   */
  readonly transaction: <A, E, R>(
    self: Effect.Effect<A, E, R>,
  ) => Effect.Effect<A, E | DatabaseError, R>
  /** True when the current fiber is inside a transaction of this database. */
  readonly inTransaction: Effect.Effect<boolean>
  /**
   * Native only: synchronous access to the connection of the current transaction, for hot
   * loops that would otherwise pay one effect per statement. `undefined` in remote mode or
   * outside a transaction.
   */
  readonly syncRunner: Effect.Effect<SyncRunner | undefined>
  /**
   * Completes after the next write this process commits through this service (a transaction
   * or an autocommitted statement). Lets same-process readers (live actions) react at once
   * instead of waiting for their next poll; writes of other processes are not seen here.
   */
  readonly nextCommit: Effect.Effect<void>
}

/** Synchronous statement runner (native driver, inside a transaction). Throws DatabaseError. */
export interface SyncRunner {
  readonly run: (sql: string, args: ReadonlyArray<SqlValue>) => ExecResult
  readonly all: (sql: string, args: ReadonlyArray<SqlValue>) => ReadonlyArray<Row>
  readonly get: (sql: string, args: ReadonlyArray<SqlValue>) => Row | undefined
}

interface TxState {
  readonly owner: symbol
  readonly run: (
    sql: string,
    args: ReadonlyArray<SqlValue>,
  ) => Effect.Effect<ExecResult, DatabaseError>
  readonly sync: SyncRunner | undefined
  /** Several statements in one request (remote); absent: one `run` each. */
  readonly many?: (
    statements: ReadonlyArray<SqlStatement>,
  ) => Effect.Effect<ReadonlyArray<ExecResult>, DatabaseError>
}

interface OpenTx {
  readonly state: TxState
  readonly commit: Effect.Effect<void, DatabaseError>
  readonly rollback: Effect.Effect<void>
}

/** What `makeDatabase` needs of a driver; `readMany` / `writeMany` when batches are cheaper. */
interface Driver {
  readonly owner: symbol
  readonly mode: "native" | "remote"
  readonly lock: Semaphore.Semaphore
  readonly runOutside: (
    sql: string,
    args: ReadonlyArray<SqlValue>,
    read: boolean,
  ) => Effect.Effect<ExecResult, DatabaseError>
  readonly openTx: Effect.Effect<OpenTx, DatabaseError>
  readonly readMany?: (
    statements: ReadonlyArray<SqlStatement>,
  ) => Effect.Effect<ReadonlyArray<ExecResult>, DatabaseError>
  readonly writeMany?: (
    statements: ReadonlyArray<SqlStatement>,
  ) => Effect.Effect<ReadonlyArray<ExecResult>, DatabaseError>
}

/** The transaction the current fiber is in (per Database instance, by `owner`). */
const CurrentTx = Context.Reference<TxState | undefined>("@actionlog/store/Database/CurrentTx", {
  defaultValue: () => undefined,
})

const EMPTY: ReadonlyArray<SqlValue> = []

/** BEGIN IMMEDIATE retries: busy_timeout already waited inside SQLite, this covers the rest. */
const busyRetry = Schedule.spaced("20 millis").pipe(
  Schedule.jittered,
  Schedule.upTo({ duration: "30 seconds" }),
)

/** Retry an effect while SQLite answers SQLITE_BUSY (nothing happened, so it is safe). */
const retryBusy = <A, R>(self: Effect.Effect<A, DatabaseError, R>) =>
  // The schedule is only built after a first SQLITE_BUSY: building it on every statement was
  // a third of a feed read's fixed garbage (bench:feed).
  Effect.catchIf(
    self,
    (e) => e.isBusy,
    () => Effect.retry(self, { schedule: busyRetry, while: (e: DatabaseError) => e.isBusy }),
  )

export const isRemoteUrl = (url: string): boolean => /^(libsql|https?|wss?):\/\//i.test(url)

/** `file:a.db`, `file:/abs/a.db`, `file:///abs/a.db` or a bare path → a filesystem path. */
export const filePathOf = (url: string): string => {
  if (!url.startsWith("file:")) return url
  const rest = url.slice("file:".length).split("?")[0] ?? ""
  if (rest.startsWith("//")) {
    const afterAuthority = rest.slice(2)
    const slash = afterAuthority.indexOf("/")
    return slash === -1 ? afterAuthority : afterAuthority.slice(slash)
  }
  return decodeURIComponent(rest)
}

interface NativeStatement {
  readonly stmt: ReturnType<InstanceType<typeof Native>["prepare"]>
  readonly reader: boolean
}

const wrap = <A>(sql: string, f: () => A): A => {
  try {
    return f()
  } catch (cause) {
    throw DatabaseError.fromUnknown(cause, sql)
  }
}

const fromResult = (r: Awaited<ReturnType<Client["execute"]>>): ExecResult => ({
  rows: r.rows as unknown as ReadonlyArray<Row>,
  rowsAffected: r.rowsAffected,
  lastInsertRowid: r.lastInsertRowid === undefined ? undefined : Number(r.lastInsertRowid),
})
const stmt = (sql: string, args: ReadonlyArray<SqlValue>): InStatement => ({
  sql,
  args: args as Array<SqlValue>,
})
const stmts = (statements: ReadonlyArray<SqlStatement>): Array<InStatement> =>
  statements.map((s) => stmt(s.sql, s.args ?? EMPTY))
/** A batch error names the failing statement; keep its SQL in the message. */
const batchError =
  (statements: ReadonlyArray<SqlStatement>) =>
  (cause: unknown): DatabaseError => {
    const index = (cause as { statementIndex?: unknown } | null)?.statementIndex
    const failed = typeof index === "number" ? statements[index] : undefined
    return DatabaseError.fromUnknown(cause, failed?.sql)
  }

const makeNativeConnection = (path: string, config: DatabaseConfig, role: "writer" | "reader") => {
  const db = new Native(path)
  db.exec(`PRAGMA busy_timeout = ${config.busyTimeoutMs ?? 5000}`)
  db.exec("PRAGMA foreign_keys = ON")
  db.exec(`PRAGMA synchronous = ${config.synchronous ?? "FULL"}`)
  // Memory stays bounded whatever the file size: each connection keeps at most 32 MiB of
  // pages. The reader (feed pages touch ~50 scattered rows) also maps up to 1 GiB of the file
  // so hot pages skip the read() syscall; those are the kernel's file pages, shared and
  // reclaimable. The writer maps nothing: a bulk import touches every index page, and mapped
  // pages would grow the process RSS with the file (docs/operations.md, Memory).
  db.exec("PRAGMA cache_size = -32768")
  db.exec(`PRAGMA mmap_size = ${role === "reader" ? 1024 * 1024 * 1024 : 0}`)
  const cache = new Map<string, NativeStatement>()
  const prepare = (sql: string): NativeStatement => {
    let s = cache.get(sql)
    if (s === undefined) {
      const stmt = db.prepare(sql)
      s = { stmt, reader: stmt.reader }
      cache.set(sql, s)
    }
    return s
  }
  const sync: SyncRunner = {
    run: (sql, args) =>
      wrap(sql, () => {
        const s = prepare(sql)
        if (s.reader) {
          return {
            rows: s.stmt.all(args) as Array<Row>,
            rowsAffected: 0,
            lastInsertRowid: undefined,
          }
        }
        const info = s.stmt.run(args)
        return {
          rows: [],
          rowsAffected: info.changes,
          lastInsertRowid: Number(info.lastInsertRowid),
        }
      }),
    all: (sql, args) => wrap(sql, () => prepare(sql).stmt.all(args) as Array<Row>),
    get: (sql, args) => wrap(sql, () => prepare(sql).stmt.get(args) as Row | undefined),
  }
  return { db, sync }
}

const toDbError = (cause: unknown): DatabaseError =>
  cause instanceof DatabaseError ? cause : DatabaseError.fromUnknown(cause)

const makeNative = Effect.fnUntraced(function* (config: DatabaseConfig) {
  const path = filePathOf(config.url)
  yield* Effect.try({
    try: () => mkdirSync(dirname(path), { recursive: true }),
    catch: toDbError,
  })
  const writer = yield* Effect.acquireRelease(
    Effect.try({ try: () => makeNativeConnection(path, config, "writer"), catch: toDbError }),
    (c) => Effect.sync(() => c.db.close()),
  )
  // WAL is a property of the file; switching needs a moment without other connections'
  // locks, so a process starting next to a busy one retries.
  yield* Effect.try({
    try: () => {
      const row = writer.sync.get("PRAGMA journal_mode = WAL", EMPTY)
      const mode = String(row?.["journal_mode"] ?? "").toLowerCase()
      if (mode !== "wal") {
        throw new DatabaseError({
          message: `could not switch ${path} to WAL (journal_mode=${mode})`,
          code: "SQLITE_BUSY_WAL_SWITCH",
        })
      }
    },
    catch: toDbError,
  }).pipe(retryBusy)
  const reader = yield* Effect.acquireRelease(
    Effect.try({ try: () => makeNativeConnection(path, config, "reader"), catch: toDbError }),
    (c) => Effect.sync(() => c.db.close()),
  )
  // WAL checkpoints run in a worker thread, not inside a request's COMMIT (Checkpointer.ts).
  const checkpointer =
    config.walCheckpoints === "inline"
      ? { wake: () => {} }
      : yield* Effect.acquireRelease(
          Effect.sync(() => {
            writer.db.exec("PRAGMA wal_autocheckpoint = 0")
            return makeCheckpointer(path, () => writer.db.exec("PRAGMA wal_autocheckpoint = 1000"))
          }),
          (c) => Effect.promise(() => c.close()),
        )
  const lock = yield* Semaphore.make(1)
  const owner = Symbol("native")

  const runWriter = (sql: string, args: ReadonlyArray<SqlValue>) =>
    Effect.try({ try: () => writer.sync.run(sql, args), catch: toDbError })
  const runReader = (sql: string, args: ReadonlyArray<SqlValue>) =>
    Effect.try({ try: () => reader.sync.run(sql, args), catch: toDbError })

  const begin = Effect.try({
    try: () => {
      writer.db.exec("BEGIN IMMEDIATE")
    },
    catch: toDbError,
  }).pipe(retryBusy)

  const txState: TxState = { owner, run: runWriter, sync: writer.sync }

  return {
    owner,
    mode: "native" as const,
    lock,
    runOutside: (sql: string, args: ReadonlyArray<SqlValue>, read: boolean) =>
      read
        ? runReader(sql, args)
        : lock.withPermit(Effect.tap(runWriter(sql, args), () => Effect.sync(checkpointer.wake))),
    openTx: Effect.map(begin, () => ({
      state: txState,
      commit: Effect.try({
        try: () => {
          writer.db.exec("COMMIT")
          checkpointer.wake()
        },
        catch: toDbError,
      }),
      rollback: Effect.sync(() => {
        // A failed statement may already have ended the transaction.
        if (writer.db.inTransaction) writer.db.exec("ROLLBACK")
      }),
    })),
  }
})

const makeRemote = Effect.fnUntraced(function* (config: DatabaseConfig) {
  const client: Client = yield* Effect.acquireRelease(
    Effect.try({
      try: () =>
        createClient({
          url: config.url,
          ...(config.authToken === undefined ? {} : { authToken: config.authToken }),
          intMode: "number",
        }),
      catch: toDbError,
    }),
    (c) => Effect.sync(() => c.close()),
  )
  // Local file through @libsql/client (only when forced): same pragmas as native.
  if (!isRemoteUrl(config.url)) {
    yield* Effect.tryPromise({
      try: async () => {
        await client.execute("PRAGMA journal_mode = WAL")
        await client.execute(`PRAGMA busy_timeout = ${config.busyTimeoutMs ?? 5000}`)
        await client.execute("PRAGMA foreign_keys = ON")
        await client.execute(`PRAGMA synchronous = ${config.synchronous ?? "FULL"}`)
      },
      catch: toDbError,
    })
  }
  const owner = Symbol("remote")
  // Transactions of the remote server serialise writers there; a local lock only avoids
  // holding several server-side transactions from one process at once.
  const lock = yield* Semaphore.make(1)
  const begin = Effect.tryPromise({
    try: () => client.transaction("write"),
    catch: toDbError,
  }).pipe(retryBusy)
  // Each of these is one HTTP request: the client pipelines BEGIN, the statements and COMMIT
  // (or ROLLBACK when one fails) of a batch.
  const clientBatch = (statements: ReadonlyArray<SqlStatement>, mode: "deferred" | "write") =>
    Effect.tryPromise({
      try: () => client.batch(stmts(statements), mode),
      catch: batchError(statements),
    }).pipe(Effect.map((results) => results.map(fromResult)))

  return {
    owner,
    mode: "remote" as const,
    lock,
    runOutside: (sql: string, args: ReadonlyArray<SqlValue>, _read: boolean) =>
      Effect.tryPromise({
        try: () => client.execute(stmt(sql, args)),
        catch: (cause) => DatabaseError.fromUnknown(cause, sql),
      }).pipe(Effect.map(fromResult)),
    readMany: (statements: ReadonlyArray<SqlStatement>) => clientBatch(statements, "deferred"),
    writeMany: (statements: ReadonlyArray<SqlStatement>) => clientBatch(statements, "write"),
    openTx: Effect.map(begin, (first: Transaction) => {
      let tx = first
      let started = false
      const runOnce = (sql: string, args: ReadonlyArray<SqlValue>) =>
        Effect.tryPromise({
          try: () => tx.execute(stmt(sql, args)),
          catch: (cause) => DatabaseError.fromUnknown(cause, sql),
        }).pipe(Effect.map(fromResult))
      const manyOnce = (statements: ReadonlyArray<SqlStatement>) =>
        Effect.tryPromise({
          try: () => tx.batch(stmts(statements)),
          catch: batchError(statements),
        }).pipe(Effect.map((results) => results.map(fromResult)))
      // The client sends BEGIN IMMEDIATE together with the first statement(s). When the server
      // gave up waiting for the write lock (SQLITE_BUSY) nothing ran and that transaction is
      // closed: the first request is sent again in a new one.
      const firstRequest = <A>(once: Effect.Effect<A, DatabaseError>) =>
        retryBusy(
          Effect.suspend(() =>
            once.pipe(
              Effect.tapError((e) =>
                e.isBusy
                  ? Effect.flatMap(
                      Effect.sync(() => tx.close()),
                      () => Effect.map(begin, (next) => void (tx = next)),
                    )
                  : Effect.void,
              ),
            ),
          ),
        ).pipe(
          // Begun (whatever the statement's own outcome) unless the server refused the BEGIN.
          Effect.tap(() => Effect.sync(() => void (started = true))),
          Effect.tapError((e) => Effect.sync(() => void (started = started || !e.isBusy))),
        )
      return {
        state: {
          owner,
          run: (sql: string, args: ReadonlyArray<SqlValue>) =>
            started ? runOnce(sql, args) : firstRequest(runOnce(sql, args)),
          sync: undefined,
          many: (statements: ReadonlyArray<SqlStatement>) =>
            started ? manyOnce(statements) : firstRequest(manyOnce(statements)),
        } satisfies TxState,
        commit: Effect.suspend(() =>
          Effect.tryPromise({ try: () => tx.commit(), catch: toDbError }),
        ),
        rollback: Effect.promise(async () => {
          try {
            if (!tx.closed) await tx.rollback()
          } catch {
            // already closed by the server: nothing to undo
          }
          tx.close()
        }),
      }
    }),
  }
})

const runEach = (
  run: (sql: string, args: ReadonlyArray<SqlValue>) => Effect.Effect<ExecResult, DatabaseError>,
  statements: ReadonlyArray<SqlStatement>,
) => Effect.forEach(statements, (s) => run(s.sql, s.args ?? EMPTY))

const makeDatabase = Effect.fnUntraced(function* (config: DatabaseConfig) {
  const useNative = !isRemoteUrl(config.url) && config.driver !== "client"
  const driver: Driver = useNative ? yield* makeNative(config) : yield* makeRemote(config)
  const { owner } = driver

  const currentTx = Effect.map(Effect.service(CurrentTx), (tx) =>
    tx !== undefined && tx.owner === owner ? tx : undefined,
  )

  // Waiters for the next commit; each commit wakes the ones registered before it.
  let commitWaiters = new Set<() => void>()
  const committed = Effect.sync(() => {
    if (commitWaiters.size === 0) return
    const waiters = commitWaiters
    commitWaiters = new Set()
    for (const wake of waiters) wake()
  })
  const nextCommit = Effect.callback<void>((resume) => {
    const wake = () => resume(Effect.void)
    commitWaiters.add(wake)
    return Effect.sync(() => commitWaiters.delete(wake))
  })

  const execute = (sql: string, args: ReadonlyArray<SqlValue> = EMPTY) =>
    Effect.flatMap(currentTx, (tx) =>
      // Outside a transaction a statement is its own transaction: retried on SQLITE_BUSY.
      tx === undefined
        ? Effect.tap(retryBusy(driver.runOutside(sql, args, false)), () => committed)
        : tx.run(sql, args),
    )

  const query = <A = Row>(sql: string, args: ReadonlyArray<SqlValue> = EMPTY) =>
    Effect.map(
      Effect.flatMap(currentTx, (tx) =>
        tx === undefined ? retryBusy(driver.runOutside(sql, args, true)) : tx.run(sql, args),
      ),
      (r) => r.rows as ReadonlyArray<A>,
    )

  let savepoints = 0
  const transaction = <A, E, R>(
    self: Effect.Effect<A, E, R>,
  ): Effect.Effect<A, E | DatabaseError, R> =>
    Effect.flatMap(currentTx, (tx) => {
      if (tx !== undefined) {
        const name = `sp_${++savepoints}`
        return Effect.acquireUseRelease(
          tx.run(`SAVEPOINT ${name}`, EMPTY),
          () => self,
          (_, exit) =>
            Exit.isSuccess(exit)
              ? Effect.asVoid(tx.run(`RELEASE ${name}`, EMPTY))
              : Effect.asVoid(
                  Effect.andThen(
                    tx.run(`ROLLBACK TO ${name}`, EMPTY),
                    tx.run(`RELEASE ${name}`, EMPTY),
                  ),
                ),
        )
      }
      return driver.lock.withPermit(
        Effect.acquireUseRelease(
          driver.openTx,
          (open) => Effect.provideService(self, CurrentTx, open.state),
          (open, exit) =>
            Exit.isSuccess(exit)
              ? Effect.andThen(
                  Effect.catch(open.commit, (e) => Effect.andThen(open.rollback, Effect.fail(e))),
                  committed,
                )
              : open.rollback,
        ),
      )
    })

  const readBatch = (statements: ReadonlyArray<SqlStatement>) =>
    Effect.flatMap(currentTx, (tx): Effect.Effect<ReadonlyArray<ExecResult>, DatabaseError> => {
      if (statements.length === 0) return Effect.succeed([])
      if (tx !== undefined)
        return tx.many !== undefined ? tx.many(statements) : runEach(tx.run, statements)
      const many = driver.readMany
      return many !== undefined
        ? retryBusy(many(statements))
        : runEach((sql, args) => retryBusy(driver.runOutside(sql, args, true)), statements)
    })

  const batch = (statements: ReadonlyArray<SqlStatement>) =>
    Effect.flatMap(currentTx, (tx): Effect.Effect<ReadonlyArray<ExecResult>, DatabaseError> => {
      if (statements.length === 0) return Effect.succeed([])
      const writeMany = driver.writeMany
      // Outside a transaction: BEGIN … COMMIT in one request; SQLITE_BUSY left nothing done.
      if (tx === undefined && writeMany !== undefined)
        return Effect.tap(retryBusy(writeMany(statements)), () => committed)
      const many = tx?.many
      if (tx !== undefined && many !== undefined) {
        // The savepoint travels in the same request; only a failure costs a second one.
        const name = `sp_${++savepoints}`
        return Effect.catch(
          Effect.map(
            many([{ sql: `SAVEPOINT ${name}` }, ...statements, { sql: `RELEASE ${name}` }]),
            (results) => results.slice(1, -1),
          ),
          (e) =>
            Effect.andThen(
              Effect.ignore(many([{ sql: `ROLLBACK TO ${name}` }, { sql: `RELEASE ${name}` }])),
              Effect.fail(e),
            ),
        )
      }
      return transaction(runEach(execute, statements))
    })

  const service: DatabaseShape = {
    mode: driver.mode,
    execute,
    query,
    batch,
    readBatch,
    transaction,
    inTransaction: Effect.map(currentTx, (tx) => tx !== undefined),
    syncRunner: Effect.map(currentTx, (tx) => tx?.sync),
    nextCommit,
  }

  if (config.migrate !== false) yield* migrate(service, migrations)
  return service
})

export class Database extends Context.Service<Database, DatabaseShape>()(
  "@actionlog/store/Database",
) {
  /** Opens (and by default migrates) the database; closes it when the layer is released. */
  static readonly layer = (config: DatabaseConfig): Layer.Layer<Database, DatabaseError> =>
    Layer.effect(Database, makeDatabase(config))

  /** The database at `ACTIONLOG_DB_URL` / `ACTIONLOG_DB_AUTH_TOKEN` (default `file:actionlog.db`). */
  static readonly fromEnv = (): DatabaseConfig => ({
    url: process.env["ACTIONLOG_DB_URL"] ?? "file:actionlog.db",
    authToken: process.env["ACTIONLOG_DB_AUTH_TOKEN"],
  })
}
