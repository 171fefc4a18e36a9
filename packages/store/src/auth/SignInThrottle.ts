import { Clock, Effect } from "effect"
import type { DatabaseShape } from "../Database"
import { TooManySignInAttempts } from "./Errors"
import { sha256 } from "./Secrets"

/**
 * Staff sign-in brute-force protection (docs/api.md, "Sign-in limits"): at most `perEmail`
 * failed attempts for one email and `perIp` from one client address in any `windowMs`. At
 * the limit, attempts are refused without checking the password until enough of those
 * failures are older than the window. The counts live in the database (`sign_in_failures`),
 * so every process sharing the file enforces the same limits.
 */
export const signInLimits = {
  windowMs: 15 * 60 * 1000,
  perEmail: 5,
  perIp: 30,
} as const

/** Unknown emails are keyed the same way as known ones, so they count the same. */
export const signInEmailKey = (email: string): string => sha256(email.trim().toLowerCase())

/**
 * Seconds until this key is under its limit again, or undefined when it already is.
 * `newestFirst` are the key's failures inside the window (at most `limit` of them).
 */
const blockedFor = (
  newestFirst: ReadonlyArray<{ readonly at: number }>,
  limit: number,
  now: number,
) => {
  const oldestCounted = newestFirst[limit - 1]
  if (oldestCounted === undefined) return undefined
  return Math.max(1, Math.ceil((oldestCounted.at + signInLimits.windowMs - now) / 1000))
}

/**
 * Admits one sign-in attempt or refuses it. An admitted attempt is recorded as a failure up
 * front, in the same write transaction as the check: concurrent attempts (other fibers or
 * processes) cannot all slip under the limit while their passwords are being hashed. A
 * successful sign-in then removes it with the rest of the email's failures (`clearFailures`).
 * Expired rows are swept here, so the table holds at most one window of attempts.
 */
export const admitAttempt = Effect.fnUntraced(function* (
  db: DatabaseShape,
  attempt: { readonly emailKey: string; readonly ip: string | null },
) {
  const now = yield* Clock.currentTimeMillis
  const since = now - signInLimits.windowMs
  const refused = yield* db.transaction(
    Effect.gen(function* () {
      yield* db.execute("DELETE FROM sign_in_failures WHERE at <= ?", [since])
      const byEmail = yield* db.query<{ at: number }>(
        "SELECT at FROM sign_in_failures WHERE email_hash = ? AND at > ? ORDER BY at DESC LIMIT ?",
        [attempt.emailKey, since, signInLimits.perEmail],
      )
      const byIp =
        attempt.ip === null
          ? []
          : yield* db.query<{ at: number }>(
              "SELECT at FROM sign_in_failures WHERE ip = ? AND at > ? ORDER BY at DESC LIMIT ?",
              [attempt.ip, since, signInLimits.perIp],
            )
      const waits = [
        blockedFor(byEmail, signInLimits.perEmail, now),
        blockedFor(byIp, signInLimits.perIp, now),
      ].filter((s): s is number => s !== undefined)
      // A refused attempt is not recorded: it would only push the lockout further out.
      if (waits.length > 0) return Math.max(...waits)
      yield* db.execute("INSERT INTO sign_in_failures (email_hash, ip, at) VALUES (?, ?, ?)", [
        attempt.emailKey,
        attempt.ip,
        now,
      ])
      return undefined
    }),
  )
  if (refused !== undefined) {
    const minutes = Math.ceil(refused / 60)
    return yield* new TooManySignInAttempts({
      message: `Too many failed sign-in attempts; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`,
      retryAfterSeconds: refused,
    })
  }
})

/** Forgets the email's failures (statement for the successful sign-in's transaction). */
export const clearFailures = (db: DatabaseShape, emailKey: string) =>
  db.execute("DELETE FROM sign_in_failures WHERE email_hash = ?", [emailKey])
