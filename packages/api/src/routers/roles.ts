import { Effect, Schema } from "effect"
import { Permission, Roles } from "@actionlog/store"
import { audited } from "../Audit"
import { asNotFound } from "../errors"
import { input } from "../schemas"
import { procedure, router, run } from "../trpc"

const manage = () => procedure.requires({ scope: "admin", permission: "staff.manage" })

const Description = Schema.String.pipe(Schema.check(Schema.isMaxLength(500)))

const RoleName = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(/^[a-z][a-z0-9-]{0,49}$/, {
      expected: "a role name (lower-case letters, digits and '-', at most 50 characters)",
    }),
  ),
)

// The role is named by key here: an unknown one is a 404, not a bad input (built-in stays 400).
const unknownIsNotFound = <A, E extends { readonly _tag: string }, R>(
  effect: Effect.Effect<A, E, R>,
) => Effect.mapError(effect, (e) => (e["_tag"] === "UnknownRole" ? asNotFound(e) : e))

export const rolesRouter = router({
  /** Built-in and project roles with their permissions. */
  list: manage().query(({ ctx }) =>
    run(
      ctx,
      Roles.use((roles) => roles.list),
    ),
  ),

  /** A project role with any set of permissions (built-in roles cannot be changed). */
  create: manage()
    .input(
      input(
        Schema.Struct({
          name: RoleName,
          description: Description,
          permissions: Schema.Array(Permission),
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Roles.use((roles) =>
          audited(roles.create(input), (role) => ({
            action: "roles.create",
            targetType: "role",
            targetId: role.name,
            changes: { after: role },
          })),
        ),
      ),
    ),

  /** New description and/or permissions of a project role; staff holding it get them at once. */
  update: manage()
    .input(
      input(
        Schema.Struct({
          name: RoleName,
          description: Schema.optional(Description),
          permissions: Schema.optional(Schema.Array(Permission)),
        }),
      ),
    )
    .mutation(({ ctx, input }) => {
      const { name, ...change } = input
      return run(
        ctx,
        Roles.use((roles) =>
          audited(roles.update(name, change).pipe(unknownIsNotFound), (r) => ({
            action: "roles.update",
            targetType: "role",
            targetId: name,
            changes: r,
          })),
        ).pipe(Effect.map((r) => r.after)),
      )
    }),

  /** Deletes a project role that no staff user holds (`RoleInUse` otherwise). */
  remove: manage()
    .input(input(Schema.Struct({ name: RoleName })))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Roles.use((roles) =>
          audited(roles.remove(input.name).pipe(unknownIsNotFound), (role) => ({
            action: "roles.remove",
            targetType: "role",
            targetId: role.name,
            changes: { before: role, after: null },
          })),
        ),
      ),
    ),
})
