/**
 * Rewards and bonus points (SPEC §5). Issuing a reward records `RewardIssued`; every change of
 * a customer's bonus balance (per kind, credits with an expiry) records `BonusPointsChanged`
 * with the balance after it — both system actions, in the transaction of the change. The
 * balance never goes below 0 unless the kind allows it (domain rule `Bonus.applyBonusChange`).
 */
import { Bonus, Customer, Errors, ProducerErrors, type Ids } from "@actionlog/domain"
import { Clock, Context, Effect, Layer, Result } from "effect"
import { ActionStore } from "../ActionStore"
import { Customers } from "../Customers"
import { Database, type Row } from "../Database"
import type { DatabaseError } from "../DatabaseError"
import { makeId } from "../internal/ids"
import { num, optStr, str } from "../internal/rows"
import { envelope, recordOptions, tn, type ActionContext } from "./Shared"

export interface IssueRewardInput extends ActionContext {
  readonly customer: Customer.CustomerRef
  readonly reward: string
  readonly description?: string | undefined
  readonly amount?: number | undefined
}

export interface RewardView {
  readonly id: string
  readonly customerId: string
  readonly reward: string
  readonly description: string | null
  readonly amount: number | null
  readonly actionId: string
  readonly issuedAt: number
}

export interface BonusChangeInput extends ActionContext {
  readonly customer: Customer.CustomerRef
  /** Default `points`. */
  readonly kind?: string | undefined
  readonly delta: number
  readonly reason: string
  readonly orderId?: string | undefined
  /** Credits: when they expire (epoch ms); default: the kind's default expiry. */
  readonly expiresAt?: number | undefined
}

export interface BonusChangeView {
  readonly kind: string
  readonly delta: number
  readonly balanceAfter: number
  readonly reason: string
  readonly orderId: string | null
  readonly expiresAt: number | null
  readonly actionId: string
  readonly createdAt: number
}

export interface BonusBalance {
  readonly kind: string
  readonly balance: number
}

export type BonusError =
  | ProducerErrors.UnknownBonusKind
  | Bonus.InsufficientBonusBalance
  | Bonus.InvalidBonusChange
  | Errors.CustomerNotFound
  | Errors.ActionRejection
  | DatabaseError

const rowToKind = (r: Row): Bonus.BonusKind => {
  const days = r["default_expiry_days"]
  return {
    name: str(r, "name"),
    displayName: str(r, "display_name"),
    allowNegative: num(r, "allow_negative") === 1,
    ...(days === null || days === undefined ? {} : { defaultExpiryDays: Number(days) }),
  }
}

export class Rewards extends Context.Service<
  Rewards,
  {
    readonly issueReward: (
      input: IssueRewardInput,
    ) => Effect.Effect<
      { readonly reward: RewardView; readonly actionId: Ids.ActionId },
      Errors.CustomerNotFound | Errors.ActionRejection | DatabaseError
    >
    readonly rewardsOf: (
      customer: Customer.CustomerRef,
    ) => Effect.Effect<ReadonlyArray<RewardView>, Errors.CustomerNotFound | DatabaseError>
    readonly changeBonus: (
      input: BonusChangeInput,
    ) => Effect.Effect<
      { readonly change: BonusChangeView; readonly actionId: Ids.ActionId },
      BonusError
    >
    /** Balances per kind (kinds never touched are absent). */
    readonly balances: (
      customer: Customer.CustomerRef,
    ) => Effect.Effect<ReadonlyArray<BonusBalance>, Errors.CustomerNotFound | DatabaseError>
    /** Bonus changes, newest first. */
    readonly bonusHistory: (
      customer: Customer.CustomerRef,
    ) => Effect.Effect<ReadonlyArray<BonusChangeView>, Errors.CustomerNotFound | DatabaseError>
    /**
     * Take away credits that expired by `now` (default: the clock), recording one
     * `BonusPointsChanged` (reason `expired`) per customer and kind. Spending is counted against
     * the earliest-expiring credits first. Run it periodically (API `rewards.expireCredits`).
     */
    readonly expireCredits: (
      now?: number,
    ) => Effect.Effect<
      ReadonlyArray<BonusChangeView & { readonly customerId: string }>,
      Errors.ActionRejection | DatabaseError
    >
    readonly listKinds: Effect.Effect<ReadonlyArray<Bonus.BonusKind>, DatabaseError>
    readonly defineKind: (
      kind: Bonus.BonusKind,
    ) => Effect.Effect<Bonus.BonusKind, ProducerErrors.ProducerAlreadyExists | DatabaseError>
  }
