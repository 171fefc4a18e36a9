import { Context, Effect, Layer, Schema } from "effect"
import { Database } from "../Database"
import type { DatabaseError } from "../DatabaseError"
import { BuiltInRoleReadOnly, RoleAlreadyExists, RoleInUse, UnknownRole } from "./Errors"
import { Permission } from "./Permissions"

export interface Role {
  readonly name: string
  readonly description: string
  readonly permissions: ReadonlyArray<Permission>
  readonly builtIn: boolean
}

interface RoleRow {
  readonly name: string
  readonly description: string
  readonly permissions: string
  readonly built_in: number
}

const decodePermissions = Schema.decodeUnknownSync(Schema.Array(Permission))

export const roleFromRow = (row: RoleRow): Role => ({
  name: row.name,
  description: row.description,
  // Unknown names (a permission removed in a later version) are dropped, not fatal.
  permissions: decodePermissions(
    (JSON.parse(row.permissions) as Array<unknown>).filter((p) => Schema.is(Permission)(p)),
  ),
  builtIn: row.built_in === 1,
})

export interface RoleUpdate {
  readonly description?: string | undefined
  readonly permissions?: ReadonlyArray<Permission> | undefined
}

export class Roles extends Context.Service<
  Roles,
  {
    readonly list: Effect.Effect<ReadonlyArray<Role>, DatabaseError>
    readonly get: (name: string) => Effect.Effect<Role, UnknownRole | DatabaseError>
    /** A project-specific role next to the built-in ones. */
    readonly create: (role: {
      readonly name: string
      readonly description: string
      readonly permissions: ReadonlyArray<Permission>
    }) => Effect.Effect<Role, RoleAlreadyExists | DatabaseError>
    /**
     * Description and/or permissions of a project role. Signed-in staff holding it get the new
     * permissions on their next request (sessions read the role per request).
     */
    readonly update: (
      name: string,
      update: RoleUpdate,
    ) => Effect.Effect<
      { readonly before: Role; readonly after: Role },
      UnknownRole | BuiltInRoleReadOnly | DatabaseError
    >
    /** Deletes a project role no staff user holds; returns the removed role. */
    readonly remove: (
      name: string,
    ) => Effect.Effect<Role, UnknownRole | BuiltInRoleReadOnly | RoleInUse | DatabaseError>
  }
>()("@actionlog/store/auth/Roles") {
  static readonly layer = Layer.effect(
    Roles,
    Effect.gen(function* () {
      const db = yield* Database
      const list = Effect.map(
        db.query<RoleRow>(
          "SELECT name, description, permissions, built_in FROM roles ORDER BY built_in DESC, name",
        ),
        (rows) => rows.map(roleFromRow),
      )
      const get = Effect.fn("Roles.get")(function* (name: string) {
        const rows = yield* db.query<RoleRow>(
          "SELECT name, description, permissions, built_in FROM roles WHERE name = ?",
          [name],
        )
        const row = rows[0]
        if (row === undefined) {
          return yield* new UnknownRole({
            role: name,
            message: `Unknown role '${name}'`,
            path: ["role"],
          })
        }
        return roleFromRow(row)
      })
      const create = Effect.fn("Roles.create")(function* (role: {
        readonly name: string
        readonly description: string
        readonly permissions: ReadonlyArray<Permission>
      }) {
        const taken = yield* db.query("SELECT 1 FROM roles WHERE name = ?", [role.name])
        if (taken.length > 0) {
          return yield* new RoleAlreadyExists({
            role: role.name,
            message: `A role named '${role.name}' already exists`,
          })
        }
        const permissions = [...new Set(role.permissions)]
        yield* db.execute(
          "INSERT INTO roles (name, description, permissions, built_in) VALUES (?, ?, ?, 0)",
          [role.name, role.description, JSON.stringify(permissions)],
        )
        return { ...role, permissions, builtIn: false }
      })

      // The project role to change: unknown and built-in names are refused (path = the input's
      // `name`, which is how update and remove are called).
      const changeable = Effect.fnUntraced(function* (name: string, verb: string) {
        const role = yield* get(name).pipe(
          Effect.catchTag("UnknownRole", (e) =>
            Effect.fail(new UnknownRole({ role: e.role, message: e.message, path: ["name"] })),
          ),
        )
        if (role.builtIn) {
          return yield* new BuiltInRoleReadOnly({
            role: name,
            message: `'${name}' is a built-in role and cannot be ${verb}`,
            path: ["name"],
          })
        }
        return role
      })

      const update = Effect.fn("Roles.update")(function* (name: string, change: RoleUpdate) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const before = yield* changeable(name, "changed")
            const after: Role = {
              ...before,
              description: change.description ?? before.description,
              permissions:
                change.permissions === undefined
                  ? before.permissions
                  : [...new Set(change.permissions)],
            }
            yield* db.execute("UPDATE roles SET description = ?, permissions = ? WHERE name = ?", [
              after.description,
              JSON.stringify(after.permissions),
              name,
            ])
            return { before, after }
          }),
        )
      })

      const remove = Effect.fn("Roles.remove")(function* (name: string) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const role = yield* changeable(name, "removed")
            // Disabled users count too: they keep their role and may be enabled again.
            const held = yield* db.query<{ n: number }>(
              "SELECT COUNT(*) AS n FROM staff_users WHERE role = ?",
              [name],
            )
            const n = Number(held[0]?.n ?? 0)
            if (n > 0) {
              return yield* new RoleInUse({
                role: name,
                staffCount: n,
                message: `${n} staff ${n === 1 ? "user still holds" : "users still hold"} the role '${name}'; give them another role first`,
              })
            }
            yield* db.execute("DELETE FROM roles WHERE name = ?", [name])
            return role
          }),
        )
      })

      return Roles.of({ list, get, create, update, remove })
    }),
  )
}
