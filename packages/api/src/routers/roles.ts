import { Schema } from "effect"
import { Permission, Roles } from "@actionlog/store"
import { audited } from "../Audit"
import { input } from "../schemas"
import { procedure, router, run } from "../trpc"

const manage = () => procedure.requires({ scope: "admin", permission: "staff.manage" })

const RoleName = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(/^[a-z][a-z0-9-]{0,49}$/, {
      expected: "a role name (lower-case letters, digits and '-', at most 50 characters)",
    }),
  ),
)

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
          description: Schema.String.pipe(Schema.check(Schema.isMaxLength(500))),
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
})
