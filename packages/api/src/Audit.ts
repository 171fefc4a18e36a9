import { Effect } from "effect"
import { AuditLog, Database } from "@actionlog/store"
import type { Actor, Principal } from "@actionlog/store"
import { RequestInfo } from "./trpc"

export const actorOf = (principal: Principal | null): Actor =>
  principal === null
    ? { kind: "system", id: null, label: "anonymous" }
    : principal.kind === "apiKey"
      ? { kind: "apiKey", id: principal.id, label: `apiKey:${principal.name}` }
      : { kind: "staff", id: principal.id, label: principal.email }

export interface AuditEntry {
  readonly action: string
  readonly targetType: string
  readonly targetId: string | null
  readonly changes: unknown
}

/** Appends an audit entry for the calling principal; joins the caller's transaction. */
export const audit = Effect.fnUntraced(function* (entry: AuditEntry) {
  const info = yield* RequestInfo
  const log = yield* AuditLog
  yield* log.append({ actor: actorOf(info.principal), ip: info.ip, ...entry })
})

/**
 * Runs a change and its audit entry in one write transaction: both are written or neither.
 * `describe` sees the change's result (ids made by the store, before/after values).
 */
export const audited = <A, E, R>(
  change: Effect.Effect<A, E, R>,
  describe: (result: A) => AuditEntry,
) => Database.use((db) => db.transaction(Effect.tap(change, (result) => audit(describe(result)))))

/**
 * Reads the current value, changes it and writes the audit entry in ONE write transaction, so
 * the entry's "before" is what the change replaced even while other writers are busy (read
 * before the transaction, it could be stale). Succeeds with the change's result.
 */
export const auditedUpdate = <B, A, E1, E2, R1, R2>(
  read: Effect.Effect<B, E1, R1>,
  change: Effect.Effect<A, E2, R2>,
  describe: (before: B, after: A) => AuditEntry,
) =>
  Effect.map(
    audited(
      Effect.flatMap(read, (before) => Effect.map(change, (after) => ({ before, after }))),
      ({ before, after }) => describe(before, after),
    ),
    ({ after }) => after,
  )
