/**
 * The write half of recording: ONE implementation of the rules that need the database
 * (transaction-id idempotency, customer resolution / creation with merge redirects, erasure
 * suppression, external-identity uniqueness), as a synchronous planner over two seams:
 *
 * - `Facts` answers what the rules ask of the database;
 * - `Writer` takes the statements the rules decide to write.
 *
 * The native driver answers facts with point queries on the writer connection and writes at
 * once, inside its write transaction (one tight synchronous loop, no effect per statement).
 * A remote database costs a round trip per statement, so there the facts of a whole batch are
 * read up front in one read batch (`remoteReads`: every statement is known before the first
 * answer, with JSON-array parameters), the planner runs against those answers, and the
 * statements it collects go to the server as one write batch (`collectWrites`). Plain INSERTs
 * on that path make a concurrent writer that got there first (same transaction id, same new
 * identifier or identity, a customer erased or merged away) fail the batch, which the caller
 * then plans again from fresh reads.
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

/** What the rules need to know from the database. */
export interface Facts {
  /** Referenced customers that exist (after merge redirects): `customerKey` → customer id. */
  readonly customers: (refs: CustomerRefs) => Map<string, string>
  /** The action recorded with this transaction id, if any. */
  readonly transaction: (txId: string) => Ids.ActionId | undefined
  readonly identityTaken: (template: string, field: string, value: string) => boolean
  /** Is this suppression hash (an erased customer's id or identifier) listed? */
  readonly suppressed: (hash: string) => boolean
}

/** Where the planned rows go. */
export interface Writer {
  readonly insertCustomer: (id: string, nowMs: number) => void
  readonly insertIdentifier: (kind: string, value: string, customerId: string) => void
  /**
   * Insert an action row (`ACTION_COLUMNS` order); false when its transaction id is recorded
   * already (nothing written).
   */
  readonly insertAction: (row: ReadonlyArray<SqlValue>, txId: string | undefined) => boolean
  readonly insertIdentity: (
    template: string,
    field: string,
    value: string,
    actionId: string,
  ) => void
}

/** The distinct customer references of a batch. */
export interface CustomerRefs {
  readonly ids: ReadonlyArray<string>
  /** Normalized identifier values by kind. */
  readonly byKind: ReadonlyMap<string, ReadonlyArray<string>>
}

const SQL_TX = "SELECT id FROM actions WHERE transaction_id = ?"
// Batch-wide lookups: a JSON array parameter keeps each a single prepared statement whatever
// the batch size.
const SQL_CUSTOMERS = "SELECT id FROM customers WHERE id IN (SELECT value FROM json_each(?))"
const SQL_IDENTIFIERS =
  "SELECT value, customer_id FROM customer_identifiers WHERE kind = ? AND value IN (SELECT value FROM json_each(?))"
// Merge redirects (migration 0003): the target must still exist (not erased).
const SQL_ID_REDIRECTS =
  "SELECT r.from_id, r.customer_id FROM customer_redirects r JOIN customers c ON c.id = r.customer_id WHERE r.from_id IN (SELECT value FROM json_each(?))"
const SQL_IDENTIFIER_REDIRECTS =
  "SELECT r.value, r.customer_id FROM identifier_redirects r JOIN customers c ON c.id = r.customer_id WHERE r.kind = ? AND r.value IN (SELECT value FROM json_each(?))"
const SQL_TXS =
  "SELECT transaction_id, id FROM actions WHERE transaction_id IS NOT NULL AND transaction_id IN (SELECT value FROM json_each(?))"
const SQL_IDENTITIES =
  "SELECT i.template, i.field, i.value FROM json_each(?) j JOIN action_identities i ON i.template = json_extract(j.value, '$[0]') AND i.field = json_extract(j.value, '$[1]') AND i.value = json_extract(j.value, '$[2]')"
const SQL_SUPPRESSED_MANY =
  "SELECT hash FROM suppressed_customers WHERE hash IN (SELECT value FROM json_each(?))"
const SQL_IDENTITY =
  "SELECT 1 FROM action_identities WHERE template = ? AND field = ? AND value = ?"
