/**
 * Applies the numbered migrations of `migrations/index.ts` in order. Each migration runs in
 * its own write transaction together with its `schema_migrations` row, so a crash leaves it
 * either applied and recorded or not at all, and two processes starting at once apply it
 * once (the second one waits for the write lock, then sees the row and skips it).
 */
import { Effect } from "effect"
import type { DatabaseShape } from "./Database"
import type { DatabaseError } from "./DatabaseError"
import type { Migration } from "./migrations/index"

export const migrate = (
  db: DatabaseShape,
  migrations: ReadonlyArray<Migration>,
): Effect.Effect<ReadonlyArray<number>, DatabaseError> =>
  Effect.gen(function* () {
    yield* db.execute(
      "CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    )
    const applied: Array<number> = []
    const sorted = [...migrations].sort((a, b) => a.id - b.id)
    for (const m of sorted) {
      const did = yield* db.transaction(
        Effect.gen(function* () {
          const done = yield* db.query("SELECT 1 FROM schema_migrations WHERE id = ?", [m.id])
          if (done.length > 0) return false
          for (const sql of m.statements) yield* db.execute(sql)
          yield* db.execute(
            "INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)",
            [m.id, m.name, Date.now()],
          )
          return true
        }),
      )
      if (did) applied.push(m.id)
    }
    return applied
  })
