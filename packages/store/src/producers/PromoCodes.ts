/**
 * Promo codes (SPEC §5): pools of codes, imported or generated. Issuing one to a customer
 * records `PromoCodeIssued` (system); redeeming it, optionally within an order, records
 * `PromoCodeRedeemed` (personal). A code is issued at most once and redeemed at most once, also
 * under concurrent requests: both are conditional UPDATEs on the code's status inside the write
 * transaction that records the action.
 */
import { Customer, Errors, ProducerErrors, type Ids, type PromoCode } from "@actionlog/domain"
import { Clock, Context, Effect, Layer } from "effect"
import { randomBytes } from "node:crypto"
import { ActionStore } from "../ActionStore"
import { Customers } from "../Customers"
import { Database, type Row } from "../Database"
import type { DatabaseError } from "../DatabaseError"
import { makeId } from "../internal/ids"
import { num, optStr, str } from "../internal/rows"
import { envelope, recordOptions, tn, type ActionContext } from "./Shared"

export interface CreatePoolInput {
  readonly id?: string | undefined
  readonly name: string
  readonly description?: string | undefined
  /** Codes of this pool expire then (epoch ms). */
  readonly expiresAt?: number | undefined
}

export interface PoolView {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly expiresAt: number | null
  readonly createdAt: number
  readonly available: number
  readonly issued: number
  readonly redeemed: number
}

export interface CodeView {
  readonly code: string
  readonly poolId: string
  readonly status: PromoCode.PromoCodeStatus
  readonly customerId: string | null
  readonly issuedAt: number | null
  readonly redeemedAt: number | null
  readonly orderId: string | null
  readonly expiresAt: number | null
  readonly issueActionId: string | null
  readonly redeemActionId: string | null
}

export interface IssueInput extends ActionContext {
  readonly poolId: string
  readonly customer: Customer.CustomerRef
  /** Idempotency key: a retried issue answers the code issued the first time. */
  readonly transactionId?: Ids.TransactionId | undefined
}

export interface RedeemInput extends ActionContext {
  readonly code: string
  readonly customer: Customer.CustomerRef
  readonly orderId?: string | undefined
}

export interface CodeChange {
  readonly status: "recorded" | "alreadyProcessed"
  readonly code: CodeView
  readonly actionId: Ids.ActionId
}

const CODE_COLUMNS =
  "code, pool_id, status, customer_id, issued_at, redeemed_at, order_id, expires_at, issue_action_id, redeem_action_id"

const optNum = (r: Row, c: string) => (r[c] === null || r[c] === undefined ? null : num(r, c))

const rowToCode = (r: Row): CodeView => ({
  code: str(r, "code"),
  poolId: str(r, "pool_id"),
  status: str(r, "status") as PromoCode.PromoCodeStatus,
  customerId: optStr(r, "customer_id") ?? null,
  issuedAt: optNum(r, "issued_at"),
  redeemedAt: optNum(r, "redeemed_at"),
  orderId: optStr(r, "order_id") ?? null,
  expiresAt: optNum(r, "expires_at"),
  issueActionId: optStr(r, "issue_action_id") ?? null,
  redeemActionId: optStr(r, "redeem_action_id") ?? null,
})

// Unambiguous characters (no 0/O, 1/I/L) for generated codes.
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
const randomCode = (prefix: string, length: number) => {
  const bytes = randomBytes(length)
  let out = prefix
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length]
  return out
}

const rowToPool = (r: Row): PoolView => ({
  id: str(r, "id"),
  name: str(r, "name"),
  description: str(r, "description"),
  expiresAt: optNum(r, "expires_at"),
  createdAt: num(r, "created_at"),
  available: num(r, "available"),
  issued: num(r, "issued"),
  redeemed: num(r, "redeemed"),
})