const SQL_INSERT_IDENTITY =
  "INSERT INTO action_identities (template, field, value, action_id) VALUES (?, ?, ?, ?)"
const SQL_INSERT_CUSTOMER =
  "INSERT INTO customers (id, profile, search_name, created_at, updated_at) VALUES (?, ?, NULL, ?, ?)"
const SQL_INSERT_IDENTIFIER =
  "INSERT INTO customer_identifiers (kind, value, customer_id) VALUES (?, ?, ?)"
// Native: the unique index on transaction_id is the idempotency check; a repeat inserts
// nothing (no extra lookup for the common, new case), then the original's id is fetched.
export const SQL_INSERT_ACTION =
  "INSERT INTO actions (id, customer_id, template, occurred_at, recorded_at, touchpoint_id, channel_id, brand_id, transaction_id, payload, custom_fields, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"

export const EMPTY_PROFILE = JSON.stringify({
  personal: {},
  subscriptions: [],
  tags: [],
  customFields: {},
})

const identKey = (kind: string, value: string) => `${kind}\u0000${value}`
const idKey = (id: string) => `id\u0000${id}`
const identityKey = (template: string, field: string, value: string) =>
  `${template}\u0000${field}\u0000${value}`

export const customerRefs = (items: ReadonlyArray<PreparedItem>): CustomerRefs => {
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
  return {
    ids: [...ids],
    byKind: new Map([...byKind].map(([k, v]) => [k, [...v]])),
  }
}

/** Direct matches win; a redirect only answers for a key that matched nothing directly. */
const addRows = (
  known: Map<string, string>,
  rows: ReadonlyArray<Record<string, unknown>>,
  key: (row: Record<string, unknown>) => string,
  onlyMissing: boolean,
) => {
  for (const row of rows) {
    const k = key(row)
    if (onlyMissing && known.has(k)) continue
    known.set(k, String(row["customer_id"] ?? row["id"]))
  }
}

/** Facts answered by point queries inside the native write transaction. */
export const queryFacts = (
  run: (sql: string, args: ReadonlyArray<SqlValue>) => ExecResult,
): Facts => ({
  customers: (refs) => {
    const known = new Map<string, string>()
    if (refs.ids.length > 0) {
      addRows(
        known,
        run(SQL_CUSTOMERS, [JSON.stringify(refs.ids)]).rows,
        (r) => idKey(String(r["id"])),
        false,
      )
      // Merge routing: only ids not found above are looked up, so the common path pays nothing.
      const missing = refs.ids.filter((id) => !known.has(idKey(id)))
      if (missing.length > 0) {
        addRows(
          known,
          run(SQL_ID_REDIRECTS, [JSON.stringify(missing)]).rows,
          (r) => idKey(String(r["from_id"])),
          true,
        )
      }
    }
    for (const [kind, values] of refs.byKind) {
      const key = (r: Record<string, unknown>) => identKey(kind, String(r["value"]))
      addRows(known, run(SQL_IDENTIFIERS, [kind, JSON.stringify(values)]).rows, key, false)
      const missing = values.filter((v) => !known.has(identKey(kind, v)))
      if (missing.length > 0) {
        addRows(
          known,
          run(SQL_IDENTIFIER_REDIRECTS, [kind, JSON.stringify(missing)]).rows,
          key,
          true,
        )
      }
    }
    return known
  },
  transaction: (txId) => {
    const row = run(SQL_TX, [txId]).rows[0]
    return row === undefined ? undefined : (row["id"] as Ids.ActionId)
  },
  identityTaken: (template, field, value) =>
    run(SQL_IDENTITY, [template, field, value]).rows.length > 0,
  suppressed: (hash) => run(SQL_SUPPRESSED, [hash]).rows.length > 0,
})

