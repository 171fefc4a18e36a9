/**
 * WAL checkpoints off the request path. SQLite's automatic checkpoint runs inside the COMMIT
 * that pushes the WAL past 1,000 pages: that one request (and, with the synchronous native
 * driver, every request waiting on the event loop) pays for copying ~4 MB into the database
 * file and an fsync. Instead the writer turns autocheckpoint off and a worker thread with its
 * own connection runs a PASSIVE checkpoint (which never blocks readers or writers) every
 * second, and a TRUNCATE now and then so the WAL file cannot keep growing when the writer
 * never finds it fully checkpointed. If the worker cannot run, autocheckpoint is turned back on.
 */
import { createRequire } from "node:module"
import { Worker } from "node:worker_threads"

/**
 * How often the worker checkpoints (ms): at the soak's ~400 actions/s a second of WAL is a few
 * hundred pages, and each checkpoint costs an fsync of the database file.
 */
const intervalMs = 1000
/** WAL size (pages) past which a fully checkpointed WAL is truncated. */
const truncatePages = 4096

// Plain CommonJS, so it runs the same under tsx, vitest and plain node.
const workerSource = `
const { parentPort, workerData } = require("node:worker_threads")
const Native = require(workerData.libsql)
const db = new Native(workerData.path)
db.exec("PRAGMA busy_timeout = 20")
const checkpoint = (mode) => {
  const row = db.prepare("PRAGMA wal_checkpoint(" + mode + ")").get()
  return row
}
const tick = () => {
  try {
    const r = checkpoint("PASSIVE")
    if (r && r.log >= workerData.truncatePages && r.checkpointed === r.log) checkpoint("TRUNCATE")
  } catch (e) {
    // SQLITE_BUSY and the like: the next tick tries again.
  }
}
const timer = setInterval(tick, workerData.intervalMs)
parentPort.on("message", () => {
  clearInterval(timer)
  tick()
  db.close()
  parentPort.postMessage("closed")
})
`

export interface Checkpointer {
  /** Starts the worker on the first call (a process that never writes never starts one). */
  readonly wake: () => void
  readonly close: () => Promise<void>
}

export const makeCheckpointer = (path: string, fallback: () => void): Checkpointer => {
  let worker: Worker | undefined
  let failed = false
  const libsql = createRequire(import.meta.url).resolve("libsql")
  return {
    wake: () => {
      if (worker !== undefined || failed) return
      try {
        worker = new Worker(workerSource, {
          eval: true,
          workerData: { path, libsql, intervalMs, truncatePages },
        })
        worker.unref()
        worker.once("error", () => {
          failed = true
          worker = undefined
          fallback()
        })
      } catch {
        failed = true
        fallback()
      }
    },
    close: async () => {
      const w = worker
      worker = undefined
      if (w === undefined) return
      await new Promise<void>((resolve) => {
        const done = () => resolve()
        w.once("message", done)
        w.once("exit", done)
        w.once("error", done)
        // oxlint-disable-next-line unicorn/require-post-message-target-origin -- a Worker, not a window
        w.postMessage("close")
      })
      await w.terminate()
    },
  }
}
