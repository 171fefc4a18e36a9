import { Effect, Schema } from "effect"
import { Auth, InvalidCredentials, StaffUsers } from "@actionlog/store"
import type { Principal } from "@actionlog/store"
import { audited } from "../Audit"
import { Email, input, Password } from "../schemas"
import { procedure, router, run } from "../trpc"

/** What `auth.me` and `auth.signIn` tell the caller about itself. */
export type Me =
  | {
      readonly kind: "staff"
      readonly id: string
      readonly email: string
      readonly name: string
      readonly role: string
      readonly permissions: ReadonlyArray<string>
    }
  | {
      readonly kind: "apiKey"
      readonly id: string
      readonly name: string
      readonly scopes: ReadonlyArray<string>
    }

const describe = (p: Principal): Me =>
  p.kind === "staff"
    ? {
        kind: "staff",
        id: p.id,
        email: p.email,
        name: p.name,
        role: p.role,
        permissions: p.permissions,
      }
    : { kind: "apiKey", id: p.id, name: p.name, scopes: p.scopes }

export const authRouter = router({
  /** Staff sign-in: sets the HttpOnly session cookie. The one mutation open to anonymous callers. */
  signIn: procedure
    .public()
    .input(
      input(
        Schema.Struct({
          email: Email,
          password: Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(200))),
        }),
      ),
    )
    .mutation(async ({ ctx, input }) => {
      const result = await run(
        ctx,
        Auth.use((auth) =>
          auth.signIn({
            email: input.email,
            password: input.password,
            ip: ctx.ip,
            userAgent: ctx.userAgent ?? null,
            ttlSeconds: ctx.sessionTtlSeconds,
          }),
        ),
      )
      ctx.setSessionCookie(result.token)
      return describe(result.principal)
    }),

  /** Ends the caller's staff session (and clears the cookie); a no-op for API keys. */
  signOut: procedure.authenticated().mutation(async ({ ctx }) => {
    const caller = ctx.caller
    if (caller.kind === "staff") {
      await run(
        ctx,
        Auth.use((auth) => auth.signOut(caller.sessionId)),
      )
      ctx.setSessionCookie(null)
    }
    return { signedOut: caller.kind === "staff" }
  }),

  /**
   * A signed-in staff user changes their own password. Every session of the user ends
   * (including this one): sign in again with the new password.
   */
  changePassword: procedure
    .authenticated()
    .input(
      input(
        Schema.Struct({
          currentPassword: Schema.String.pipe(Schema.check(Schema.isMaxLength(200))),
          newPassword: Password,
        }),
      ),
    )
    .mutation(async ({ ctx, input }) => {
      const caller = ctx.caller
      await run(
        ctx,
        Effect.gen(function* () {
          if (caller.kind !== "staff") {
            return yield* new InvalidCredentials({ message: "Only staff users have passwords" })
          }
          const staff = yield* StaffUsers
          const ok = yield* staff.verify(caller.email, input.currentPassword)
          if (ok === undefined) {
            return yield* new InvalidCredentials({ message: "The current password is wrong" })
          }
          yield* audited(staff.setPassword(caller.id, input.newPassword), () => ({
            action: "auth.changePassword",
            targetType: "staff",
            targetId: caller.id,
            changes: { password: "changed" },
          }))
        }),
      )
      ctx.setSessionCookie(null)
      return { signedOut: true }
    }),

  /** Who the caller is: the staff user and their permissions, or the API key and its scopes. */
  me: procedure.authenticated().query(({ ctx }) => describe(ctx.caller)),
})
