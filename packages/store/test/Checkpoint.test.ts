/**
 * WAL checkpoints happen off the request path: a COMMIT that pushes the WAL past SQLite's
 * 1,000-page autocheckpoint threshold copies nothing into the database file itself; a worker
 * thread does it shortly after, and truncates the WAL once it is large and fully copied.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, ManagedRuntime } from "effect"
import { afterAll, expect, it } from "vitest"
import { Database, type DatabaseShape } from "../src/Database"

const dir = mkdtempSync(join(tmpdir(), "actionlog-checkpoint-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const size = (path: string) => {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

/** Polls `check` until it holds (or fails after `ms`): the worker runs on its own clock. */
const eventually = async (check: () => boolean, ms = 20_000) => {
  const until = Date.now() + ms
  while (!check()) {
    if (Date.now() > until) return false
    await new Promise((r) => setTimeout(r, 25))
  }
  return true
}

it("a commit never checkpoints; the worker copies and later truncates the WAL", async () => {
  const path = join(dir, "wal.db")
  const rt = ManagedRuntime.make(Database.layer({ url: `file:${path}`, migrate: false }))
  try {
    const run = <A>(f: (db: DatabaseShape) => Effect.Effect<A, unknown>) =>
      rt.runPromise(Database.use(f))
    // The writer's setting (inside a transaction, statements run on the writer connection).
    const [auto] = await run((db) =>
      db.transaction(db.query<{ wal_autocheckpoint: number }>("PRAGMA wal_autocheckpoint")),
    )
    expect(auto?.wal_autocheckpoint).toBe(0)
    await run((db) => db.execute("CREATE TABLE pages (b BLOB)"))
    const fileBefore = size(path)
    // ~6,000 pages of 4 KiB in one transaction: six times the autocheckpoint threshold.
    const blob = new Uint8Array(24 * 1024 * 1024).fill(7)
    await run((db) => db.transaction(db.execute("INSERT INTO pages VALUES (?)", [blob])))
    // Right after the commit the rows are only in the WAL: the commit did not checkpoint.
    expect(size(`${path}-wal`)).toBeGreaterThan(20 * 1024 * 1024)
    expect(size(path)).toBeLessThan(fileBefore + 1024 * 1024)
    // The worker copies them into the database file, then truncates the large WAL.
    expect(await eventually(() => size(path) > 20 * 1024 * 1024)).toBe(true)
    expect(await eventually(() => size(`${path}-wal`) === 0)).toBe(true)
    const [row] = await run((db) => db.query<{ n: number }>("SELECT length(b) AS n FROM pages"))
    expect(row?.n).toBe(blob.length)
  } finally {
    await rt.dispose()
  }
})
