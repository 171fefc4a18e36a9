/**
 * Erasure of a customer (SPEC §7): the profile, identifiers and every action go, from every
 * table and index, in one write transaction; the id and identifiers go on the suppression list
 * (hashed) so late events are rejected with `CustomerSuppressed` instead of re-creating the
 * profile.
 *
 * Tables are discovered by schema introspection, so tables added later by other capabilities
 * are covered without touching this file: every table with a `customer_id` column or a foreign
 * key to `customers`, and every table with an `action_id` column or a foreign key to `actions`
 * (rows about the customer's actions). Audit-log entries about the customer are redacted (the
 * log keeps that something happened, not the personal data). The deletes run with
 * `secure_delete` so freed pages are zeroed, and the WAL is checkpointed afterwards.
 */
import { Errors, type Ids } from "@actionlog/domain"
import { Clock, Context, Effect, Layer } from "effect"
import { Database } from "./Database"
import type { DatabaseError } from "./DatabaseError"
import { hashCustomerId, hashIdentifier } from "./internal/suppression"
import { REDACTED_CHANGES } from "./migrations/0004_erasure_and_import"

export interface ErasureResult {
  /** The hash that stands for the customer on the suppression list and in the audit log. */
  readonly customerHash: string
  /** True when the customer was erased before (nothing left to delete). */
  readonly alreadyErased: boolean
  readonly actions: number
  readonly identifiers: number
  /** Rows deleted per table (no personal data: table names and counts). */
  readonly deleted: Readonly<Record<string, number>>
  /** Audit-log entries whose personal data was redacted. */
  readonly redactedAuditEntries: number
}

interface Reference {
  readonly table: string
  readonly column: string
}

const quoteId = (s: string) => `"${s.replace(/"/g, '""')}"`

/** Every (table, column) that points at a customer and at an action. */
export const discoverReferences = (db: Database["Service"]) =>
  Effect.gen(function* () {
    const tables = yield* db.query<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    const customerRefs: Array<Reference> = []
    const actionRefs: Array<Reference> = []
    for (const { name } of tables) {
      if (name === "customers") continue
      const cols = yield* db.query<{ name: string }>(`PRAGMA table_info(${quoteId(name)})`)
      const fks = yield* db.query<{ table: string; from: string; to: string | null }>(
        `PRAGMA foreign_key_list(${quoteId(name)})`,
      )
      const customerCols = new Set<string>()
      const actionCols = new Set<string>()
      for (const c of cols) {
        if (c.name === "customer_id") customerCols.add(c.name)
        if (c.name === "action_id" && name !== "actions") actionCols.add(c.name)
      }
      for (const fk of fks) {
        if (fk.table === "customers") customerCols.add(fk.from)
        if (fk.table === "actions" && name !== "actions") actionCols.add(fk.from)
      }
      for (const column of customerCols) customerRefs.push({ table: name, column })
      for (const column of actionCols) actionRefs.push({ table: name, column })
    }
    return { customerRefs, actionRefs }
  })

export class Erasure extends Context.Service<
  Erasure,
  {
    /**
     * Erase one customer. Idempotent: erasing an erased customer answers `alreadyErased`.
     * Joins the caller's transaction (so the caller's audit entry commits with it).
     */
    readonly erase: (
      customerId: Ids.CustomerId | string,
    ) => Effect.Effect<ErasureResult, Errors.CustomerNotFound | DatabaseError>
    /** Is this customer id on the suppression list? */
    readonly isSuppressed: (customerId: string) => Effect.Effect<boolean, DatabaseError>
    /** Flush the WAL into the database file so erased pages leave the log (best effort). */
    readonly checkpoint: Effect.Effect<void>
  }
