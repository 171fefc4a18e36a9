/**
 * The write half of recording, as a generator of SQL statements. The same program runs
 * synchronously on the native driver (one tight loop, no effect per statement) and through
 * effects on the remote driver, so there is one implementation of the rules that need the
 * database: idempotency, customer resolution / creation, external-identity uniqueness.
 * Must run inside a write transaction.
 */
import { Customer, Errors, Ids, type RecordActionInput } from "@actionlog/domain"
import type { ExecResult, SqlValue } from "../Database"
import { makeId } from "./ids"
import { hashCustomerId, hashIdentifier, SQL_SUPPRESSED } from "./suppression"

export interface SqlOp {
  readonly sql: string
  readonly args: ReadonlyArray<SqlValue>
}

/** An item that passed every check that needs no database. */
export interface ValidItem {
  readonly ok: true
  readonly input: RecordActionInput.RecordActionInput
  readonly template: string
  readonly occurredAt: number
  readonly touchpointId: string
  readonly channelId: string
  readonly brandId: string
  readonly payloadJson: string
  readonly customFieldsJson: string | null
  readonly identities: ReadonlyArray<{ readonly field: string; readonly value: string }>
}

export interface RejectedItem {
  readonly ok: false
  readonly input: RecordActionInput.RecordActionInput
  readonly error: Errors.ActionRejection
}

export type PreparedItem = ValidItem | RejectedItem

export type WriteResult =
  | { readonly status: "recorded"; readonly id: Ids.ActionId }
  | { readonly status: "alreadyProcessed"; readonly id: Ids.ActionId }
  | { readonly status: "rejected"; readonly error: Errors.ActionRejection }

const SQL_TX = "SELECT id FROM actions WHERE transaction_id = ?"
// One statement per batch (not per item) to find which customers exist: a JSON array
// parameter keeps it a single prepared statement whatever the batch size.
const SQL_CUSTOMERS = "SELECT id FROM customers WHERE id IN (SELECT value FROM json_each(?))"
const SQL_IDENTIFIERS =
  "SELECT value, customer_id FROM customer_identifiers WHERE kind = ? AND value IN (SELECT value FROM json_each(?))"
// Merge redirects (migration 0003): the target must still exist (not erased).
const SQL_ID_REDIRECTS =
  "SELECT r.from_id, r.customer_id FROM customer_redirects r JOIN customers c ON c.id = r.customer_id WHERE r.from_id IN (SELECT value FROM json_each(?))"
const SQL_IDENTIFIER_REDIRECTS =
  "SELECT r.value, r.customer_id FROM identifier_redirects r JOIN customers c ON c.id = r.customer_id WHERE r.kind = ? AND r.value IN (SELECT value FROM json_each(?))"
const SQL_IDENTITY =
  "SELECT 1 FROM action_identities WHERE template = ? AND field = ? AND value = ?"
const SQL_INSERT_IDENTITY =
  "INSERT INTO action_identities (template, field, value, action_id) VALUES (?, ?, ?, ?)"
const SQL_INSERT_CUSTOMER =
  "INSERT INTO customers (id, profile, search_name, created_at, updated_at) VALUES (?, ?, NULL, ?, ?)"
const SQL_INSERT_IDENTIFIER =
  "INSERT INTO customer_identifiers (kind, value, customer_id) VALUES (?, ?, ?)"
// The unique index on transaction_id is the idempotency check: a repeat inserts nothing
// (no extra lookup for the common, new case), then we fetch the original's id.
export const SQL_INSERT_ACTION =
  "INSERT INTO actions (id, customer_id, template, occurred_at, recorded_at, touchpoint_id, channel_id, brand_id, transaction_id, payload, custom_fields, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"

export const EMPTY_PROFILE = JSON.stringify({
  personal: {},
  subscriptions: [],
  tags: [],
  customFields: {},
})

const identKey = (kind: string, value: string) => `${kind}\u0000${value}`

