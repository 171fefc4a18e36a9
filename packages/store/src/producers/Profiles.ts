/**
 * Customer profile producers beyond plain edits (edits are `Customers.update`, which already
 * records `ProfileEdited` / `ProfileCorrected` and nothing when nothing changed):
 *
 * - subscriptions per messaging channel and brand → `SubscriptionChanged` (only the entries
 *   that really change; no change, no action);
 * - merging two customers → `CustomersMerged` in the survivor's feed. The merged-away
 *   customer's actions, identifiers, orders, codes, rewards, bonus balances and notes move to
 *   the survivor; its id (and identifiers the survivor could not take over, because it already
 *   had one of that kind) redirect to the survivor, so later actions sent for them land there.
 */
import { Customer, Errors, ProducerErrors, type Ids, type Payloads } from "@actionlog/domain"
import { Clock, Context, Effect, Layer } from "effect"
import { ActionStore } from "../ActionStore"
import { Customers } from "../Customers"
import { Database } from "../Database"
import type { DatabaseError } from "../DatabaseError"
import { discoverReferences } from "../Erasure"
import { envelope, recordOptions, tn, type ActionContext } from "./Shared"

export interface SubscriptionUpdate {
  readonly profile: Customer.CustomerProfile
  /** The entries that changed (empty: nothing changed, nothing recorded). */
  readonly changes: ReadonlyArray<Customer.Subscription>
  readonly actionId?: Ids.ActionId
}

export interface MergeResult {
  readonly survivor: Customer.CustomerProfile
  readonly mergedId: string
  readonly movedActions: number
  readonly actionId: Ids.ActionId
}

/** Tables the merge handles itself (or that must keep pointing where they point). */
const notMoved = new Set([
  "actions",
  "customer_identifiers",
  "customer_redirects",
  "identifier_redirects",
  "bonus_balances",
])

type StoredProfile = Omit<
  Customer.CustomerProfile,
  "id" | "identifiers" | "createdAt" | "updatedAt"
>

const storedOf = (p: Customer.CustomerProfile): StoredProfile => ({
  personal: p.personal,
  subscriptions: p.subscriptions,
  tags: p.tags,
  customFields: p.customFields,
})

/** Profile fields of the merge: the survivor's values win, the other fills the gaps. */
const mergeProfiles = (
  survivor: Customer.CustomerProfile,
  merged: Customer.CustomerProfile,
): StoredProfile => {
  const subs = new Map<string, Customer.Subscription>()
  for (const s of [...merged.subscriptions, ...survivor.subscriptions])
    subs.set(`${s.brandId}\u0000${s.channel}`, s)
  return {
    personal: { ...merged.personal, ...survivor.personal },
    subscriptions: [...subs.values()],
    tags: [...new Set([...survivor.tags, ...merged.tags])],
    customFields: { ...merged.customFields, ...survivor.customFields },
  }
}

export class Profiles extends Context.Service<
  Profiles,
  {
    /** Set consent for some (channel, brand) pairs; records `SubscriptionChanged` if any changed. */
    readonly setSubscriptions: (
      customer: Customer.CustomerRef,
      subscriptions: ReadonlyArray<Customer.Subscription>,
      ctx?: ActionContext,
    ) => Effect.Effect<
      SubscriptionUpdate,
      Errors.CustomerNotFound | Errors.InvalidPayload | Errors.ActionRejection | DatabaseError
    >
    /** Merge `merged` into `survivor` (see the module comment). */
    readonly merge: (
      survivor: Customer.CustomerRef,
      merged: Customer.CustomerRef,
      ctx?: ActionContext,
    ) => Effect.Effect<
      MergeResult,
      Errors.CustomerNotFound | ProducerErrors.InvalidMerge | Errors.ActionRejection | DatabaseError
    >
  }
