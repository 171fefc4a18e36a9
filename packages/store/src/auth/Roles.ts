import { Context, Effect, Layer, Schema } from "effect"
import { Database } from "../Database"
import type { DatabaseError } from "../DatabaseError"
import { RoleAlreadyExists, UnknownRole } from "./Errors"
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
      return Roles.of({ list, get, create })
    }),
  )
}
