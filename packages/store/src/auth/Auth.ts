import { Context, Effect, Layer } from "effect"
import { Database } from "../Database"
import type { DatabaseError } from "../DatabaseError"
import { ApiKeys } from "./ApiKeys"
import { InvalidCredentials, type TooManySignInAttempts, Unauthenticated } from "./Errors"
import { roleFromRow } from "./Roles"
import type { Principal, StaffPrincipal } from "./Principal"
import { newSessionToken, sha256 } from "./Secrets"
import { admitAttempt, clearFailures, signInEmailKey } from "./SignInThrottle"
import { StaffUsers } from "./StaffUsers"

export interface Credentials {
  readonly bearer: string | undefined
  readonly sessionToken: string | undefined
}

interface SessionRow {
  readonly session_id: string
  readonly expires_at: number
  readonly id: string
  readonly email: string
  readonly name: string
  readonly role: string
  readonly description: string
  readonly permissions: string
  readonly built_in: number
}

/**
 * Resolves credentials to a principal on every request (one indexed read; no cache, so a
 * revoked key or a disabled user stops working at once in every process), and runs staff
 * sessions.
 */
export class Auth extends Context.Service<
  Auth,
  {
    /** A bearer API key wins over a session cookie when both are sent. */
    readonly authenticate: (
      credentials: Credentials,
    ) => Effect.Effect<Principal, Unauthenticated | DatabaseError>
    /**
     * Staff sign-in, throttled (SignInThrottle.ts): too many recent failures for the email or
     * from the IP refuse it with `TooManySignInAttempts` before the password is checked.
     */
    readonly signIn: (input: {
      readonly email: string
      readonly password: string
      readonly ip: string | null
      readonly userAgent: string | null
      readonly ttlSeconds: number
    }) => Effect.Effect<
      { readonly token: string; readonly principal: StaffPrincipal },
      InvalidCredentials | TooManySignInAttempts | DatabaseError
    >
    readonly signOut: (sessionId: string) => Effect.Effect<void, DatabaseError>
  }
>()("@actionlog/store/auth/Auth") {
  static readonly layer = Layer.effect(
    Auth,
    Effect.gen(function* () {
      const db = yield* Database
      const keys = yield* ApiKeys
      const staff = yield* StaffUsers

      const session = (sessionId: string) =>
        Effect.map(
          db.query<SessionRow>(
            `SELECT s.id AS session_id, s.expires_at, u.id, u.email, u.name, u.role,
                    r.description, r.permissions, r.built_in
               FROM staff_sessions s
               JOIN staff_users u ON u.id = s.staff_id
               JOIN roles r ON r.name = u.role
              WHERE s.id = ? AND u.disabled = 0`,
            [sessionId],
          ),
          (rows): StaffPrincipal | undefined => {
            const r = rows[0]
            if (r === undefined || r.expires_at <= Date.now()) return undefined
            return {
              kind: "staff",
              id: r.id,
              email: r.email,
              name: r.name,
              role: r.role,
              permissions: roleFromRow({
                name: r.role,
                description: r.description,
                permissions: r.permissions,
                built_in: r.built_in,
              }).permissions,
              sessionId: r.session_id,
            }
          },
        )

      const authenticate = Effect.fnUntraced(function* (credentials: Credentials) {
        if (credentials.bearer !== undefined) {
          const principal = yield* keys.authenticate(credentials.bearer)
          if (principal === undefined) {
            return yield* new Unauthenticated({ message: "The API key is invalid or revoked" })
          }
          return principal as Principal
        }
        if (credentials.sessionToken !== undefined) {
          const principal = yield* session(sha256(credentials.sessionToken))
          if (principal === undefined) {
            return yield* new Unauthenticated({
              message: "The session has expired or was ended; sign in again",
            })
          }
          return principal as Principal
        }
        return yield* new Unauthenticated({
          message: "Send an API key (Authorization: Bearer …) or sign in",
        })
      })

      const signIn = Effect.fn("Auth.signIn")(function* (input: {
        readonly email: string
        readonly password: string
        readonly ip: string | null
        readonly userAgent: string | null
        readonly ttlSeconds: number
      }) {
        const emailKey = signInEmailKey(input.email)
        // Counted as a failure until the password proves right (unknown emails included).
        yield* admitAttempt(db, { emailKey, ip: input.ip })
        const user = yield* staff.verify(input.email, input.password)
        if (user === undefined) {
          return yield* new InvalidCredentials({ message: "Wrong email or password" })
        }
        const token = newSessionToken()
        // Sessions stay on wall-clock time: `authenticate` checks expiry against Date.now().
        const now = Date.now()
        yield* db.transaction(
          Effect.all([
            db.execute(
              "INSERT INTO staff_sessions (id, staff_id, created_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?)",
              [token.hash, user.id, now, now + input.ttlSeconds * 1000, input.ip, input.userAgent],
            ),
            db.execute("UPDATE staff_users SET last_sign_in_at = ? WHERE id = ?", [now, user.id]),
            // Expired sessions of this user are swept at sign-in; nothing else deletes them.
            db.execute("DELETE FROM staff_sessions WHERE staff_id = ? AND expires_at <= ?", [
              user.id,
              now,
            ]),
            clearFailures(db, emailKey),
          ]),
        )
        const principal = yield* session(token.hash)
        if (principal === undefined) {
          return yield* new InvalidCredentials({ message: "Wrong email or password" })
        }
        return { token: token.secret, principal }
      })

      const signOut = (sessionId: string) =>
        Effect.asVoid(db.execute("DELETE FROM staff_sessions WHERE id = ?", [sessionId]))

      return Auth.of({ authenticate, signIn, signOut })
    }),
  )
}
