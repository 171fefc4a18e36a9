/**
 * Bonus points (pure rules). A customer has one balance per bonus kind; every change is a
 * delta with a reason (and, for credits, an optional expiry). The balance never goes below 0
 * unless the kind allows it (e.g. a credit line).
 */
import { Result, Schema } from "effect"

/** A bonus kind's system name: `points`, `cashback`, `credit`… */
export const BonusKindName = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, {
      expected: "a bonus kind name (a letter, then letters, digits, '_' or '-')",
    }),
  ),
)
export type BonusKindName = typeof BonusKindName.Type

export const BonusKind = Schema.Struct({
  name: BonusKindName,
  displayName: Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(200))),
  /** A credit-like kind: the balance may go below 0. */
  allowNegative: Schema.Boolean,
  /** Credits of this kind expire after this many days unless the change says otherwise. */
  defaultExpiryDays: Schema.optionalKey(Schema.Int.pipe(Schema.check(Schema.isGreaterThan(0)))),
})
export type BonusKind = typeof BonusKind.Type

/** The kinds every project has (migration 0003 stores them). */
export const builtInBonusKinds: ReadonlyArray<BonusKind> = [
  { name: "points", displayName: "Bonus points", allowNegative: false, defaultExpiryDays: 365 },
  { name: "credit", displayName: "Store credit", allowNegative: true },
]

/** The change would take the balance below 0 and the kind does not allow that. */
export class InsufficientBonusBalance extends Schema.TaggedError<InsufficientBonusBalance>()(
  "InsufficientBonusBalance",
  { kind: Schema.String, balance: Schema.Finite, delta: Schema.Finite },
) {
  override get message(): string {
    return `Bonus balance "${this.kind}" is ${this.balance}; a change of ${this.delta} would make it negative`
  }
}

/** A delta of 0 changes nothing and records nothing: refused. */
export class InvalidBonusChange extends Schema.TaggedError<InvalidBonusChange>()(
  "InvalidBonusChange",
  { reason: Schema.String, path: Schema.Array(Schema.Union([Schema.String, Schema.Number])) },
) {
  override get message(): string {
    return this.reason
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100

/** The balance after `delta`, or why the change is refused. */
export const applyBonusChange = (
  balance: number,
  delta: number,
  kind: Pick<BonusKind, "name" | "allowNegative">,
): Result.Result<number, InsufficientBonusBalance | InvalidBonusChange> => {
  if (!Number.isFinite(delta) || delta === 0) {
    return Result.fail(
      new InvalidBonusChange({ reason: "delta must be a non-zero number", path: ["delta"] }),
    )
  }
  const after = round2(balance + delta)
  if (after < 0 && !kind.allowNegative) {
    return Result.fail(new InsufficientBonusBalance({ kind: kind.name, balance, delta }))
  }
  return Result.succeed(after)
}

/**
 * When a credit expires: the given time, else now + the kind's default expiry; debits and
 * kinds without a default never expire (`undefined`).
 */
export const expiryFor = (
  delta: number,
  kind: Pick<BonusKind, "defaultExpiryDays">,
  nowMs: number,
  given?: number,
): number | undefined => {
  if (delta <= 0) return undefined
  if (given !== undefined) return given
  return kind.defaultExpiryDays === undefined
    ? undefined
    : nowMs + kind.defaultExpiryDays * 24 * 3600 * 1000
}