export class PromoCodes extends Context.Service<
  PromoCodes,
  {
    readonly createPool: (
      input: CreatePoolInput,
    ) => Effect.Effect<PoolView, ProducerErrors.ProducerAlreadyExists | DatabaseError>
    readonly listPools: Effect.Effect<ReadonlyArray<PoolView>, DatabaseError>
    readonly getPool: (
      id: string,
    ) => Effect.Effect<PoolView, ProducerErrors.PromoPoolNotFound | DatabaseError>
    /** Import codes; all or nothing (a code that exists anywhere refuses the import). */
    readonly importCodes: (
      poolId: string,
      codes: ReadonlyArray<string>,
    ) => Effect.Effect<
      PoolView,
      ProducerErrors.PromoPoolNotFound | ProducerErrors.PromoCodeAlreadyExists | DatabaseError
    >
    /** Generate `count` random codes (`prefix` + `length` characters). */
    readonly generateCodes: (
      poolId: string,
      options: {
        readonly count: number
        readonly prefix?: string | undefined
        readonly length?: number | undefined
      },
    ) => Effect.Effect<PoolView, ProducerErrors.PromoPoolNotFound | DatabaseError>
    readonly issue: (
      input: IssueInput,
    ) => Effect.Effect<
      CodeChange,
      | ProducerErrors.PromoPoolNotFound
      | ProducerErrors.PromoPoolExhausted
      | Errors.InvalidPayload
      | Errors.CustomerNotFound
      | Errors.ActionRejection
      | DatabaseError
    >
    readonly redeem: (
      input: RedeemInput,
    ) => Effect.Effect<
      CodeChange,
      | ProducerErrors.PromoCodeNotFound
      | ProducerErrors.PromoCodeConflict
      | ProducerErrors.PromoCodeNotRedeemable
      | ProducerErrors.OrderNotFound
      | Errors.CustomerNotFound
      | Errors.ActionRejection
      | DatabaseError
    >
    readonly getCode: (
      code: string,
    ) => Effect.Effect<CodeView, ProducerErrors.PromoCodeNotFound | DatabaseError>
    readonly codesOfCustomer: (
      customer: Customer.CustomerRef,
    ) => Effect.Effect<ReadonlyArray<CodeView>, Errors.CustomerNotFound | DatabaseError>
  }
