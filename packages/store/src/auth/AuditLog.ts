import { Context, Effect, Layer } from "effect"
import { Database } from "../Database"
import type { DatabaseError } from "../DatabaseError"

/** Who made a change; `system` for the CLI and the demo seed. */
export interface Actor {
  readonly kind: "staff" | "apiKey" | "system"
  readonly id: string | null
  readonly label: string
}

export interface AuditEntryInput {
  readonly actor: Actor
  readonly ip: string | null
  /** The operation, named like the procedure: `templates.create`, `customers.edit`, … */
  readonly action: string
  readonly targetType: string
  readonly targetId: string | null
  /** What changed: `{ before, after }`, a field diff, or the created value. JSON-serialisable. */
  readonly changes: unknown
}

export interface AuditEntry extends AuditEntryInput {
  readonly seq: number
  /** ISO 8601. */
  readonly at: string
}

export interface AuditQuery {
  readonly limit: number
  /** Entries older than this seq (keyset pagination, newest first). */
  readonly before?: number | undefined
  readonly targetType?: string | undefined
  readonly targetId?: string | undefined
  readonly actorId?: string | undefined
  readonly action?: string | undefined
}

interface AuditRow {
  readonly seq: number
  readonly at: number
  readonly actor_kind: "staff" | "apiKey" | "system"
  readonly actor_id: string | null
  readonly actor_label: string
  readonly action: string
  readonly target_type: string
  readonly target_id: string | null
  readonly changes: string
  readonly ip: string | null
}

/**
 * Append-only record of every configuration and customer change made by staff, keys and the
 * CLI. `append` joins the caller's transaction (Database transactions are fiber-scoped), so an
 * entry is written exactly when its change is; the table's triggers refuse UPDATE and DELETE.
 */
export class AuditLog extends Context.Service<
  AuditLog,
  {
    readonly append: (entry: AuditEntryInput) => Effect.Effect<void, DatabaseError>
    readonly list: (
      query: AuditQuery,
    ) => Effect.Effect<
      { readonly entries: ReadonlyArray<AuditEntry>; readonly next: number | null },
      DatabaseError
    >
  }
>()("@actionlog/store/auth/AuditLog") {
  static readonly layer = Layer.effect(
    AuditLog,
    Effect.gen(function* () {
      const db = yield* Database
      const append = (entry: AuditEntryInput) =>
        Effect.asVoid(
          db.execute(
            "INSERT INTO audit_log (at, actor_kind, actor_id, actor_label, action, target_type, target_id, changes, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
              Date.now(),
              entry.actor.kind,
              entry.actor.id,
              entry.actor.label,
              entry.action,
              entry.targetType,
              entry.targetId,
              JSON.stringify(entry.changes ?? null),
              entry.ip,
            ],
          ),
        )
      const list = Effect.fn("AuditLog.list")(function* (query: AuditQuery) {
        const where: Array<string> = []
        const args: Array<string | number> = []
        if (query.before !== undefined) {
          where.push("seq < ?")
          args.push(query.before)
        }
        if (query.targetType !== undefined) {
          where.push("target_type = ?")
          args.push(query.targetType)
        }
        if (query.targetId !== undefined) {
          where.push("target_id = ?")
          args.push(query.targetId)
        }
        if (query.actorId !== undefined) {
          where.push("actor_id = ?")
          args.push(query.actorId)
        }
        if (query.action !== undefined) {
          where.push("action = ?")
          args.push(query.action)
        }
        const rows = yield* db.query<AuditRow>(
          `SELECT * FROM audit_log ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ?`,
          [...args, query.limit + 1],
        )
        const page = rows.slice(0, query.limit)
        return {
          entries: page.map((r): AuditEntry => ({
            seq: r.seq,
            at: new Date(r.at).toISOString(),
            actor: { kind: r.actor_kind, id: r.actor_id, label: r.actor_label },
            ip: r.ip,
            action: r.action,
            targetType: r.target_type,
            targetId: r.target_id,
            changes: JSON.parse(r.changes) as unknown,
          })),
          next: rows.length > query.limit ? (page[page.length - 1]?.seq ?? null) : null,
        }
      })
      return AuditLog.of({ append, list })
    }),
  )
}