/** Which referenced customers exist: `id\0<id>` and `<kind>\0<value>` → customer id. */
function* prefetchCustomers(
  items: ReadonlyArray<PreparedItem>,
): Generator<SqlOp, Map<string, string>, ExecResult> {
  const known = new Map<string, string>()
  const ids = new Set<string>()
  const byKind = new Map<string, Set<string>>()
  for (const item of items) {
    if (!item.ok) continue
    const ref = item.input.customer
    if ("id" in ref) ids.add(ref.id)
    else {
      const n = Customer.normalizeIdentifier(ref.identifier)
      let set = byKind.get(n.kind)
      if (set === undefined) byKind.set(n.kind, (set = new Set()))
      set.add(n.value)
    }
  }
  if (ids.size > 0) {
    const r = yield { sql: SQL_CUSTOMERS, args: [JSON.stringify([...ids])] }
    for (const row of r.rows) known.set(`id\u0000${String(row["id"])}`, String(row["id"]))
    // Merge routing (producers, issue 5): an id merged into another customer lands on the
    // survivor. Only ids not found above are looked up, so the common path pays nothing.
    const missing = [...ids].filter((id) => !known.has(`id\u0000${id}`))
    if (missing.length > 0) {
      const m = yield { sql: SQL_ID_REDIRECTS, args: [JSON.stringify(missing)] }
      for (const row of m.rows)
        known.set(`id\u0000${String(row["from_id"])}`, String(row["customer_id"]))
    }
  }
  for (const [kind, values] of byKind) {
    const r = yield { sql: SQL_IDENTIFIERS, args: [kind, JSON.stringify([...values])] }
    for (const row of r.rows)
      known.set(identKey(kind, String(row["value"])), String(row["customer_id"]))
    // Merge routing: an identifier the survivor could not take over (it had one of that kind).
    const missing = [...values].filter((v) => !known.has(identKey(kind, v)))
    if (missing.length > 0) {
      const m = yield { sql: SQL_IDENTIFIER_REDIRECTS, args: [kind, JSON.stringify(missing)] }
      for (const row of m.rows)
        known.set(identKey(kind, String(row["value"])), String(row["customer_id"]))
    }
  }
  return known
}