>()("@actionlog/store/Erasure") {
  static readonly layer = Layer.effect(
    Erasure,
    Effect.gen(function* () {
      const db = yield* Database

      const isSuppressed = (customerId: string) =>
        Effect.map(
          db.query("SELECT 1 FROM suppressed_customers WHERE hash = ?", [
            hashCustomerId(customerId),
          ]),
          (rows) => rows.length > 0,
        )

      const erase = Effect.fn("Erasure.erase")(function* (customerId: string) {
        const customerHash = hashCustomerId(customerId)
        if (db.mode === "native") {
          // Zero freed pages, so deleted rows do not linger in the file.
          yield* db.execute("PRAGMA secure_delete = ON")
        }
        return yield* db.transaction(
          Effect.gen(function* () {
            const [customer] = yield* db.query("SELECT id FROM customers WHERE id = ?", [
              customerId,
            ])
            if (customer === undefined) {
              if (yield* isSuppressed(customerId)) {
                return {
                  customerHash,
                  alreadyErased: true,
                  actions: 0,
                  identifiers: 0,
                  deleted: {},
                  redactedAuditEntries: 0,
                } satisfies ErasureResult
              }
              return yield* new Errors.CustomerNotFound({ customer: `id:${customerId}` })
            }
            const identifiers = yield* db.query<{ kind: string; value: string }>(
              "SELECT kind, value FROM customer_identifiers WHERE customer_id = ?",
              [customerId],
            )
            // Profiles merged into this one live on as redirects: their ids and identifiers
            // are this customer's too, so they go on the suppression list with it.
            const mergedIds = yield* db.query<{ from_id: string }>(
              "SELECT from_id FROM customer_redirects WHERE customer_id = ?",
              [customerId],
            )
            const redirectedIdentifiers = yield* db.query<{ kind: string; value: string }>(
              "SELECT kind, value FROM identifier_redirects WHERE customer_id = ?",
              [customerId],
            )
            const allIdentifiers = [...identifiers, ...redirectedIdentifiers]
            // Other capabilities' tables may reference customers/actions in any order.
            yield* db.execute("PRAGMA defer_foreign_keys = ON")
            const { customerRefs, actionRefs } = yield* discoverReferences(db)
            const deleted: Record<string, number> = {}
            const count = (table: string, n: number) => {
              if (n > 0) deleted[table] = (deleted[table] ?? 0) + n
            }
            for (const ref of actionRefs) {
              const r = yield* db.execute(
                `DELETE FROM ${quoteId(ref.table)} WHERE ${quoteId(ref.column)} IN (SELECT id FROM actions WHERE customer_id = ?)`,
                [customerId],
              )
              count(ref.table, r.rowsAffected)
            }
            for (const ref of customerRefs) {
              const r = yield* db.execute(
                `DELETE FROM ${quoteId(ref.table)} WHERE ${quoteId(ref.column)} = ?`,
                [customerId],
              )
              count(ref.table, r.rowsAffected)
            }
            count(
              "customers",
              (yield* db.execute("DELETE FROM customers WHERE id = ?", [customerId])).rowsAffected,
            )

            // The audit log keeps the entry, without the personal data.
            const needles = [
              customerId,
              ...mergedIds.map((m) => m.from_id),
              ...allIdentifiers.map((i) => i.value),
            ]
            const redacted = yield* db.execute(
              `UPDATE audit_log SET changes = ?, target_id = CASE WHEN target_id = ? THEN ? ELSE target_id END
               WHERE changes <> ? AND (target_id = ? OR EXISTS (SELECT 1 FROM json_each(?) n WHERE instr(audit_log.changes, n.value) > 0))`,
              [
                REDACTED_CHANGES,
                customerId,
                customerHash,
                REDACTED_CHANGES,
                customerId,
                JSON.stringify(needles),
              ],
            )
            // Entries already redacted may still carry the id as target.
            const retargeted = yield* db.execute(
              "UPDATE audit_log SET target_id = ? WHERE target_id = ? AND changes = ?",
              [customerHash, customerId, REDACTED_CHANGES],
            )

            const now = yield* Clock.currentTimeMillis
            const hashes: Array<[string, string]> = [
              [customerHash, "id"],
              ...mergedIds.map((m): [string, string] => [hashCustomerId(m.from_id), "id"]),
              ...allIdentifiers.map((i): [string, string] => [
                hashIdentifier(i.kind, i.value),
                "identifier",
              ]),
            ]
            for (const [hash, kind] of hashes) {
              yield* db.execute(
                "INSERT INTO suppressed_customers (hash, kind, erased_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [hash, kind, now],
              )
            }
            return {
              customerHash,
              alreadyErased: false,
              actions: deleted["actions"] ?? 0,
              identifiers: identifiers.length,
              deleted,
              redactedAuditEntries: redacted.rowsAffected + retargeted.rowsAffected,
            } satisfies ErasureResult
          }),
        )
      })

      const checkpoint = Effect.ignore(
        db.mode === "native" ? db.execute("PRAGMA wal_checkpoint(TRUNCATE)") : Effect.void,
      )

      return Erasure.of({ erase, isSuppressed, checkpoint })
    }),
  )
}
