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

/** Appends an audit entry for the calling principal; joins the caller's transaction. */
export const audit = Effect.fnUntraced(function* (entry: {
  readonly action: string
  readonly targetType: string
  readonly targetId: string | null
  readonly changes: unknown
}) {
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
  describe: (result: A) => {
    readonly action: string
    readonly targetType: string
    readonly targetId: string | null
    readonly changes: unknown
  },
) => Database.use((db) => db.transaction(Effect.tap(change, (result) => audit(describe(result)))))
