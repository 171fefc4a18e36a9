import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { Auth, AuthLayer, Database, StaffUsers } from "../src/index"
import { signInLimits } from "../src/auth/SignInThrottle"
import { dbLayer } from "./helpers"
import { T0 } from "./support"

// The sign-in throttle (docs/api.md, "Sign-in limits"): 5 failures per email, 30 per IP, in
// any 15 minutes, kept in the database file.

const password = "right-password-1"

/** Auth over a fresh temp database file, a staff user `ann@example.com`, clock at T0. */
const withAuth = <A, E, R>(body: Effect.Effect<A, E, R>) => {
  const t = dbLayer({}, { migrated: true })
  return Effect.gen(function* () {
    yield* TestClock.setTime(T0)
    yield* StaffUsers.use((s) =>
      s.create({ email: "ann@example.com", name: "Ann", role: "admin", password }),
    )
    return yield* body
  }).pipe(
    Effect.provide(AuthLayer.pipe(Layer.provideMerge(t.layer))),
    Effect.ensuring(Effect.sync(t.cleanup)),
  )
}

const attempt = (email: string, pw: string, ip: string | null = "10.0.0.1") =>
  Auth.use((auth) => auth.signIn({ email, password: pw, ip, userAgent: null, ttlSeconds: 3600 }))

/** The error of an attempt that must fail. */
const refusal = (email: string, pw: string, ip: string | null = "10.0.0.1") =>
  Effect.flip(attempt(email, pw, ip))

const failuresStored = Effect.flatMap(Database, (db) =>
  Effect.map(
    db.query<{ n: number }>("SELECT COUNT(*) AS n FROM sign_in_failures"),
    (r) => r[0]?.n ?? 0,
  ),
)

const minutes = (n: number) => TestClock.adjust(`${n} minutes`)

