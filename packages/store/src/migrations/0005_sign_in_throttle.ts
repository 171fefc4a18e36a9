/**
 * Staff sign-in brute-force protection (docs/api.md, "Sign-in limits").
 *
 * `sign_in_failures` holds one row per failed (or still running) sign-in attempt, so the
 * limits hold across every process that shares the database file: at most 5 failures per
 * normalised email and 30 per client IP in any 15 minutes (`auth/SignInThrottle.ts`).
 *
 * - `email_hash`: SHA-256 of the normalised (trimmed, lower-case) email as typed, known or
 *   not; hashed so that typos (or a password typed into the email field) are not kept in clear.
 * - `ip`: the client address as the server sees it, NULL when there is none (CLI).
 * - `at`: epoch milliseconds; rows older than the window are swept on every attempt.
 */
import type { Migration } from "./index"

export default {
  id: 5,
  name: "sign_in_throttle",
  statements: [
    `CREATE TABLE sign_in_failures (
      id INTEGER PRIMARY KEY,
      email_hash TEXT NOT NULL,
      ip TEXT,
      at INTEGER NOT NULL
    )`,
    `CREATE INDEX sign_in_failures_email ON sign_in_failures (email_hash, at)`,
    `CREATE INDEX sign_in_failures_ip ON sign_in_failures (ip, at)`,
    `CREATE INDEX sign_in_failures_at ON sign_in_failures (at)`,
  ],
} satisfies Migration