>()("@actionlog/store/Rewards") {
  static readonly layer = Layer.effect(
    Rewards,
    Effect.gen(function* () {
      const db = yield* Database
      const actions = yield* ActionStore
      const customers = yield* Customers

      const issueReward = Effect.fn("Rewards.issueReward")(function* (input: IssueRewardInput) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const customer = yield* customers.resolve(input.customer)
            const recorded = yield* actions.record(
              {
                customer: { id: customer.id },
                template: tn("RewardIssued"),
                payload: {
                  reward: input.reward,
                  ...(input.description === undefined ? {} : { description: input.description }),
                  ...(input.amount === undefined ? {} : { amount: input.amount }),
                },
                ...envelope(input),
              },
              recordOptions(input),
            )
            const now = yield* Clock.currentTimeMillis
            const reward: RewardView = {
              id: makeId("rw"),
              customerId: customer.id,
              reward: input.reward,
              description: input.description ?? null,
              amount: input.amount ?? null,
              actionId: recorded.id,
              issuedAt: now,
            }
            yield* db.execute(
              "INSERT INTO rewards (id, customer_id, reward, description, amount, action_id, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
              [
                reward.id,
                reward.customerId,
                reward.reward,
                reward.description,
                reward.amount,
                reward.actionId,
                now,
              ],
            )
            return { reward, actionId: recorded.id }
          }),
        )
      })

      const rewardsOf = Effect.fn("Rewards.rewardsOf")(function* (ref: Customer.CustomerRef) {
        const customer = yield* customers.resolve(ref)
        const rows = yield* db.query(
          "SELECT id, customer_id, reward, description, amount, action_id, issued_at FROM rewards WHERE customer_id = ? ORDER BY issued_at DESC, id",
          [customer.id],
        )
        return rows.map((r): RewardView => ({
          id: str(r, "id"),
          customerId: str(r, "customer_id"),
          reward: str(r, "reward"),
          description: optStr(r, "description") ?? null,
          amount: r["amount"] === null || r["amount"] === undefined ? null : num(r, "amount"),
          actionId: str(r, "action_id"),
          issuedAt: num(r, "issued_at"),
        }))
      })

      const changeBonus = Effect.fn("Rewards.changeBonus")(function* (input: BonusChangeInput) {
        return yield* applyChange(input, false)
      })

      const applyChange = (input: BonusChangeInput, expiry: boolean) =>
        Effect.gen(function* () {
          const kindName = input.kind ?? "points"
          return yield* db.transaction(
            Effect.gen(function* () {
              const [kindRow] = yield* db.query("SELECT * FROM bonus_kinds WHERE name = ?", [
                kindName,
              ])
              if (kindRow === undefined)
                return yield* new ProducerErrors.UnknownBonusKind({ kind: kindName })
              const kind = rowToKind(kindRow)
              const customer = yield* customers.resolve(input.customer)
              const [bal] = yield* db.query<{ balance: number }>(
                "SELECT balance FROM bonus_balances WHERE customer_id = ? AND kind = ?",
                [customer.id, kindName],
              )
              const applied = Bonus.applyBonusChange(bal?.balance ?? 0, input.delta, kind)
              if (Result.isFailure(applied)) return yield* applied.failure
              const balanceAfter = applied.success
              const now = yield* Clock.currentTimeMillis
              const expiresAt = expiry
                ? undefined
                : Bonus.expiryFor(input.delta, kind, now, input.expiresAt)
              yield* db.execute(
                "INSERT INTO bonus_balances (customer_id, kind, balance) VALUES (?, ?, ?) ON CONFLICT (customer_id, kind) DO UPDATE SET balance = excluded.balance",
                [customer.id, kindName, balanceAfter],
              )
              const recorded = yield* actions.record(
                {
                  customer: { id: customer.id },
                  template: tn("BonusPointsChanged"),
                  payload: {
                    delta: input.delta,
                    balanceAfter,
                    reason: input.reason,
                    kind: kindName,
                    ...(input.orderId === undefined ? {} : { orderId: input.orderId }),
                    ...(expiresAt === undefined ? {} : { expiresAt }),
                  },
                  ...envelope(input),
                },
                recordOptions(input),
              )
              yield* db.execute(
                "INSERT INTO bonus_changes (customer_id, kind, delta, balance_after, reason, order_id, expires_at, expiry, action_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                  customer.id,
                  kindName,
                  input.delta,
                  balanceAfter,
                  input.reason,
                  input.orderId ?? null,
                  expiresAt ?? null,
                  expiry ? 1 : 0,
                  recorded.id,
                  now,
                ],
              )
              const change: BonusChangeView = {
                kind: kindName,
                delta: input.delta,
                balanceAfter,
                reason: input.reason,
                orderId: input.orderId ?? null,
                expiresAt: expiresAt ?? null,
                actionId: recorded.id,
                createdAt: now,
              }
              return { change, actionId: recorded.id }
            }),
          )
        })

      const expireCredits = Effect.fn("Rewards.expireCredits")(function* (at?: number) {
        const clock = yield* Clock.currentTimeMillis
        const now = at ?? clock
        return yield* db.transaction(
          Effect.gen(function* () {
            // Per customer and kind: credits expired by now, minus what was spent (spending
            // uses the earliest-expiring credits first), minus what already expired.
            const due = yield* db.query<{
              customer_id: string
              kind: string
              due: number
              balance: number
            }>(
              `SELECT c.customer_id, c.kind, b.balance,
                  SUM(CASE WHEN c.delta > 0 AND c.expires_at <= ?1 THEN c.delta ELSE 0 END)
                  + SUM(CASE WHEN c.delta < 0 THEN c.delta ELSE 0 END) AS due
                FROM bonus_changes c JOIN bonus_balances b ON b.customer_id = c.customer_id AND b.kind = c.kind
                WHERE EXISTS (SELECT 1 FROM bonus_changes x WHERE x.customer_id = c.customer_id AND x.kind = c.kind AND x.delta > 0 AND x.expires_at <= ?1)
                GROUP BY c.customer_id, c.kind`,
              [now],
            )
            const out: Array<BonusChangeView & { readonly customerId: string }> = []
            for (const row of due) {
              const amount = Math.round(Math.min(row.due, row.balance) * 100) / 100
              if (amount <= 0) continue
              const { change } = yield* applyChange(
                {
                  customer: { id: row.customer_id as Ids.CustomerId },
                  kind: row.kind,
                  delta: -amount,
                  reason: "expired",
                  occurredAt: new Date(Math.min(now, clock)).toISOString(),
                },
                true,
              ).pipe(
                // The customers exist (their balance row does) and the kind exists: a failure
                // here is a bug, not an input error.
                Effect.catchTags({
                  CustomerNotFound: Effect.die,
                  UnknownBonusKind: Effect.die,
                  InsufficientBonusBalance: Effect.die,
                  InvalidBonusChange: Effect.die,
                }),
              )
              out.push({ ...change, customerId: row.customer_id })
            }
            return out
          }),
        )
      })

      const balances = Effect.fn("Rewards.balances")(function* (ref: Customer.CustomerRef) {
        const customer = yield* customers.resolve(ref)
        const rows = yield* db.query(
          "SELECT kind, balance FROM bonus_balances WHERE customer_id = ? ORDER BY kind",
          [customer.id],
        )
        return rows.map((r): BonusBalance => ({ kind: str(r, "kind"), balance: num(r, "balance") }))
      })

      const bonusHistory = Effect.fn("Rewards.bonusHistory")(function* (ref: Customer.CustomerRef) {
        const customer = yield* customers.resolve(ref)
        const rows = yield* db.query(
          "SELECT kind, delta, balance_after, reason, order_id, expires_at, action_id, created_at FROM bonus_changes WHERE customer_id = ? ORDER BY seq DESC LIMIT 500",
          [customer.id],
        )
        return rows.map((r): BonusChangeView => ({
          kind: str(r, "kind"),
          delta: num(r, "delta"),
          balanceAfter: num(r, "balance_after"),
          reason: str(r, "reason"),
          orderId: optStr(r, "order_id") ?? null,
          expiresAt:
            r["expires_at"] === null || r["expires_at"] === undefined ? null : num(r, "expires_at"),
          actionId: str(r, "action_id"),
          createdAt: num(r, "created_at"),
        }))
      })

      const listKinds = Effect.map(db.query("SELECT * FROM bonus_kinds ORDER BY name"), (rows) =>
        rows.map(rowToKind),
      )

      const defineKind = Effect.fn("Rewards.defineKind")(function* (kind: Bonus.BonusKind) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const exists = yield* db.query("SELECT 1 FROM bonus_kinds WHERE name = ?", [kind.name])
            if (exists.length > 0) {
              return yield* new ProducerErrors.ProducerAlreadyExists({
                entity: "bonus kind",
                key: kind.name,
              })
            }
            yield* db.execute(
              "INSERT INTO bonus_kinds (name, display_name, allow_negative, default_expiry_days) VALUES (?, ?, ?, ?)",
              [
                kind.name,
                kind.displayName,
                kind.allowNegative ? 1 : 0,
                kind.defaultExpiryDays ?? null,
              ],
            )
            return kind
          }),
        )
      })

      return Rewards.of({
        issueReward,
        rewardsOf,
        changeBonus,
        balances,
        bonusHistory,
        expireCredits,
        listKinds,
        defineKind,
      })
    }),
  )
}