/** Native writer: one prepared statement per row, at once; a repeated transaction id inserts nothing. */
export const runWriter = (
  run: (sql: string, args: ReadonlyArray<SqlValue>) => ExecResult,
): Writer => ({
  insertCustomer: (id, nowMs) => {
    run(SQL_INSERT_CUSTOMER, [id, EMPTY_PROFILE, nowMs, nowMs])
  },
  insertIdentifier: (kind, value, customerId) => {
    run(SQL_INSERT_IDENTIFIER, [kind, value, customerId])
  },
  insertAction: (row) => run(SQL_INSERT_ACTION, row).rowsAffected > 0,
  insertIdentity: (template, field, value, actionId) => {
    run(SQL_INSERT_IDENTITY, [template, field, value, actionId])
  },
})

const refHash = (ref: RecordActionInput.RecordActionInput["customer"]): string => {
  if ("id" in ref) return hashCustomerId(ref.id)
  const n = Customer.normalizeIdentifier(ref.identifier)
  return hashIdentifier(n.kind, n.value)
}

/**
 * Every read the planner may need for `items`, as statements known up front (one read batch),
 * and how to turn their answers into `Facts`.
 */
export const remoteReads = (
  items: ReadonlyArray<PreparedItem>,
): {
  readonly statements: ReadonlyArray<SqlOp>
  readonly facts: (results: ReadonlyArray<ExecResult>) => Facts
} => {
  const refs = customerRefs(items)
  const statements: Array<SqlOp> = []
  const decoders: Array<(r: ExecResult, f: RemoteFacts) => void> = []
  const add = (op: SqlOp, decode: (r: ExecResult, f: RemoteFacts) => void) => {
    statements.push(op)
    decoders.push(decode)
  }
  // Customers: direct matches first, then redirects (which only fill what is still missing).
  if (refs.ids.length > 0) {
    const ids = JSON.stringify(refs.ids)
    add({ sql: SQL_CUSTOMERS, args: [ids] }, (r, f) =>
      addRows(f.customers, r.rows, (row) => idKey(String(row["id"])), false),
    )
    add({ sql: SQL_ID_REDIRECTS, args: [ids] }, (r, f) =>
      addRows(f.customers, r.rows, (row) => idKey(String(row["from_id"])), true),
    )
  }
  for (const [kind, values] of refs.byKind) {
    const json = JSON.stringify(values)
    const key = (row: Record<string, unknown>) => identKey(kind, String(row["value"]))
    add({ sql: SQL_IDENTIFIERS, args: [kind, json] }, (r, f) =>
      addRows(f.customers, r.rows, key, false),
    )
    add({ sql: SQL_IDENTIFIER_REDIRECTS, args: [kind, json] }, (r, f) =>
      addRows(f.customers, r.rows, key, true),
    )
  }
  const txIds = new Set<string>()
  const identities: Array<[string, string, string]> = []
  const hashes = new Set<string>()
  for (const item of items) {
    if (item.input.transactionId !== undefined) txIds.add(item.input.transactionId)
    if (!item.ok) continue
    for (const { field, value } of item.identities) identities.push([item.template, field, value])
    // Whether a customer turns out missing is only known from the answers, so every
    // reference's hash is asked for (cheap next to a round trip).
    hashes.add(refHash(item.input.customer))
  }
  if (txIds.size > 0) {
    add({ sql: SQL_TXS, args: [JSON.stringify([...txIds])] }, (r, f) => {
      for (const row of r.rows)
        f.transactions.set(String(row["transaction_id"]), row["id"] as Ids.ActionId)
    })
  }
  if (identities.length > 0) {
    add({ sql: SQL_IDENTITIES, args: [JSON.stringify(identities)] }, (r, f) => {
      for (const row of r.rows)
        f.identities.add(
          identityKey(String(row["template"]), String(row["field"]), String(row["value"])),
        )
    })
  }
  if (hashes.size > 0) {
    add({ sql: SQL_SUPPRESSED_MANY, args: [JSON.stringify([...hashes])] }, (r, f) => {
      for (const row of r.rows) f.suppressed.add(String(row["hash"]))
    })
  }
  return {
    statements,
    facts: (results) => {
      const f: RemoteFacts = {
        customers: new Map(),
        transactions: new Map(),
        identities: new Set(),
        suppressed: new Set(),
      }
      decoders.forEach((decode, i) => decode(results[i]!, f))
      return {
        customers: () => new Map(f.customers),
        transaction: (txId) => f.transactions.get(txId),
        identityTaken: (template, field, value) =>
          f.identities.has(identityKey(template, field, value)),
        suppressed: (hash) => f.suppressed.has(hash),
      }
    },
  }
}

