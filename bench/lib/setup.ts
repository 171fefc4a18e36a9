/** Shared bench setup: temp databases with the store's schema, customers, raw row inserts. */
import { Ids } from "@actionlog/domain"
import * as Store from "@actionlog/store"
import { Effect, Layer, ManagedRuntime } from "effect"
import Native from "libsql"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { customerEmail, type BenchCustomer, type BenchItem } from "./data"

export const tempDir = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `actionlog-bench-${name}-`))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A runtime with every store service over `path` (migrated). */
export const storeRuntime = (path: string, synchronous: "FULL" | "NORMAL" = "FULL") =>
  ManagedRuntime.make(Store.layer({ url: `file:${path}`, synchronous }))

/** Create the schema only (run migrations), then close. */
export const migrateOnly = async (path: string) => {
  const rt = ManagedRuntime.make(
    Store.Database.layer({ url: `file:${path}` }) as Layer.Layer<
      Store.Database,
      Store.DatabaseError
    >,
  )
  await rt.runPromise(Effect.void)
  await rt.dispose()
}

export const openNative = (path: string, synchronous: "FULL" | "NORMAL" = "FULL") => {
  const db = new Native(path)
  db.exec("PRAGMA journal_mode = WAL")
  db.exec("PRAGMA busy_timeout = 5000")
  db.exec("PRAGMA foreign_keys = ON")
  db.exec(`PRAGMA synchronous = ${synchronous}`)
  return db
}

const EMPTY_PROFILE = JSON.stringify({
  personal: {},
  subscriptions: [],
  tags: [],
  customFields: {},
})

/** Insert customers (with an email identifier each) straight into the schema. */
export const insertCustomers = (
  db: InstanceType<typeof Native>,
  customers: ReadonlyArray<BenchCustomer>,
) => {
  const c = db.prepare(
    "INSERT INTO customers (id, profile, search_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
  )
  const i = db.prepare(
    "INSERT INTO customer_identifiers (kind, value, customer_id) VALUES ('email', ?, ?)",
  )
  db.exec("BEGIN IMMEDIATE")
  for (const x of customers) {
    c.run([x.id, EMPTY_PROFILE, `${x.firstName} ${x.lastName}`.toLowerCase(), 0, 0])
    i.run([x.email, x.id])
  }
  db.exec("COMMIT")
}

/** A migrated database at `path` holding `customers` (each with an email identifier). */
export const databaseWithCustomers = async (
  path: string,
  customers: ReadonlyArray<BenchCustomer>,
): Promise<string> => {
  await migrateOnly(path)
  const db = openNative(path)
  insertCustomers(db, customers)
  db.close()
  return path
}

export const INSERT_ACTION =
  "INSERT INTO actions (id, customer_id, template, occurred_at, recorded_at, touchpoint_id, channel_id, brand_id, transaction_id, payload, custom_fields, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

/** The row the store would write for a bench item (customer already known). */
export const toRow = (item: BenchItem, nowMs: number, customerIds: ReadonlyArray<string>) => [
  Ids.makeActionId(nowMs),
  "id" in item.input.customer ? item.input.customer.id : customerIds[item.customerIndex]!,
  item.input.template,
  Date.parse(item.input.occurredAt),
  nowMs,
  "tp_api",
  "ch_default",
  "default",
  item.input.transactionId,
  JSON.stringify(item.input.payload),
  null,
  "apiKey:bench",
]

export { customerEmail }
