import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Auth, AuthLayer, Database, Roles, StaffUsers } from "../src/index"
import { dbLayer } from "./helpers"

/** Roles, staff users and sessions over a fresh temp database file. */
const withAuth = <A, E, R>(body: Effect.Effect<A, E, R>) => {
  const t = dbLayer({}, { migrated: true })
  return body.pipe(
    Effect.provide(AuthLayer.pipe(Layer.provideMerge(t.layer))),
    Effect.ensuring(Effect.sync(t.cleanup)),
  )
}

const rolesTable = Database.use((db) => db.query("SELECT * FROM roles ORDER BY name"))

describe("project roles", () => {
  it.effect("update changes description and permissions; omitted fields stay", () =>
    withAuth(
      Effect.gen(function* () {
        const roles = yield* Roles
        yield* roles.create({ name: "clerk", description: "Clerk", permissions: ["actions.view"] })
        const described = yield* roles.update("clerk", { description: "Front desk" })
        assert.deepStrictEqual(described.before.description, "Clerk")
        assert.deepStrictEqual(described.after, {
          name: "clerk",
          description: "Front desk",
          permissions: ["actions.view"],
          builtIn: false,
        })
        const widened = yield* roles.update("clerk", {
          permissions: ["customers.edit", "audit.view", "audit.view"],
        })
        assert.deepStrictEqual(widened.after.permissions, ["customers.edit", "audit.view"])
        assert.deepStrictEqual(yield* roles.get("clerk"), {
          name: "clerk",
          description: "Front desk",
          permissions: ["customers.edit", "audit.view"],
          builtIn: false,
        })
      }),
    ),
  )

  it.effect("refuses built-in and unknown roles, changing nothing", () =>
    withAuth(
      Effect.gen(function* () {
        const roles = yield* Roles
        const before = yield* rolesTable
        for (const name of ["admin", "manager", "analyst", "support"]) {
          const edit = yield* Effect.flip(roles.update(name, { permissions: [] }))
          assert.strictEqual(edit["_tag"], "BuiltInRoleReadOnly")
          assert.include(edit.message, `'${name}' is a built-in role`)
          const remove = yield* Effect.flip(roles.remove(name))
          assert.strictEqual(remove["_tag"], "BuiltInRoleReadOnly")
        }
        const unknownEdit = yield* Effect.flip(roles.update("ghost", { description: "x" }))
        // The path names the input field of update/remove (`name`).
        assert.deepStrictEqual(
          [unknownEdit["_tag"], "path" in unknownEdit ? unknownEdit.path : null],
          ["UnknownRole", ["name"]],
        )
        const unknownRemove = yield* Effect.flip(roles.remove("ghost"))
        assert.strictEqual(unknownRemove["_tag"], "UnknownRole")
        assert.deepStrictEqual(yield* rolesTable, before)
      }),
    ),
  )

  it.effect("remove refuses a role staff still hold (disabled ones too), then deletes it", () =>
    withAuth(
      Effect.gen(function* () {
        const roles = yield* Roles
        const staff = yield* StaffUsers
        yield* roles.create({ name: "temp", description: "", permissions: [] })
        const a = yield* staff.create({
          email: "a@example.com",
          name: "A",
          role: "temp",
          password: "password-a",
        })
        const b = yield* staff.create({
          email: "b@example.com",
          name: "B",
          role: "temp",
          password: "password-b",
        })
        const two = yield* Effect.flip(roles.remove("temp"))
        assert.strictEqual(two["_tag"], "RoleInUse")
        if (two["_tag"] === "RoleInUse") {
          assert.strictEqual(two.staffCount, 2)
          assert.include(two.message, "2 staff users still hold the role 'temp'")
        }
        yield* staff.update(a.id, { role: "support" })
        yield* staff.update(b.id, { disabled: true })
        const one = yield* Effect.flip(roles.remove("temp"))
        assert.include(one.message, "1 staff user still holds the role 'temp'")
        assert.deepStrictEqual((yield* roles.get("temp")).name, "temp")
        yield* staff.update(b.id, { role: "analyst" })
        const removed = yield* roles.remove("temp")
        assert.deepStrictEqual(removed, {
          name: "temp",
          description: "",
          permissions: [],
          builtIn: false,
        })
        assert.strictEqual((yield* Effect.flip(roles.get("temp")))["_tag"], "UnknownRole")
        assert.notInclude(
          (yield* roles.list).map((r) => r.name),
          "temp",
        )
        // The name is free again.
        yield* roles.create({ name: "temp", description: "again", permissions: [] })
      }),
    ),
  )

  it.effect("a permission change reaches a signed-in session on its next request", () =>
    withAuth(
      Effect.gen(function* () {
        const roles = yield* Roles
        const staff = yield* StaffUsers
        const auth = yield* Auth
        yield* roles.create({ name: "desk", description: "", permissions: ["actions.view"] })
        yield* staff.create({
          email: "desk@example.com",
          name: "Desk",
          role: "desk",
          password: "desk-password",
        })
        const { token } = yield* auth.signIn({
          email: "desk@example.com",
          password: "desk-password",
          ip: null,
          userAgent: null,
          ttlSeconds: 3600,
        })
        const permissionsNow = Effect.map(
          auth.authenticate({ bearer: undefined, sessionToken: token }),
          (p) => (p.kind === "staff" ? p.permissions : []),
        )
        assert.deepStrictEqual(yield* permissionsNow, ["actions.view"])
        yield* roles.update("desk", { permissions: ["actions.view", "customers.edit"] })
        assert.deepStrictEqual(yield* permissionsNow, ["actions.view", "customers.edit"])
        yield* roles.update("desk", { permissions: [] })
        assert.deepStrictEqual(yield* permissionsNow, [])
      }),
    ),
  )
})
