import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { TestClock } from "effect/testing"
import {
  ActionStore,
  AuditLog,
  Customers,
  Database,
  Erasure,
  Exports,
  layer as storeLayerOf,
} from "../src/index"
import { drivers, tempDbUrl } from "./helpers"
import { T0, input, viewed } from "./support"

const withStoreAndAudit = <A, E, R>(body: Effect.Effect<A, E, R>, driver: "native" | "client") => {
  const t = tempDbUrl({ migrated: true })
  const l = Layer.provideMerge(
    AuditLog.layer,
    storeLayerOf({ url: t.url, synchronous: "NORMAL", driver }),
  )
  return Effect.andThen(TestClock.setTime(T0), body).pipe(
    Effect.provide(l),
    Effect.ensuring(Effect.sync(t.cleanup)),
  )
}

/** Every text value of every row of every table that contains one of `needles`. */
const scanAll = (needles: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const db = yield* Database
    const tables = yield* db.query<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    const hits: Array<string> = []
    for (const { name } of tables) {
      const rows = yield* db.query(`SELECT * FROM "${name}"`)
      for (const row of rows) {
        for (const [col, v] of Object.entries(row)) {
          if (typeof v !== "string") continue
          for (const n of needles) if (v.includes(n)) hits.push(`${name}.${col} contains ${n}`)
        }
      }
    }
    return hits
  })

// `client` takes the remote write path (suppression answered from the batch's read phase).
describe.each(drivers)("Erasure with the %s driver", (driver) => {
  it.effect("removes the profile and every action everywhere, suppresses late events", () =>
    withStoreAndAudit(
      Effect.gen(function* () {
        const db = yield* Database
        const customers = yield* Customers
        const store = yield* ActionStore
        const erasure = yield* Erasure
        const audit = yield* AuditLog
        // A table another capability might add later: discovered, not listed anywhere.
        yield* db.execute(
          "CREATE TABLE later_orders (id INTEGER PRIMARY KEY, customer_id TEXT NOT NULL, note TEXT)",
        )
        yield* db.execute(
          "CREATE TABLE later_action_notes (id INTEGER PRIMARY KEY, action_id TEXT NOT NULL, note TEXT)",
        )
        const ann = yield* customers.create({
          identifiers: [
            { kind: "email", value: "ann.erased@example.com" },
            { kind: "phone", value: "+15550001111" },
          ],
          personal: { firstName: "Annabel", lastName: "Erasedottir" },
        })
        const bob = yield* customers.create({
          identifiers: [{ kind: "email", value: "bob.kept@example.com" }],
        })
        const ids: Array<string> = []
        for (let i = 0; i < 5; i++) {
          ids.push((yield* store.record(viewed(ann.id, { transactionId: `ann-tx-${i}` }))).id)
          yield* store.record(viewed(bob.id, { transactionId: `bob-tx-${i}` }))
        }
        yield* customers.update(
          ann.id,
          { personal: { firstName: "Annabel", lastName: "Erasedottir-Smith" } },
          { by: "staff", reason: "typo" },
        )
        yield* db.execute(
          "INSERT INTO later_orders (customer_id, note) VALUES (?, 'x'), (?, 'y')",
          [ann.id, bob.id],
        )
        yield* db.execute("INSERT INTO later_action_notes (action_id, note) VALUES (?, 'n')", [
          ids[0]!,
        ])
        yield* audit.append({
          actor: { kind: "staff", id: "s1", label: "root@example.com" },
          ip: "127.0.0.1",
          action: "customers.edit",
          targetType: "customer",
          targetId: ann.id,
          changes: { before: ann, after: { email: "ann.erased@example.com" } },
        })
        yield* audit.append({
          actor: { kind: "staff", id: "s1", label: "root@example.com" },
          ip: "127.0.0.1",
          action: "actions.record",
          targetType: "action",
          targetId: ids[1]!,
          changes: { customer: { id: ann.id } },
        })
        const [bobBefore] = yield* db.query<{ n: number }>(
          "SELECT count(*) AS n FROM actions WHERE customer_id = ?",
          [bob.id],
        )

        const result = yield* erasure.erase(ann.id)
        assert.isFalse(result.alreadyErased)
        assert.strictEqual(result.actions, 6) // 5 viewed + the ProfileCorrected
        assert.strictEqual(result.identifiers, 2)
        assert.strictEqual(result.deleted["later_orders"], 1)
        assert.strictEqual(result.deleted["later_action_notes"], 1)
        assert.strictEqual(result.redactedAuditEntries, 2)

        const needles = [ann.id, "ann.erased@example.com", "+15550001111", "Erasedottir"]
        assert.deepStrictEqual(yield* scanAll(needles), [])
        // Bob is untouched.
        const [bobAfter] = yield* db.query<{ n: number }>(
          "SELECT count(*) AS n FROM actions WHERE customer_id = ?",
          [bob.id],
        )
        assert.strictEqual(bobAfter?.n, bobBefore?.n)
        assert.strictEqual((yield* customers.get(bob.id)).identifiers.length, 1)
        assert.strictEqual(
          (yield* db.query("SELECT 1 FROM later_orders WHERE customer_id = ?", [bob.id])).length,
          1,
        )

        // Late events are rejected with a clear error and re-create nothing.
        const byId = yield* Effect.exit(store.record(viewed(ann.id)))
        assert.isTrue(Exit.isFailure(byId))
        const late = yield* store.recordBatch([
          viewed(ann.id),
          input({
            customer: { identifier: { kind: "email", value: "Ann.Erased@example.com" } },
            template: "ProductViewed",
            payload: { product: { productId: "p-1", name: "Shirt", price: 10 } },
            createCustomer: true,
          }),
          input({
            customer: { identifier: { kind: "phone", value: "+15550001111" } },
            template: "ProductViewed",
            payload: { product: { productId: "p-1", name: "Shirt", price: 10 } },
          }),
        ])
        assert.deepStrictEqual(
          late.map((r) => (r.status === "rejected" ? r.tag : r.status)),
          ["CustomerSuppressed", "CustomerSuppressed", "CustomerSuppressed"],
        )
        assert.deepStrictEqual(yield* scanAll(needles), [])
        // A retry of an erased action's transaction id is not "already processed" either.
        const retry = yield* store.recordBatch([viewed(ann.id, { transactionId: "ann-tx-0" })])
        assert.strictEqual(retry[0]?.status, "rejected")

        // Idempotent; unknown customers are an error; the audit log is still append-only.
        assert.isTrue((yield* erasure.erase(ann.id)).alreadyErased)
        const unknown = yield* Effect.exit(erasure.erase("c_nobody"))
        assert.isTrue(Exit.isFailure(unknown))
        const tamper = yield* Effect.exit(db.execute("UPDATE audit_log SET action = 'x'"))
        assert.isTrue(Exit.isFailure(tamper))
        const del = yield* Effect.exit(db.execute("DELETE FROM audit_log"))
        assert.isTrue(Exit.isFailure(del))
        // Exports no longer know the customer.
        const exp = yield* Effect.exit((yield* Exports).customer(ann.id))
        assert.isTrue(Exit.isFailure(exp))
      }),
      driver,
    ),
  )
})
