import { Effect, Schema } from "effect"
import { generatePassword, StaffUsers } from "@actionlog/store"
import { audited } from "../Audit"
import { Email, Id, input, Name, Password } from "../schemas"
import { procedure, router, run } from "../trpc"

const manage = () => procedure.requires({ scope: "admin", permission: "staff.manage" })

const setDisabled = (disabled: boolean) =>
  manage()
    .input(input(Schema.Struct({ id: Id })))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        StaffUsers.use((staff) =>
          audited(staff.update(input.id, { disabled }), ({ before, after }) => ({
            action: disabled ? "staff.disable" : "staff.enable",
            targetType: "staff",
            targetId: after.id,
            changes: { disabled: { before: before.disabled, after: after.disabled } },
          })),
        ).pipe(Effect.map((r) => r.after)),
      ),
    )

export const staffRouter = router({
  /**
   * Adds a staff user. Without `password`, one is generated and returned in this answer only.
   */
  create: manage()
    .input(
      input(
        Schema.Struct({
          email: Email,
          name: Name,
          role: Name,
          password: Schema.optional(Password),
        }),
      ),
    )
    .mutation(({ ctx, input }) => {
      const password = input.password ?? generatePassword()
      return run(
        ctx,
        StaffUsers.use((staff) =>
          audited(
            staff.create({ email: input.email, name: input.name, role: input.role, password }),
            (user) => ({
              action: "staff.create",
              targetType: "staff",
              targetId: user.id,
              changes: { email: user.email, name: user.name, role: user.role },
            }),
          ),
        ).pipe(
          Effect.map((staff) => ({
            staff,
            generatedPassword: input.password === undefined ? password : null,
          })),
        ),
      )
    }),

  list: manage().query(({ ctx }) =>
    run(
      ctx,
      StaffUsers.use((staff) => staff.list),
    ),
  ),

  updateRole: manage()
    .input(input(Schema.Struct({ id: Id, role: Name })))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        StaffUsers.use((staff) =>
          audited(staff.update(input.id, { role: input.role }), ({ before, after }) => ({
            action: "staff.updateRole",
            targetType: "staff",
            targetId: after.id,
            changes: { role: { before: before.role, after: after.role } },
          })),
        ).pipe(Effect.map((r) => r.after)),
      ),
    ),

  /** Sets a new generated password (returned once) and signs the user out everywhere. */
  resetPassword: manage()
    .input(input(Schema.Struct({ id: Id })))
    .mutation(({ ctx, input }) => {
      const password = generatePassword()
      return run(
        ctx,
        StaffUsers.use((staff) =>
          audited(staff.setPassword(input.id, password), () => ({
            action: "staff.resetPassword",
            targetType: "staff",
            targetId: input.id,
            changes: { password: "reset" },
          })),
        ).pipe(Effect.as({ generatedPassword: password })),
      )
    }),

  /** Signs the user out everywhere and refuses their sign-ins until enabled again. */
  disable: setDisabled(true),
  enable: setDisabled(false),
})
