import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Layer } from "effect"
import { Database, filePathOf, isRemoteUrl } from "../src/Database"
import { migrate } from "../src/Migrator"
import migrations from "../src/migrations/index"
import { createClient } from "@libsql/client"
import { startHranaServer } from "@actionlog/testkit"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { dbLayer, drivers, remoteLane } from "./helpers"

describe("Database", () => {
  for (const driver of drivers) {
    describe(`${driver} driver`, () => {
      it.effect("migrates on start, twice safely, with WAL and foreign keys", () => {
        const t = dbLayer({ driver })
        return Effect.gen(function* () {
          const db = yield* Database
          const rows = yield* db.query<{ id: number }>(
            "SELECT id FROM schema_migrations ORDER BY id",
          )
          assert.deepStrictEqual(
            rows.map((r) => r.id),
            migrations.map((m) => m.id),
          )
          const [jm] = yield* db.query<{ journal_mode: string }>("PRAGMA journal_mode")
          assert.strictEqual(jm?.journal_mode, "wal")
          const [fk] = yield* db.query<{ foreign_keys: number }>("PRAGMA foreign_keys")
          assert.strictEqual(fk?.foreign_keys, 1)
          // A server waits for its locks itself; a local file needs SQLite to wait.
          if (!remoteLane) {
            const [bt] = yield* db.query<{ timeout: number }>("PRAGMA busy_timeout")
            assert.isAbove(bt?.timeout ?? 0, 0)
          }
          // Opening the same file again applies nothing and keeps the records.
          const again = yield* Effect.scoped(
            Effect.gen(function* () {
              const ctx = yield* Layer.build(Database.layer({ url: t.url, driver }))
              const db2 = Context.get(ctx, Database)
              return yield* db2.query<{ n: number }>("SELECT count(*) AS n FROM schema_migrations")
            }),
          )
          assert.strictEqual(again[0]?.n, migrations.length)
        }).pipe(Effect.provide(t.layer), Effect.ensuring(Effect.sync(t.cleanup)))
      })

      it.effect("commits, rolls back on failure, and nests as savepoints", () => {
        const t = dbLayer({ driver }, { migrated: true })
        return Effect.gen(function* () {
          const db = yield* Database
          yield* db.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)")
          yield* db.transaction(db.execute("INSERT INTO t VALUES (1)"))
          const failed = yield* Effect.exit(
            db.transaction(
              Effect.andThen(db.execute("INSERT INTO t VALUES (2)"), Effect.fail("boom" as const)),
            ),
          )
          assert.isTrue(Exit.isFailure(failed))
          yield* db.transaction(
            Effect.gen(function* () {
              yield* db.execute("INSERT INTO t VALUES (3)")
              assert.isTrue(yield* db.inTransaction)
              // The inner failure is caught: only its savepoint is undone.
              yield* Effect.exit(
                db.transaction(
                  Effect.andThen(db.execute("INSERT INTO t VALUES (4)"), Effect.fail("inner")),
                ),
              )
              yield* db.transaction(db.execute("INSERT INTO t VALUES (5)"))
            }),
          )
          const rows = yield* db.query<{ x: number }>("SELECT x FROM t ORDER BY x")
          assert.deepStrictEqual(
            rows.map((r) => r.x),
            [1, 3, 5],
          )
          assert.isFalse(yield* db.inTransaction)
        }).pipe(Effect.provide(t.layer), Effect.ensuring(Effect.sync(t.cleanup)))
      })

      it.effect("serialises concurrent transactions of one process", () => {
        const t = dbLayer({ driver }, { migrated: true })
        return Effect.gen(function* () {
          const db = yield* Database
          yield* db.execute("CREATE TABLE c (n INTEGER NOT NULL)")
          yield* db.execute("INSERT INTO c VALUES (0)")
          const bump = db.transaction(
            Effect.gen(function* () {
              const [row] = yield* db.query<{ n: number }>("SELECT n FROM c")
              yield* Effect.yieldNow
              yield* db.execute("UPDATE c SET n = ?", [(row?.n ?? 0) + 1])
            }),
          )
          const fibers = yield* Effect.forEach(Array.from({ length: 20 }), () =>
            Effect.forkChild(bump),
          )
          yield* Fiber.joinAll(fibers)
          const [row] = yield* db.query<{ n: number }>("SELECT n FROM c")
          assert.strictEqual(row?.n, 20)
        }).pipe(Effect.provide(t.layer), Effect.ensuring(Effect.sync(t.cleanup)))
      })
    })
  }
})