export function* writeBatch(
  items: ReadonlyArray<PreparedItem>,
  nowMs: number,
  recordedBy: string,
): Generator<SqlOp, Array<WriteResult>, ExecResult> {
  const results: Array<WriteResult> = []
  // Per-batch memory: transaction ids recorded by earlier items, customers, identities.
  const txSeen = new Map<string, Ids.ActionId>()
  const customers = yield* prefetchCustomers(items)
  const identitiesSeen = new Set<string>()

  for (const item of items) {
    const txId = item.input.transactionId
    if (txId !== undefined) {
      const earlier = txSeen.get(txId)
      if (earlier !== undefined) {
        results.push({ status: "alreadyProcessed", id: earlier })
        continue
      }
    }
    if (!item.ok) {
      // A retry of something recorded is answered as such, even if it would not pass today.
      const original = txId === undefined ? undefined : yield* findTransaction(txId)
      if (original !== undefined) {
        txSeen.set(txId!, original)
        results.push({ status: "alreadyProcessed", id: original })
      } else results.push({ status: "rejected", error: item.error })
      continue
    }

    // External identities: checked before anything is written for this item.
    let taken: Errors.ActionRejection | undefined
    for (const { field, value } of item.identities) {
      const key = `${item.template}\u0000${field}\u0000${value}`
      const hit = identitiesSeen.has(key)
        ? true
        : (yield { sql: SQL_IDENTITY, args: [item.template, field, value] }).rows.length > 0
      if (hit) {
        taken = new Errors.ExternalIdentityTaken({ template: item.template, field, value })
        break
      }
    }
    if (taken !== undefined) {
      const original = txId === undefined ? undefined : yield* findTransaction(txId)
      if (original !== undefined) {
        txSeen.set(txId!, original)
        results.push({ status: "alreadyProcessed", id: original })
      } else results.push({ status: "rejected", error: taken })
      continue
    }

    const ref = item.input.customer
    let customerId: string | undefined
    if ("id" in ref) customerId = customers.get(`id\u0000${ref.id}`)
    else {
      const n = Customer.normalizeIdentifier(ref.identifier)
      const key = identKey(n.kind, n.value)
      customerId = customers.get(key)
      if (customerId === undefined && item.input.createCustomer === true) {
        // Creating a customer is a write: make sure this is not a repeat first.
        const original = txId === undefined ? undefined : yield* findTransaction(txId)
        if (original !== undefined) {
          txSeen.set(txId!, original)
          results.push({ status: "alreadyProcessed", id: original })
          continue
        }
        // Erasure (issue 7): an erased customer's identifier never re-creates a profile.
        if (
          (yield { sql: SQL_SUPPRESSED, args: [hashIdentifier(n.kind, n.value)] }).rows.length > 0
        ) {
          results.push({
            status: "rejected",
            error: new Errors.CustomerSuppressed({ customer: Customer.formatCustomerRef(ref) }),
          })
          continue
        }
        customerId = makeId("c")
        yield { sql: SQL_INSERT_CUSTOMER, args: [customerId, EMPTY_PROFILE, nowMs, nowMs] }
        yield { sql: SQL_INSERT_IDENTIFIER, args: [n.kind, n.value, customerId] }
        customers.set(key, customerId)
      }
    }
    if (customerId === undefined) {
      const original = txId === undefined ? undefined : yield* findTransaction(txId)
      if (original !== undefined) {
        txSeen.set(txId!, original)
        results.push({ status: "alreadyProcessed", id: original })
      } else {
        // Erasure (issue 7): a late event for an erased customer gets a clear error.
        const hash =
          "id" in ref
            ? hashCustomerId(ref.id)
            : (() => {
                const n = Customer.normalizeIdentifier(ref.identifier)
                return hashIdentifier(n.kind, n.value)
              })()
        const suppressed = (yield { sql: SQL_SUPPRESSED, args: [hash] }).rows.length > 0
        const customer = Customer.formatCustomerRef(ref)
        results.push({
          status: "rejected",
          error: suppressed
            ? new Errors.CustomerSuppressed({ customer })
            : new Errors.CustomerNotFound({ customer }),
        })
      }
      continue
    }

    const id = Ids.makeActionId(nowMs)
    const inserted = yield {
      sql: SQL_INSERT_ACTION,
      args: [
        id,
        customerId,
        item.template,
        item.occurredAt,
        nowMs,
        item.touchpointId,
        item.channelId,
        item.brandId,
        txId ?? null,
        item.payloadJson,
        item.customFieldsJson,
        recordedBy,
      ],
    }
    if (inserted.rowsAffected === 0) {
      // Only the transaction id can conflict (action ids are fresh UUIDv7s).
      const original = yield* findTransaction(txId!)
      if (original === undefined)
        throw new Error("insert ignored without a transaction id conflict")
      txSeen.set(txId!, original)
      results.push({ status: "alreadyProcessed", id: original })
      continue
    }
    for (const { field, value } of item.identities) {
      identitiesSeen.add(`${item.template}\u0000${field}\u0000${value}`)
      yield { sql: SQL_INSERT_IDENTITY, args: [item.template, field, value, id] }
    }
    if (txId !== undefined) txSeen.set(txId, id)
    results.push({ status: "recorded", id })
  }
  return results
}

function* findTransaction(txId: string): Generator<SqlOp, Ids.ActionId | undefined, ExecResult> {
  const r = yield { sql: SQL_TX, args: [txId] }
  const row = r.rows[0]
  return row === undefined ? undefined : (row["id"] as Ids.ActionId)
}

/** Drive a statement program synchronously. */
export const runSync = <A>(
  program: Generator<SqlOp, A, ExecResult>,
  run: (sql: string, args: ReadonlyArray<SqlValue>) => ExecResult,
): A => {
  let step = program.next()
  while (step.done !== true) step = program.next(run(step.value.sql, step.value.args))
  return step.value
}