interface RemoteFacts {
  readonly customers: Map<string, string>
  readonly transactions: Map<string, Ids.ActionId>
  readonly identities: Set<string>
  readonly suppressed: Set<string>
}

/**
 * A statement that fails the batch it is in when `condition` holds: it inserts a meta row that
 * always exists (a primary-key conflict). Batches carry no conditions through the client, and
 * a failed statement rolls the whole batch back.
 */
export const guard = (condition: string, args: ReadonlyArray<SqlValue>): SqlOp => ({
  sql: `INSERT INTO meta (key, value) SELECT 'registry_version', 0 WHERE ${condition}`,
  args,
})

/** Fails unless the registries are still at `version` (what the items were checked against). */
export const registryGuard = (version: number): SqlOp =>
  guard("NOT EXISTS (SELECT 1 FROM meta WHERE key = 'registry_version' AND value = ?)", [version])

// Remote bulk inserts: one statement and ONE parameter (a JSON array of rows) per table, so a
// batch of 1,000 is a handful of statements for the server to parse and bind, not thousands.
const SQL_BULK_CUSTOMERS =
  "INSERT INTO customers (id, profile, search_name, created_at, updated_at) SELECT value ->> 0, ?, NULL, ?, ? FROM json_each(?)"
const SQL_BULK_IDENTIFIERS =
  "INSERT INTO customer_identifiers (kind, value, customer_id) SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)"
const SQL_BULK_ACTIONS = `INSERT INTO actions (id, customer_id, template, occurred_at, recorded_at, touchpoint_id, channel_id, brand_id, transaction_id, payload, custom_fields, recorded_by) SELECT ${Array.from({ length: 12 }, (_, i) => `value ->> ${i}`).join(", ")} FROM json_each(?)`
const SQL_BULK_IDENTITIES =
  "INSERT INTO action_identities (template, field, value, action_id) SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?)"

/**
 * Collects the planned rows of one write batch, checked when the batch runs against what was
 * read: the inserts are plain, so a transaction id, identifier or identity that another
 * writer recorded since makes the batch fail (and be planned again) instead of silently
 * skipping a row the answer counts as recorded; and a guard fails it when a customer it
 * writes for was erased or merged away since (foreign keys may be off on a server).
 */
export const collectWrites = (
  facts: Facts,
): { readonly writer: Writer; readonly statements: () => Array<SqlOp> } => {
  let nowMs = 0
  const customers: Array<string> = []
  const identifiers: Array<[string, string, string]> = []
  const actions: Array<ReadonlyArray<SqlValue>> = []
  const identities: Array<[string, string, string, string]> = []
  const created = new Set<string>()
  const used = new Set<string>()
  return {
    writer: {
      insertCustomer: (id, now) => {
        nowMs = now
        created.add(id)
        customers.push(id)
      },
      insertIdentifier: (kind, value, customerId) => {
        identifiers.push([kind, value, customerId])
      },
      insertAction: (row, txId) => {
        if (txId !== undefined && facts.transaction(txId) !== undefined) return false
        const customerId = row[1] as string
        if (!created.has(customerId)) used.add(customerId)
        actions.push(row)
        return true
      },
      insertIdentity: (template, field, value, actionId) => {
        identities.push([template, field, value, actionId])
      },
    },
    statements: () => {
      const out: Array<SqlOp> = []
      if (used.size > 0) {
        out.push(
          guard(
            "EXISTS (SELECT 1 FROM json_each(?) j WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = j.value))",
            [JSON.stringify([...used])],
          ),
        )
      }
      if (customers.length > 0) {
        out.push({
          sql: SQL_BULK_CUSTOMERS,
          args: [EMPTY_PROFILE, nowMs, nowMs, JSON.stringify(customers.map((id) => [id]))],
        })
      }
      if (identifiers.length > 0)
        out.push({ sql: SQL_BULK_IDENTIFIERS, args: [JSON.stringify(identifiers)] })
      if (actions.length > 0) out.push({ sql: SQL_BULK_ACTIONS, args: [JSON.stringify(actions)] })
      if (identities.length > 0)
        out.push({ sql: SQL_BULK_IDENTITIES, args: [JSON.stringify(identities)] })
      return out
    },
  }
}

