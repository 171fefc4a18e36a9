/**
 * Expiring bonus credits on a schedule. `Rewards.expireCredits` takes away every credit whose
 * `expiresAt` has passed (recording `BonusPointsChanged` for each customer) and is idempotent,
 * so every server process can run it: the write lock serialises them and the second finds
 * nothing due. It runs once at start (credits that expired while no server ran) and then
 * every interval; a run that expired something is audited as a system change.
 */
import { Cause, Effect, Schedule } from "effect"
import { AuditLog, Database, Rewards } from "@actionlog/store"

const SYSTEM_ACTOR = { kind: "system", id: null, label: "bonus-expiry" } as const

/** One run: expire what is due, audit it in the same transaction. Answers how many changed. */
export const expireDueCredits = Effect.gen(function* () {
  const db = yield* Database
  const rewards = yield* Rewards
  const audit = yield* AuditLog
  return yield* db.transaction(
    Effect.gen(function* () {
      const changes = yield* rewards.expireCredits()
      if (changes.length > 0) {
        yield* audit.append({
          actor: SYSTEM_ACTOR,
          ip: null,
          action: "rewards.expireCredits",
          targetType: "bonus",
          targetId: null,
          changes: {
            expired: changes.length,
            customers: new Set(changes.map((c) => c.customerId)).size,
          },
        })
      }
      return changes.length
    }),
  )
})

/** Runs forever: now, then every `intervalMs`. A failed run is logged and retried next time. */
export const runBonusExpiry = (intervalMs: number, log: (line: string) => void) =>
  expireDueCredits.pipe(
    Effect.tap((n) =>
      Effect.sync(() => {
        if (n > 0) log(`Bonus expiry: ${n} balance change(s) recorded.`)
      }),
    ),
    Effect.catchCause((cause) =>
      Effect.sync(() => log(`Bonus expiry failed (will retry): ${Cause.pretty(cause)}`)),
    ),
    Effect.repeat(Schedule.spaced(`${intervalMs} millis`)),
  )