describe("sign-in throttle", () => {
  it.effect("5 wrong passwords: the 6th attempt is refused even with the right password", () =>
    withAuth(
      Effect.gen(function* () {
        for (let i = 0; i < signInLimits.perEmail; i++) {
          const e = yield* refusal("ann@example.com", "wrong-password")
          assert.strictEqual(e._tag, "InvalidCredentials")
        }
        const refused = yield* refusal("ann@example.com", password)
        assert.strictEqual(refused._tag, "TooManySignInAttempts")
        assert.strictEqual(
          refused.message,
          "Too many failed sign-in attempts; try again in 15 minutes",
        )
        assert.strictEqual(
          refused._tag === "TooManySignInAttempts" && refused.retryAfterSeconds,
          900,
        )
        // The email is normalised, and a refused attempt is not recorded (no longer lockout).
        const again = yield* refusal("  ANN@Example.COM ", password, "10.9.9.9")
        assert.strictEqual(again._tag, "TooManySignInAttempts")
        assert.strictEqual(yield* failuresStored, 5)
        // Other accounts are not affected.
        yield* StaffUsers.use((s) =>
          s.create({ email: "bob@example.com", name: "Bob", role: "admin", password }),
        )
        const bob = yield* attempt("bob@example.com", password)
        assert.strictEqual(bob.principal.email, "bob@example.com")
      }),
    ),
  )

  it.effect("unknown emails count the same, with the same errors", () =>
    withAuth(
      Effect.gen(function* () {
        for (let i = 0; i < signInLimits.perEmail; i++) {
          const e = yield* refusal("nobody@example.com", "whatever-1")
          assert.deepStrictEqual(
            [e._tag, e.message],
            ["InvalidCredentials", "Wrong email or password"],
          )
        }
        const refused = yield* refusal("nobody@example.com", "whatever-1")
        assert.strictEqual(refused._tag, "TooManySignInAttempts")
        assert.strictEqual(
          refused.message,
          "Too many failed sign-in attempts; try again in 15 minutes",
        )
      }),
    ),
  )

  it.effect("the window slides: refused until the oldest counted failure is 15 minutes old", () =>
    withAuth(
      Effect.gen(function* () {
        // Failures at T0, +1, +2, +3, +4 minutes.
        for (let i = 0; i < 5; i++) {
          if (i > 0) yield* minutes(1)
          yield* refusal("ann@example.com", "wrong-password")
        }
        const early = yield* refusal("ann@example.com", password)
        assert.strictEqual(
          early._tag === "TooManySignInAttempts" && early.retryAfterSeconds,
          11 * 60,
        )
        // At T0+15 the first failure leaves the window: one more try, which fails again.
        yield* minutes(11)
        const wrong = yield* refusal("ann@example.com", "wrong-password")
        assert.strictEqual(wrong._tag, "InvalidCredentials")
        const next = yield* refusal("ann@example.com", password)
        assert.strictEqual(next._tag === "TooManySignInAttempts" && next.retryAfterSeconds, 60)
        assert.strictEqual(next.message, "Too many failed sign-in attempts; try again in 1 minute")
        // Expired rows are swept by the next attempt.
        yield* minutes(1)
        const ok = yield* attempt("ann@example.com", password)
        assert.strictEqual(ok.principal.email, "ann@example.com")
        // The success cleared the email's failures; nothing of the first ones is left either.
        assert.strictEqual(yield* failuresStored, 0)
      }),
    ),
  )

  it.effect("a successful sign-in clears the email's failures", () =>
    withAuth(
      Effect.gen(function* () {
        for (let i = 0; i < signInLimits.perEmail - 1; i++) {
          yield* refusal("ann@example.com", "wrong-password")
        }
        yield* attempt("ann@example.com", password)
        assert.strictEqual(yield* failuresStored, 0)
        // Five more wrong passwords are answered as such before the limit applies again.
        for (let i = 0; i < signInLimits.perEmail; i++) {
          const e = yield* refusal("ann@example.com", "wrong-password")
          assert.strictEqual(e._tag, "InvalidCredentials")
        }
        const refused = yield* refusal("ann@example.com", password)
        assert.strictEqual(refused._tag, "TooManySignInAttempts")
      }),
    ),
  )

  it.effect("30 failures from one IP across different emails refuse that IP only", () =>
    withAuth(
      Effect.gen(function* () {
        for (let i = 0; i < signInLimits.perIp; i++) {
          const e = yield* refusal(`probe-${i % 10}@example.com`, "guess", "203.0.113.7")
          assert.strictEqual(e._tag, "InvalidCredentials")
        }
        // Ann's own email has no failures, but the address is over its limit.
        const refused = yield* refusal("ann@example.com", password, "203.0.113.7")
        assert.strictEqual(refused._tag, "TooManySignInAttempts")
        assert.strictEqual(
          refused._tag === "TooManySignInAttempts" && refused.retryAfterSeconds,
          900,
        )
        // From another address (or with none, as the CLI) Ann signs in.
        yield* attempt("ann@example.com", password, "198.51.100.1")
        yield* attempt("ann@example.com", password, null)
        yield* minutes(15)
        yield* attempt("ann@example.com", password, "203.0.113.7")
      }),
    ),
  )

  it.effect("the limit holds across processes sharing the database file", () => {
    const t = dbLayer({}, { migrated: true })
    const other = Database.layer({ url: t.url, synchronous: "NORMAL" })
    return Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      yield* StaffUsers.use((s) =>
        s.create({ email: "ann@example.com", name: "Ann", role: "admin", password }),
      )
      for (let i = 0; i < signInLimits.perEmail; i++) {
        yield* refusal("ann@example.com", "wrong-password")
      }
      // A second, independent set of connections and services over the same file.
      const refused = yield* Effect.scoped(
        Effect.gen(function* () {
          // `fresh`: not the memoized services of this test's own layer.
          const ctx = yield* Layer.build(Layer.fresh(AuthLayer.pipe(Layer.provideMerge(other))))
          return yield* refusal("ann@example.com", password, "10.7.7.7").pipe(
            Effect.provideContext(ctx),
          )
        }),
      )
      assert.strictEqual(refused._tag, "TooManySignInAttempts")
    }).pipe(
      Effect.provide(AuthLayer.pipe(Layer.provideMerge(t.layer))),
      Effect.ensuring(Effect.sync(t.cleanup)),
    )
  })
})
