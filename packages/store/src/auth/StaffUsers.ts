import { randomUUID } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import { Database } from "../Database"
import type { DatabaseError } from "../DatabaseError"
import { LastAdmin, StaffEmailTaken, StaffNotFound, type UnknownRole } from "./Errors"
import { Roles } from "./Roles"
import { hashPassword, verifyPassword } from "./Secrets"

export interface StaffUser {
  readonly id: string
  readonly email: string
  readonly name: string
  readonly role: string
  readonly disabled: boolean
  readonly createdAt: string
  readonly updatedAt: string
  readonly lastSignInAt: string | null
}

interface StaffRow {
  readonly id: string
  readonly email: string
  readonly name: string
  readonly role: string
  readonly password_hash: string
  readonly disabled: number
  readonly created_at: number
  readonly updated_at: number
  readonly last_sign_in_at: number | null
}

const iso = (ms: number) => new Date(ms).toISOString()

const fromRow = (r: StaffRow): StaffUser => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  disabled: r.disabled === 1,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
  lastSignInAt: r.last_sign_in_at === null ? null : iso(r.last_sign_in_at),
})

export interface StaffUpdate {
  readonly name?: string | undefined
  readonly role?: string | undefined
  readonly disabled?: boolean | undefined
}

// Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
const dummyHash = hashPassword("not a real password")

export class StaffUsers extends Context.Service<
  StaffUsers,
  {
    readonly create: (input: {
      readonly email: string
      readonly name: string
      readonly role: string
      readonly password: string
    }) => Effect.Effect<StaffUser, StaffEmailTaken | UnknownRole | DatabaseError>
    readonly list: Effect.Effect<ReadonlyArray<StaffUser>, DatabaseError>
    /** Names of many at once (who recorded the actions of a page); unknown ids left out. */
    readonly names: (
      ids: ReadonlyArray<string>,
    ) => Effect.Effect<ReadonlyArray<{ readonly id: string; readonly name: string }>, DatabaseError>
    readonly get: (id: string) => Effect.Effect<StaffUser, StaffNotFound | DatabaseError>
    /** Role / name / disabled; refuses to leave the project without an active admin. */
    readonly update: (
      id: string,
      update: StaffUpdate,
    ) => Effect.Effect<
      { readonly before: StaffUser; readonly after: StaffUser },
      StaffNotFound | UnknownRole | LastAdmin | DatabaseError
    >
    readonly setPassword: (
      id: string,
      password: string,
    ) => Effect.Effect<void, StaffNotFound | DatabaseError>
    /** The enabled user with these credentials, or undefined. */
    readonly verify: (
      email: string,
      password: string,
    ) => Effect.Effect<StaffUser | undefined, DatabaseError>
    readonly count: Effect.Effect<number, DatabaseError>
  }
>()("@actionlog/store/auth/StaffUsers") {
  static readonly layer = Layer.effect(
    StaffUsers,
    Effect.gen(function* () {
      const db = yield* Database
      const roles = yield* Roles

      const row = (id: string) =>
        Effect.map(db.query<StaffRow>("SELECT * FROM staff_users WHERE id = ?", [id]), (r) => r[0])

      const get = Effect.fn("StaffUsers.get")(function* (id: string) {
        const r = yield* row(id)
        if (r === undefined) {
          return yield* new StaffNotFound({ id, message: `No staff user with id '${id}'` })
        }
        return fromRow(r)
      })

      const create = Effect.fn("StaffUsers.create")(function* (input: {
        readonly email: string
        readonly name: string
        readonly role: string
        readonly password: string
      }) {
        yield* roles.get(input.role)
        const email = input.email.trim().toLowerCase()
        const taken = yield* db.query("SELECT 1 FROM staff_users WHERE email = ?", [email])
        if (taken.length > 0) {
          return yield* new StaffEmailTaken({
            email,
            message: `A staff user with email '${email}' already exists`,
          })
        }
        const hash = yield* Effect.promise(() => hashPassword(input.password))
        const id = randomUUID()
        const now = Date.now()
        yield* db.execute(
          "INSERT INTO staff_users (id, email, name, role, password_hash, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
          [id, email, input.name, input.role, hash, now, now],
        )
        return yield* get(id).pipe(Effect.catchTag("StaffNotFound", Effect.die))
      })

      const list = Effect.map(
        db.query<StaffRow>("SELECT * FROM staff_users ORDER BY email"),
        (rows) => rows.map(fromRow),
      )

      const activeAdmins = Effect.map(
        db.query<{ n: number }>(
          "SELECT COUNT(*) AS n FROM staff_users WHERE role = 'admin' AND disabled = 0",
        ),
        (r) => r[0]?.n ?? 0,
      )

      const update = Effect.fn("StaffUsers.update")(function* (id: string, change: StaffUpdate) {
        const before = yield* get(id)
        if (change.role !== undefined) yield* roles.get(change.role)
        const after = {
          name: change.name ?? before.name,
          role: change.role ?? before.role,
          disabled: change.disabled ?? before.disabled,
        }
        const losesAdmin =
          before.role === "admin" && !before.disabled && (after.role !== "admin" || after.disabled)
        if (losesAdmin && (yield* activeAdmins) <= 1) {
          return yield* new LastAdmin({
            message: "This is the last active admin; make another admin first",
          })
        }
        yield* db.execute(
          "UPDATE staff_users SET name = ?, role = ?, disabled = ?, updated_at = ? WHERE id = ?",
          [after.name, after.role, after.disabled ? 1 : 0, Date.now(), id],
        )
        // A disabled user is signed out everywhere at once.
        if (after.disabled) yield* db.execute("DELETE FROM staff_sessions WHERE staff_id = ?", [id])
        return { before, after: yield* get(id) }
      })

      const setPassword = Effect.fn("StaffUsers.setPassword")(function* (
        id: string,
        password: string,
      ) {
        yield* get(id)
        const hash = yield* Effect.promise(() => hashPassword(password))
        yield* db.execute("UPDATE staff_users SET password_hash = ?, updated_at = ? WHERE id = ?", [
          hash,
          Date.now(),
          id,
        ])
        yield* db.execute("DELETE FROM staff_sessions WHERE staff_id = ?", [id])
      })

      const verify = Effect.fn("StaffUsers.verify")(function* (email: string, password: string) {
        const rows = yield* db.query<StaffRow>("SELECT * FROM staff_users WHERE email = ?", [
          email.trim().toLowerCase(),
        ])
        const r = rows[0]
        const ok = yield* Effect.promise(async () =>
          verifyPassword(password, r?.password_hash ?? (await dummyHash)),
        )
        return r !== undefined && ok && r.disabled === 0 ? fromRow(r) : undefined
      })

      const count = Effect.map(
        db.query<{ n: number }>("SELECT COUNT(*) AS n FROM staff_users"),
        (r) => r[0]?.n ?? 0,
      )

      const names = Effect.fn("StaffUsers.names")(function* (ids: ReadonlyArray<string>) {
        if (ids.length === 0) return []
        return yield* db.query<{ readonly id: string; readonly name: string }>(
          "SELECT id, name FROM staff_users WHERE id IN (SELECT value FROM json_each(?))",
          [JSON.stringify([...new Set(ids)])],
        )
      })

      return StaffUsers.of({ create, list, get, update, setPassword, verify, count, names })
    }),
  )
}