>()("@actionlog/store/PromoCodes") {
  static readonly layer = Layer.effect(
    PromoCodes,
    Effect.gen(function* () {
      const db = yield* Database
      const actions = yield* ActionStore
      const customers = yield* Customers

      const POOL_SELECT = `SELECT p.id, p.name, p.description, p.expires_at, p.created_at,
          (SELECT COUNT(*) FROM promo_codes c WHERE c.pool_id = p.id AND c.status = 'available') AS available,
          (SELECT COUNT(*) FROM promo_codes c WHERE c.pool_id = p.id AND c.status = 'issued') AS issued,
          (SELECT COUNT(*) FROM promo_codes c WHERE c.pool_id = p.id AND c.status = 'redeemed') AS redeemed
        FROM promo_pools p`
      const getPool = Effect.fn("PromoCodes.getPool")(function* (id: string) {
        const [row] = yield* db.query(`${POOL_SELECT} WHERE p.id = ?`, [id])
        if (row === undefined) return yield* new ProducerErrors.PromoPoolNotFound({ poolId: id })
        return rowToPool(row)
      })

      const listPools = Effect.map(
        db.query(`${POOL_SELECT} ORDER BY p.created_at DESC, p.id`),
        (rows) => rows.map(rowToPool),
      )

      const getCode = Effect.fn("PromoCodes.getCode")(function* (code: string) {
        const [row] = yield* db.query(`SELECT ${CODE_COLUMNS} FROM promo_codes WHERE code = ?`, [
          code,
        ])
        if (row === undefined) return yield* new ProducerErrors.PromoCodeNotFound({ code })
        return rowToCode(row)
      })

      const createPool = Effect.fn("PromoCodes.createPool")(function* (input: CreatePoolInput) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const id = input.id ?? makeId("pool")
            const exists = yield* db.query("SELECT 1 FROM promo_pools WHERE id = ?", [id])
            if (exists.length > 0) {
              return yield* new ProducerErrors.ProducerAlreadyExists({
                entity: "promo code pool",
                key: id,
              })
            }
            const now = yield* Clock.currentTimeMillis
            yield* db.execute(
              "INSERT INTO promo_pools (id, name, description, expires_at, created_at) VALUES (?, ?, ?, ?, ?)",
              [id, input.name, input.description ?? "", input.expiresAt ?? null, now],
            )
            return yield* getPool(id).pipe(Effect.catchTag("PromoPoolNotFound", Effect.die))
          }),
        )
      })

      const nextSeq = Effect.map(
        db.query<{ s: number | null }>("SELECT MAX(seq) AS s FROM promo_codes"),
        (rows) => (rows[0]?.s ?? 0) + 1,
      )

      const importCodes = Effect.fn("PromoCodes.importCodes")(function* (
        poolId: string,
        codes: ReadonlyArray<string>,
      ) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const pool = yield* getPool(poolId)
            const seen = new Set<string>()
            for (const [i, code] of codes.entries()) {
              const taken =
                seen.has(code) ||
                (yield* db.query("SELECT 1 FROM promo_codes WHERE code = ?", [code])).length > 0
              if (taken)
                return yield* new ProducerErrors.PromoCodeAlreadyExists({
                  code,
                  path: ["codes", i],
                })
              seen.add(code)
            }
            let seq = yield* nextSeq
            for (const code of codes) {
              yield* db.execute(
                "INSERT INTO promo_codes (code, pool_id, status, expires_at, seq) VALUES (?, ?, 'available', ?, ?)",
                [code, poolId, pool.expiresAt, seq++],
              )
            }
            return yield* getPool(poolId)
          }),
        )
      })

      const generateCodes = Effect.fn("PromoCodes.generateCodes")(function* (
        poolId: string,
        options: {
          readonly count: number
          readonly prefix?: string | undefined
          readonly length?: number | undefined
        },
      ) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const pool = yield* getPool(poolId)
            let seq = yield* nextSeq
            let made = 0
            while (made < options.count) {
              const code = randomCode(options.prefix ?? "", options.length ?? 10)
              // A collision (rare) is skipped and another code drawn.
              const r = yield* db.execute(
                "INSERT INTO promo_codes (code, pool_id, status, expires_at, seq) VALUES (?, ?, 'available', ?, ?) ON CONFLICT DO NOTHING",
                [code, poolId, pool.expiresAt, seq],
              )
              if (r.rowsAffected > 0) {
                made++
                seq++
              }
            }
            return yield* getPool(poolId)
          }),
        )
      })

      const issue = Effect.fn("PromoCodes.issue")(function* (input: IssueInput) {
        return yield* db.transaction(
          Effect.gen(function* () {
            yield* getPool(input.poolId)
            const customer = yield* customers.resolve(input.customer)
            if (input.transactionId !== undefined) {
              // A retry: answer the code issued the first time, issue nothing new.
              const [prior] = yield* db.query(
                `SELECT ${CODE_COLUMNS} FROM promo_codes WHERE issue_action_id = (SELECT id FROM actions WHERE transaction_id = ?)`,
                [input.transactionId],
              )
              if (prior !== undefined) {
                const code = rowToCode(prior)
                return {
                  status: "alreadyProcessed",
                  code,
                  actionId: code.issueActionId as Ids.ActionId,
                } satisfies CodeChange
              }
            }
            const now = yield* Clock.currentTimeMillis
            // The conditional UPDATE is the "issued once" guarantee: only an available code moves.
            const [candidate] = yield* db.query<{ code: string; expires_at: number | null }>(
              "SELECT code, expires_at FROM promo_codes WHERE pool_id = ? AND status = 'available' AND (expires_at IS NULL OR expires_at > ?) ORDER BY seq LIMIT 1",
              [input.poolId, now],
            )
            if (candidate === undefined) {
              return yield* new ProducerErrors.PromoPoolExhausted({ poolId: input.poolId })
            }
            const updated = yield* db.execute(
              "UPDATE promo_codes SET status = 'issued', customer_id = ?, issued_at = ? WHERE code = ? AND status = 'available'",
              [customer.id, now, candidate.code],
            )
            if (updated.rowsAffected !== 1) {
              return yield* new ProducerErrors.PromoPoolExhausted({ poolId: input.poolId })
            }
            const recorded = yield* actions.record(
              {
                customer: { id: customer.id },
                template: tn("PromoCodeIssued"),
                payload: {
                  code: candidate.code,
                  poolId: input.poolId,
                  ...(candidate.expires_at === null ? {} : { expiresAt: candidate.expires_at }),
                },
                ...envelope(input),
                ...(input.transactionId === undefined
                  ? {}
                  : { transactionId: input.transactionId }),
              },
              recordOptions(input),
            )
            if (recorded.status === "alreadyProcessed") {
              // The key belongs to another action (not an issue): refuse, rolling back the issue.
              return yield* Errors.InvalidPayload.at(
                ["transactionId"],
                "is already used by another action",
              )
            }
            yield* db.execute("UPDATE promo_codes SET issue_action_id = ? WHERE code = ?", [
              recorded.id,
              candidate.code,
            ])
            const code = yield* getCode(candidate.code).pipe(
              Effect.catchTag("PromoCodeNotFound", Effect.die),
            )
            return { status: "recorded", code, actionId: recorded.id } satisfies CodeChange
          }),
        )
      })

      const redeem = Effect.fn("PromoCodes.redeem")(function* (input: RedeemInput) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const before = yield* getCode(input.code)
            const customer = yield* customers.resolve(input.customer)
            if (before.status === "redeemed") {
              return yield* new ProducerErrors.PromoCodeConflict({
                code: input.code,
                status: "redeemed",
              })
            }
            if (before.status !== "issued") {
              return yield* new ProducerErrors.PromoCodeNotRedeemable({
                code: input.code,
                reason: "it was not issued to anyone",
              })
            }
            if (before.customerId !== customer.id) {
              return yield* new ProducerErrors.PromoCodeNotRedeemable({
                code: input.code,
                reason: "it was issued to another customer",
              })
            }
            const now = yield* Clock.currentTimeMillis
            if (before.expiresAt !== null && before.expiresAt <= now) {
              return yield* new ProducerErrors.PromoCodeNotRedeemable({
                code: input.code,
                reason: "it expired",
              })
            }
            if (input.orderId !== undefined) {
              const [order] = yield* db.query<{ customer_id: string }>(
                "SELECT customer_id FROM orders WHERE id = ?",
                [input.orderId],
              )
              if (order === undefined)
                return yield* new ProducerErrors.OrderNotFound({ orderId: input.orderId })
              if (order.customer_id !== customer.id) {
                return yield* new ProducerErrors.PromoCodeNotRedeemable({
                  code: input.code,
                  reason: `order "${input.orderId}" belongs to another customer`,
                })
              }
            }
            const updated = yield* db.execute(
              "UPDATE promo_codes SET status = 'redeemed', redeemed_at = ?, order_id = ? WHERE code = ? AND status = 'issued'",
              [now, input.orderId ?? null, input.code],
            )
            if (updated.rowsAffected !== 1) {
              return yield* new ProducerErrors.PromoCodeConflict({
                code: input.code,
                status: "redeemed",
              })
            }
            const recorded = yield* actions.record(
              {
                customer: { id: customer.id },
                template: tn("PromoCodeRedeemed"),
                payload: {
                  code: input.code,
                  poolId: before.poolId,
                  ...(input.orderId === undefined ? {} : { orderId: input.orderId }),
                },
                ...envelope(input),
              },
              recordOptions(input),
            )
            yield* db.execute("UPDATE promo_codes SET redeem_action_id = ? WHERE code = ?", [
              recorded.id,
              input.code,
            ])
            const code = yield* getCode(input.code).pipe(
              Effect.catchTag("PromoCodeNotFound", Effect.die),
            )
            return { status: "recorded", code, actionId: recorded.id } satisfies CodeChange
          }),
        )
      })

      const codesOfCustomer = Effect.fn("PromoCodes.codesOfCustomer")(function* (
        ref: Customer.CustomerRef,
      ) {
        const customer = yield* customers.resolve(ref)
        const rows = yield* db.query(
          `SELECT ${CODE_COLUMNS} FROM promo_codes WHERE customer_id = ? ORDER BY issued_at DESC, code`,
          [customer.id],
        )
        return rows.map(rowToCode)
      })

      return PromoCodes.of({
        createPool,
        listPools,
        getPool,
        importCodes,
        generateCodes,
        issue,
        redeem,
        getCode,
        codesOfCustomer,
      })
    }),
  )
}