/** Decide every item's answer, sending what must be written to `writer`. */
export const planBatch = (
  items: ReadonlyArray<PreparedItem>,
  nowMs: number,
  recordedBy: string,
  facts: Facts,
  writer: Writer,
): Array<WriteResult> => {
  const results: Array<WriteResult> = []
  // Per-batch memory: transaction ids recorded by earlier items, customers, identities.
  const txSeen = new Map<string, Ids.ActionId>()
  const customers = facts.customers(customerRefs(items))
  const identitiesSeen = new Set<string>()

  /** A repeat of something recorded is answered as such (checked before rejecting / creating). */
  const repeat = (txId: string | undefined): boolean => {
    if (txId === undefined) return false
    const original = facts.transaction(txId)
    if (original === undefined) return false
    txSeen.set(txId, original)
    results.push({ status: "alreadyProcessed", id: original })
    return true
  }

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
      if (!repeat(txId)) results.push({ status: "rejected", error: item.error })
      continue
    }

    // External identities: checked before anything is written for this item.
    let taken: Errors.ActionRejection | undefined
    for (const { field, value } of item.identities) {
      if (
        identitiesSeen.has(identityKey(item.template, field, value)) ||
        facts.identityTaken(item.template, field, value)
      ) {
        taken = new Errors.ExternalIdentityTaken({ template: item.template, field, value })
        break
      }
    }
    if (taken !== undefined) {
      if (!repeat(txId)) results.push({ status: "rejected", error: taken })
      continue
    }

    const ref = item.input.customer
    let customerId: string | undefined
    if ("id" in ref) customerId = customers.get(idKey(ref.id))
    else {
      const n = Customer.normalizeIdentifier(ref.identifier)
      const key = identKey(n.kind, n.value)
      customerId = customers.get(key)
      if (customerId === undefined && item.input.createCustomer === true) {
        // Creating a customer is a write: make sure this is not a repeat first.
        if (repeat(txId)) continue
        // Erasure: an erased customer's identifier never re-creates a profile.
        if (facts.suppressed(hashIdentifier(n.kind, n.value))) {
          results.push({
            status: "rejected",
            error: new Errors.CustomerSuppressed({ customer: Customer.formatCustomerRef(ref) }),
          })
          continue
        }
        customerId = makeId("c")
        writer.insertCustomer(customerId, nowMs)
        writer.insertIdentifier(n.kind, n.value, customerId)
        customers.set(key, customerId)
      }
    }
    if (customerId === undefined) {
      if (!repeat(txId)) {
        // Erasure: a late event for an erased customer gets a clear error.
        const customer = Customer.formatCustomerRef(ref)
        results.push({
          status: "rejected",
          error: facts.suppressed(refHash(ref))
            ? new Errors.CustomerSuppressed({ customer })
            : new Errors.CustomerNotFound({ customer }),
        })
      }
      continue
    }

    const id = Ids.makeActionId(nowMs)
    const inserted = writer.insertAction(
      [
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
      txId,
    )
    if (!inserted) {
      // Only the transaction id can conflict (action ids are fresh UUIDv7s).
      if (!repeat(txId)) throw new Error("insert ignored without a transaction id conflict")
      continue
    }
    for (const { field, value } of item.identities) {
      identitiesSeen.add(identityKey(item.template, field, value))
      writer.insertIdentity(item.template, field, value, id)
    }
    if (txId !== undefined) txSeen.set(txId, id)
    results.push({ status: "recorded", id })
  }
  return results
}
