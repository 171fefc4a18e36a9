import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import {
  ActionStore,
  Customers,
  Database,
  Exports,
  Imports,
  layer as storeLayerOf,
} from "../src/index"
import * as Store from "../src/index"
import { remoteLane, tempDbUrl } from "./helpers"
import { T0, iso } from "./support"

const withStores = <A, E>(
  body: (
    a: Layer.Layer<Store.StoreServices, Store.DatabaseError>,
    b: Layer.Layer<Store.StoreServices, Store.DatabaseError>,
    dir: string,
  ) => Effect.Effect<A, E, never>,
) => {
  const t1 = tempDbUrl({ migrated: true })
  const t2 = tempDbUrl({ migrated: true })
  return body(
    storeLayerOf({ url: t1.url, synchronous: "NORMAL" }),
    storeLayerOf({ url: t2.url, synchronous: "NORMAL" }),
    t1.dir,
  ).pipe(
    Effect.ensuring(
      Effect.sync(() => {
        t1.cleanup()
        t2.cleanup()
      }),
    ),
  )
}

// Over the network every batch pays its round trips: a tenth of the lines covers the same cases
// (every kind of bad line included).
const LINES = remoteLane ? 2_000 : 20_000

/** A LINES-line NDJSON file; every 397th line is bad in one of four ways. */
const generate = (path: string) => {
  const bad = new Map<number, string>()
  const out: Array<string> = []
  for (let line = 1; line <= LINES; line++) {
    const base = {
      customer: { identifier: { kind: "email", value: `imp${line % 300}@example.com` } },
      createCustomer: true,
      template: "ProductViewed",
      occurredAt: iso(T0 - (LINES - line) * 60_000),
      payload: { product: { productId: `p-${line}`, name: "Shirt", price: line % 100 } },
      // Half the lines carry their own transaction id; the rest get a deterministic one.
      ...(line % 2 === 0 ? { transactionId: `tx-${line}` } : {}),
    }
    if (line % 397 === 0) {
      const kind = (line / 397) % 4
      if (kind === 0) {
        out.push("{ not json")
        bad.set(line, "InvalidLine")
      } else if (kind === 1) {
        out.push(JSON.stringify({ ...base, template: "NoSuchTemplate" }))
        bad.set(line, "UnknownTemplate")
      } else if (kind === 2) {
        out.push(JSON.stringify({ ...base, payload: { product: { productId: 5 } } }))
        bad.set(line, "InvalidPayload")
      } else {
        out.push(JSON.stringify({ ...base, occurredAt: iso(T0 + 3_600_000) }))
        bad.set(line, "EventTimeInFuture")
      }
    } else out.push(JSON.stringify(base))
  }
  writeFileSync(path, `${out.join("\n")}\n`)
  return bad
}

const state = Effect.gen(function* () {
  const db = yield* Database
  const rows = yield* db.query<{ k: string }>(
    `SELECT a.transaction_id || '|' || a.template || '|' || a.occurred_at || '|' || a.payload || '|' || i.value || '|' || a.recorded_by AS k
     FROM actions a JOIN customer_identifiers i ON i.customer_id = a.customer_id ORDER BY k`,
  )
  return rows.map((r) => r.k)
})

const readReport = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as { line: number; tag: string; message: string })