>()("@actionlog/store/Profiles") {
  static readonly layer = Layer.effect(
    Profiles,
    Effect.gen(function* () {
      const db = yield* Database
      const actions = yield* ActionStore
      const customers = yield* Customers

      const writeProfile = (id: string, stored: StoredProfile) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          yield* db.execute("UPDATE customers SET profile = ?, updated_at = ? WHERE id = ?", [
            JSON.stringify(stored),
            now,
            id,
          ])
        })

      const setSubscriptions = Effect.fn("Profiles.setSubscriptions")(function* (
        ref: Customer.CustomerRef,
        subscriptions: ReadonlyArray<Customer.Subscription>,
        ctx: ActionContext = {},
      ) {
        const keys = new Set<string>()
        for (const [i, s] of subscriptions.entries()) {
          const key = `${s.brandId}\u0000${s.channel}`
          if (keys.has(key)) {
            return yield* Errors.InvalidPayload.at(
              ["subscriptions", i],
              `channel "${s.channel}" of brand "${s.brandId}" is given twice`,
            )
          }
          keys.add(key)
        }
        return yield* db.transaction(
          Effect.gen(function* () {
            for (const [i, s] of subscriptions.entries()) {
              const brand = yield* db.query("SELECT 1 FROM brands WHERE id = ?", [s.brandId])
              if (brand.length === 0) {
                return yield* Errors.InvalidPayload.at(
                  ["subscriptions", i, "brandId"],
                  `unknown brand "${s.brandId}"`,
                )
              }
            }
            const before = yield* customers.resolve(ref)
            const current = new Map(
              before.subscriptions.map((s) => [`${s.brandId}\u0000${s.channel}`, s] as const),
            )
            const changes = subscriptions.filter(
              (s) => current.get(`${s.brandId}\u0000${s.channel}`)?.subscribed !== s.subscribed,
            )
            if (changes.length === 0)
              return { profile: before, changes } satisfies SubscriptionUpdate
            for (const s of changes) current.set(`${s.brandId}\u0000${s.channel}`, s)
            yield* writeProfile(before.id, {
              ...storedOf(before),
              subscriptions: [...current.values()],
            })
            const payload: typeof Payloads.SubscriptionChanged.Encoded = {
              changes: changes.map((c) => ({
                channel: c.channel,
                brandId: c.brandId,
                subscribed: c.subscribed,
              })),
            }
            const recorded = yield* actions.record(
              {
                customer: { id: before.id },
                template: tn("SubscriptionChanged"),
                payload: payload as unknown as Record<string, unknown>,
                ...envelope(ctx),
              },
              recordOptions(ctx),
            )
            const profile = yield* customers
              .get(before.id)
              .pipe(Effect.catchTag("CustomerNotFound", Effect.die))
            return { profile, changes, actionId: recorded.id } satisfies SubscriptionUpdate
          }),
        )
      })

      const merge = Effect.fn("Profiles.merge")(function* (
        survivorRef: Customer.CustomerRef,
        mergedRef: Customer.CustomerRef,
        ctx: ActionContext = {},
      ) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const survivor = yield* customers.resolve(survivorRef)
            const merged = yield* customers.resolve(mergedRef)
            if (survivor.id === merged.id) {
              return yield* new ProducerErrors.InvalidMerge({
                reason: `both references are customer ${survivor.id}`,
              })
            }
            const now = yield* Clock.currentTimeMillis
            // Identifiers: take over each kind the survivor lacks; the rest redirect.
            const survivorKinds = new Set(survivor.identifiers.map((i) => i.kind))
            for (const ident of merged.identifiers) {
              if (survivorKinds.has(ident.kind)) {
                yield* db.execute("DELETE FROM customer_identifiers WHERE kind = ? AND value = ?", [
                  ident.kind,
                  ident.value,
                ])
                yield* db.execute(
                  "INSERT INTO identifier_redirects (kind, value, customer_id) VALUES (?, ?, ?) ON CONFLICT (kind, value) DO UPDATE SET customer_id = excluded.customer_id",
                  [ident.kind, ident.value, survivor.id],
                )
              } else {
                yield* db.execute(
                  "UPDATE customer_identifiers SET customer_id = ? WHERE kind = ? AND value = ?",
                  [survivor.id, ident.kind, ident.value],
                )
              }
            }
            yield* writeProfile(survivor.id, mergeProfiles(survivor, merged))
            // The merged-away customer's history and producer state move to the survivor.
            const moved = yield* db.execute(
              "UPDATE actions SET customer_id = ? WHERE customer_id = ?",
              [survivor.id, merged.id],
            )
            // Every other table that references customers (ours and other capabilities', found
            // the way erasure finds them) follows; OR IGNORE keeps a per-customer unique row of
            // the survivor where both had one.
            const { customerRefs } = yield* discoverReferences(db)
            for (const ref of customerRefs) {
              if (notMoved.has(ref.table)) continue
              yield* db.execute(
                `UPDATE OR IGNORE "${ref.table}" SET "${ref.column}" = ? WHERE "${ref.column}" = ?`,
                [survivor.id, merged.id],
              )
            }
            yield* db.execute(
              `INSERT INTO bonus_balances (customer_id, kind, balance)
                 SELECT ?, kind, balance FROM bonus_balances WHERE customer_id = ?
               ON CONFLICT (customer_id, kind) DO UPDATE SET balance = bonus_balances.balance + excluded.balance`,
              [survivor.id, merged.id],
            )
            yield* db.execute("DELETE FROM bonus_balances WHERE customer_id = ?", [merged.id])
            // Redirects stay one hop: whatever pointed at the merged-away customer now points at
            // the survivor, and so does the merged-away id itself.
            yield* db.execute(
              "UPDATE customer_redirects SET customer_id = ? WHERE customer_id = ?",
              [survivor.id, merged.id],
            )
            yield* db.execute(
              "UPDATE identifier_redirects SET customer_id = ? WHERE customer_id = ?",
              [survivor.id, merged.id],
            )
            yield* db.execute(
              "INSERT INTO customer_redirects (from_id, customer_id, merged_at) VALUES (?, ?, ?)",
              [merged.id, survivor.id, now],
            )
            yield* db.execute("DELETE FROM customers WHERE id = ?", [merged.id])
            const recorded = yield* actions.record(
              {
                customer: { id: survivor.id },
                template: tn("CustomersMerged"),
                payload: {
                  mergedId: merged.id,
                  mergedIdentifiers: merged.identifiers.map((i) => ({
                    kind: i.kind,
                    value: i.value,
                  })),
                },
                ...envelope(ctx),
              },
              recordOptions(ctx),
            )
            const profile = yield* customers
              .get(survivor.id)
              .pipe(Effect.catchTag("CustomerNotFound", Effect.die))
            return {
              survivor: profile,
              mergedId: merged.id,
              movedActions: moved.rowsAffected,
              actionId: recorded.id,
            } satisfies MergeResult
          }),
        )
      })

      return Profiles.of({ setSubscriptions, merge })
    }),
  )
}