describe("remote driver", () => {
  // Live clock: the retry sleeps between attempts.
  it.live("a transaction waits out another client's write lock instead of failing", () =>
    Effect.gen(function* () {
      // A server that gives up on a lock quickly (SQLITE_BUSY), as sqld does under contention.
      const dir = mkdtempSync(join(tmpdir(), "actionlog-busy-"))
      const hrana = yield* Effect.promise(() =>
        startHranaServer({ dbPath: join(dir, "busy.db"), busyTimeoutMs: 100 }),
      )
      const other = createClient({ url: hrana.url })
      yield* Effect.addFinalizer(() =>
        Effect.promise(async () => {
          other.close()
          await hrana.close()
          rmSync(dir, { recursive: true, force: true })
        }),
      )
      const ctx = yield* Layer.build(Database.layer({ url: hrana.url }))
      const db = Context.get(ctx, Database)
      yield* db.execute("CREATE TABLE t (v TEXT)")
      // Another client holds the write lock for a while.
      const held = yield* Effect.promise(async () => {
        const tx = await other.transaction("write")
        await tx.execute("INSERT INTO t VALUES ('other')")
        return tx
      })
      const release = setTimeout(() => void held.commit(), 600)
      yield* Effect.addFinalizer(() => Effect.sync(() => clearTimeout(release)))
      yield* db.transaction(db.execute("INSERT INTO t VALUES ('mine')"))
      const rows = yield* db.query<{ v: string }>("SELECT v FROM t ORDER BY rowid")
      assert.deepStrictEqual(
        rows.map((r) => r.v),
        ["other", "mine"],
      )
    }).pipe(Effect.scoped),
  )
})

describe("migration 0007 (tracking tables)", () => {
  it.effect(
    "takes over the tables earlier versions created at run time, keeping their rows",
    () => {
      const t = dbLayer({ migrate: false })
      return Effect.gen(function* () {
        const db = yield* Database
        // An earlier version: migrations up to 0006, tracking tables made on first use.
        yield* migrate(
          db,
          migrations.filter((m) => m.id < 7),
        )
        yield* db.execute(
          "CREATE TABLE IF NOT EXISTS tracking_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        )
        yield* db.execute(
          "CREATE TABLE IF NOT EXISTS tracking_messages (message_id TEXT PRIMARY KEY, customer_id TEXT, processed_at INTEGER NOT NULL)",
        )
        yield* db.execute(
          `INSERT INTO tracking_settings (key, value) VALUES ('project', '{"unknownEvents":"reject"}')`,
        )
        const applied = yield* migrate(
          db,
          migrations.filter((m) => m.id <= 7),
        )
        assert.deepStrictEqual(applied, [7])
        const [row] = yield* db.query<{ value: string }>("SELECT value FROM tracking_settings")
        assert.strictEqual(row?.value, '{"unknownEvents":"reject"}')
        const tables = yield* db.query<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'tracking_%' ORDER BY name",
        )
        assert.deepStrictEqual(
          tables.map((r) => r.name),
          ["tracking_messages", "tracking_settings", "tracking_sources"],
        )
      }).pipe(Effect.provide(t.layer), Effect.ensuring(Effect.sync(t.cleanup)))
    },
  )
})

describe("configuration", () => {
  it("maps URLs to drivers and file paths", () => {
    assert.isTrue(isRemoteUrl("libsql://db.turso.io"))
    assert.isTrue(isRemoteUrl("https://db.example.com"))
    assert.isTrue(isRemoteUrl("ws://127.0.0.1:8080"))
    assert.isFalse(isRemoteUrl("file:actionlog.db"))
    assert.strictEqual(filePathOf("file:actionlog.db"), "actionlog.db")
    assert.strictEqual(filePathOf("file:/var/data/a.db"), "/var/data/a.db")
    assert.strictEqual(filePathOf("file:///var/data/a.db"), "/var/data/a.db")
    assert.strictEqual(filePathOf("file://localhost/var/data/a.db"), "/var/data/a.db")
    assert.strictEqual(filePathOf("file:/tmp/my%20db.db?mode=rwc"), "/tmp/my db.db")
  })

  it.effect("0006 indexes the names of customers that existed before it", () => {
    const t = dbLayer({ migrate: false })
    return Effect.gen(function* () {
      const db = yield* Database
      yield* migrate(
        db,
        migrations.filter((m) => m.id < 6),
      )
      yield* db.execute(
        `INSERT INTO customers (id, profile, search_name, created_at, updated_at) VALUES
           ('c_1', '{}', 'zoe  anna quinn', 0, 0), ('c_2', '{}', NULL, 0, 0), ('c_3', '{}', 'bo', 0, 0)`,
      )
      yield* migrate(db, migrations)
      const rows = yield* db.query<{ term: string; customer_id: string }>(
        "SELECT term, customer_id FROM customer_name_terms ORDER BY customer_id, term",
      )
      assert.deepStrictEqual(
        rows.map((r) => `${r.customer_id}:${r.term}`),
        ["c_1:anna quinn", "c_1:quinn", "c_1:zoe  anna quinn", "c_3:bo"],
      )
    }).pipe(Effect.provide(t.layer), Effect.ensuring(Effect.sync(t.cleanup)))
  })

  it("numbers migrations uniquely and in order", () => {
    const ids = migrations.map((m) => m.id)
    assert.deepStrictEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    )
    assert.strictEqual(new Set(ids).size, ids.length)
    assert.strictEqual(ids[0], 1)
  })
})