describe("Imports", () => {
  it.effect(
    "20,000 lines: good lines once, bad lines reported, re-runs record nothing, resume after an interrupt",
    () =>
      withStores((one, two, dir) =>
        Effect.gen(function* () {
          const file = join(dir, "actions.ndjson")
          const bad = generate(file)
          const good = LINES - bad.size

          // 1. One uninterrupted import.
          const full = yield* Effect.gen(function* () {
            yield* TestClock.setTime(T0)
            const imports = yield* Imports
            const progress: Array<number> = []
            const r = yield* imports.importFile({
              path: file,
              onProgress: (p) => progress.push(p.lines),
            })
            assert.strictEqual(r.recorded, good)
            assert.strictEqual(r.rejected, bad.size)
            assert.strictEqual(r.alreadyProcessed, 0)
            assert.strictEqual(r.lines, LINES)
            assert.isTrue(progress.length >= LINES / 1000)
            const report = readReport(r.reportPath)
            assert.deepStrictEqual(
              report.map((x) => [x.line, x.tag]),
              [...bad.entries()],
            )
            for (const x of report) assert.isTrue(x.message.length > 0)

            // A second run records nothing new (checkpoint), nor does a full re-read.
            const again = yield* imports.importFile({ path: file })
            assert.strictEqual(again.recorded, 0)
            const reread = yield* imports.importFile({ path: file, restart: true })
            assert.strictEqual(reread.recorded, 0)
            assert.strictEqual(reread.alreadyProcessed, good)
            assert.strictEqual(reread.rejected, bad.size)
            const [n] = yield* (yield* Database).query<{ n: number }>(
              "SELECT count(*) AS n FROM actions",
            )
            assert.strictEqual(n?.n, good)
            const [by] = yield* (yield* Database).query<{ r: string }>(
              "SELECT DISTINCT recorded_by AS r FROM actions",
            )
            assert.match(by!.r, /^import:[0-9a-f]{16}$/)
            return yield* state
          }).pipe(Effect.provide(one))

          // 2. Interrupted halfway, then resumed: the same end state.
          const resumed = yield* Effect.gen(function* () {
            yield* TestClock.setTime(T0)
            const imports = yield* Imports
            const halfway = yield* Deferred.make<void>()
            const fiber = yield* Effect.forkChild(
              imports.importFile({
                path: file,
                reportPath: join(dir, "second.rejected.ndjson"),
                onProgress: (p) => {
                  if (p.lines >= LINES / 2) Deferred.doneUnsafe(halfway, Effect.void)
                },
              }),
            )
            yield* Deferred.await(halfway)
            yield* Fiber.interrupt(fiber)
            const [mid] = yield* (yield* Database).query<{ n: number }>(
              "SELECT count(*) AS n FROM actions",
            )
            assert.isTrue(mid!.n > 0 && mid!.n < good, `interrupted at ${mid!.n}`)
            const rest = yield* imports.importFile({
              path: file,
              reportPath: join(dir, "second.rejected.ndjson"),
            })
            assert.isTrue(rest.resumedFrom > 0)
            assert.strictEqual(rest.recorded, good - mid!.n)
            assert.deepStrictEqual(
              readReport(join(dir, "second.rejected.ndjson")).map((x) => x.line),
              [...bad.keys()],
            )
            return yield* state
          }).pipe(Effect.provide(two))

          assert.strictEqual(resumed.length, good)
          // Same actions; recorded_by differs by nothing (same file → same job id).
          assert.deepStrictEqual(resumed, full)
        }),
      ),
    120_000,
  )

  it.effect("CSV: typed columns, quoted cells, one template per file; bad rows reported", () =>
    withStores((one, _two, dir) =>
      Effect.gen(function* () {
        yield* TestClock.setTime(T0)
        const file = join(dir, "views.csv")
        writeFileSync(
          file,
          [
            "customer.email,occurredAt,payload.product.productId,payload.product.name,payload.product.price:number,transactionId",
            `a@x.io,${iso(T0 - 1000)},p-1,"Shirt, blue",10.5,t1`,
            `b@x.io,${iso(T0 - 2000)},p-2,"Say ""hi""\nsecond line",3,`,
            `c@x.io,${iso(T0 - 3000)},p-3,Hat,not-a-number,t3`,
            `d@x.io,${iso(T0 - 4000)},p-4,Hat`,
            "",
          ].join("\r\n"),
        )
        const imports = yield* Imports
        const r = yield* imports.importFile({ path: file, template: "ProductViewed" })
        assert.strictEqual(r.recorded, 0) // createCustomer not set: unknown customers
        const report = readReport(r.reportPath)
        assert.deepStrictEqual(
          report.map((x) => [x.line, x.tag]),
          [
            [2, "CustomerNotFound"],
            [3, "CustomerNotFound"],
            [5, "InvalidLine"],
            [6, "InvalidLine"],
          ],
        )
        // With a createCustomer column the same rows record, payload typed and unquoted.
        const file2 = join(dir, "views2.csv")
        writeFileSync(
          file2,
          readFileSync(file, "utf8")
            .replace("transactionId", "transactionId,createCustomer")
            .split("\r\n")
            .map((l, i) => (i === 0 || l === "" ? l : `${l},true`))
            .join("\r\n"),
        )
        const r2 = yield* imports.importFile({ path: file2, template: "ProductViewed" })
        assert.strictEqual(r2.recorded, 2)
        const db = yield* Database
        const rows = yield* db.query<{ payload: string; transaction_id: string }>(
          "SELECT payload, transaction_id FROM actions ORDER BY occurred_at DESC",
        )
        assert.deepStrictEqual(JSON.parse(rows[0]!.payload), {
          product: { productId: "p-1", name: "Shirt, blue", price: 10.5 },
        })
        assert.strictEqual(rows[0]!.transaction_id, "t1")
        assert.strictEqual(JSON.parse(rows[1]!.payload).product.name, 'Say "hi"\nsecond line')
        assert.match(rows[1]!.transaction_id, /^import:[0-9a-f]{16}:3$/)
        // A header with an unknown column fails the whole import before recording anything.
        const file3 = join(dir, "bad.csv")
        writeFileSync(file3, "customer.email,colour\na@x.io,red\n")
        const failed = yield* Effect.flip(
          imports.importFile({ path: file3, template: "ProductViewed" }),
        )
        assert.strictEqual(failed._tag, "ImportFailed")
      }).pipe(Effect.provide(one)),
    ),
  )

  it.effect("export, then import into an empty database, reproduces the same actions", () =>
    withStores((one, two, dir) =>
      Effect.gen(function* () {
        const file = join(dir, "export.ndjson")
        const describeAll = Effect.gen(function* () {
          const db = yield* Database
          return yield* db.query(
            "SELECT customer_id, template, occurred_at, touchpoint_id, channel_id, brand_id, payload, custom_fields FROM actions ORDER BY customer_id, occurred_at, payload",
          )
        })
        const source = yield* Effect.gen(function* () {
          yield* TestClock.setTime(T0)
          const customers = yield* Customers
          const store = yield* ActionStore
          for (let i = 0; i < 5; i++) {
            const c = yield* customers.create({
              identifiers: [{ kind: "email", value: `e${i}@x.io` }],
            })
            for (let k = 0; k < 4; k++) {
              yield* store.record({
                customer: { id: c.id },
                template: "ProductViewed",
                occurredAt: iso(T0 - (i * 10 + k) * 3600_000),
                payload: { product: { productId: `p-${i}-${k}`, name: "Shirt", price: k } },
                ...(k % 2 === 0 ? { transactionId: `src-${i}-${k}` } : {}),
              } as never)
            }
          }
          yield* TestClock.adjust(1000)
          let text = ""
          yield* (yield* Exports).writeNdjson({ since: 0, till: T0 + 1000 }, (t) =>
            Effect.sync(() => (text += t)),
          )
          writeFileSync(file, text)
          return yield* describeAll
        }).pipe(Effect.provide(one))
        const copy = yield* Effect.gen(function* () {
          yield* TestClock.setTime(T0 + 10_000)
          const r = yield* (yield* Imports).importFile({ path: file })
          assert.strictEqual(r.recorded, 20)
          assert.strictEqual(r.rejected, 0)
          return yield* describeAll
        }).pipe(Effect.provide(two))
        assert.strictEqual(source.length, 20)
        assert.deepStrictEqual(copy, source)
      }),
    ),
  )
})
