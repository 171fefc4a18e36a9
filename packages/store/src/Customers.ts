/**
 * Customer profiles. Identifiers live in `customer_identifiers` (one value per kind per
 * customer; a kind + value belongs to one customer); the rest of the profile is one JSON
 * document. A profile edit records its field diff as `ProfileEdited` (the customer's own edit)
 * or `ProfileCorrected` (staff) in the same transaction as the change; no change, no action.
 */
import { Customer, Errors, ProfileDiff, type Ids, type Registry } from "@actionlog/domain"
import { Clock, Context, Effect, Layer } from "effect"
import { ActionStore, type RecordedBy } from "./ActionStore"
import { Database, type Row } from "./Database"
import type { DatabaseError } from "./DatabaseError"
import { makeId } from "./internal/ids"
import { num, str } from "./internal/rows"

export interface CustomerInput {
  readonly identifiers?: ReadonlyArray<Customer.CustomerIdentifier> | undefined
  readonly personal?: Customer.PersonalData | undefined
  readonly subscriptions?: ReadonlyArray<Customer.Subscription> | undefined
  readonly tags?: ReadonlyArray<string> | undefined
  readonly customFields?: Readonly<Record<string, unknown>> | undefined
}

/** A partial update: see `Customer.ProfileChanges` (field level; `null` clears a field). */
export type ProfileChanges = Customer.ProfileChanges

/** Record the new customer's `CustomerRegistered` action with the profile (same transaction). */
export interface CreateOptions {
  readonly registered?:
    | {
        readonly method: "email" | "phone" | "social" | "other"
        readonly recordedBy?: RecordedBy | undefined
      }
    | undefined
}

export interface UpdateProfileOptions {
  /** `customer`: their own edit → `ProfileEdited`; `staff`: a correction → `ProfileCorrected`. */
  readonly by: "customer" | "staff"
  /** Why staff corrected the profile (goes into the `ProfileCorrected` payload). */
  readonly reason?: string | undefined
  readonly recordedBy?: RecordedBy | undefined
  readonly touchpoint?: Registry.TouchpointRef | undefined
  /** When the edit happened (ISO 8601; default now), e.g. the time a tracked identify call was made. */
  readonly occurredAt?: string | undefined
}

export interface ProfileUpdate {
  readonly profile: Customer.CustomerProfile
  /** The recorded `ProfileEdited` / `ProfileCorrected` action; absent when nothing changed. */
  readonly actionId?: Ids.ActionId
}

export interface SearchOptions {
  readonly limit?: number | undefined
}

type StoredProfile = Omit<
  Customer.CustomerProfile,
  "id" | "identifiers" | "createdAt" | "updatedAt"
>

const normalizeAll = (
  ids: ReadonlyArray<Customer.CustomerIdentifier>,
): ReadonlyArray<Customer.CustomerIdentifier> | Errors.InvalidPayload => {
  const out: Array<Customer.CustomerIdentifier> = []
  const kinds = new Set<string>()
  for (const [i, raw] of ids.entries()) {
    const id = Customer.normalizeIdentifier(raw)
    if (id.value === "") return Errors.InvalidPayload.at(["identifiers", i, "value"], "is empty")
    if (kinds.has(id.kind)) {
      return Errors.InvalidPayload.at(
        ["identifiers", i, "kind"],
        `a customer has one identifier of each kind; "${id.kind}" is given twice`,
      )
    }
    kinds.add(id.kind)
    out.push(id)
  }
  return out
}

const searchNameOf = (p: Customer.PersonalData | undefined): string | null => {
  const parts = [p?.firstName, p?.middleName, p?.lastName].filter(
    (x): x is string => x !== undefined && x.trim() !== "",
  )
  return parts.length === 0 ? null : parts.join(" ").trim().toLowerCase()
}

/**
 * The search terms of a name: the name from each word on ("zoe anna quinn" → itself,
 * "anna quinn", "quinn"), so a prefix search finds a customer by any of their names.
 */
export const nameTermsOf = (searchName: string | null): ReadonlyArray<string> => {
  if (searchName === null) return []
  const terms = new Set<string>()
  for (const match of searchName.matchAll(/\S+/g)) terms.add(searchName.slice(match.index))
  return [...terms]
}

export class Customers extends Context.Service<
  Customers,
  {
    readonly create: (
      input: CustomerInput,
    ) => Effect.Effect<
      Customer.CustomerProfile,
      Errors.IdentifierTaken | Errors.InvalidPayload | DatabaseError
    >
    /** `create`, with `options.registered` also recording `CustomerRegistered` (one transaction). */
    readonly createWith: (
      input: CustomerInput,
      options: CreateOptions,
    ) => Effect.Effect<
      Customer.CustomerProfile,
      Errors.IdentifierTaken | Errors.InvalidPayload | Errors.ActionRejection | DatabaseError
    >
    readonly get: (
      id: Ids.CustomerId | string,
    ) => Effect.Effect<Customer.CustomerProfile, Errors.CustomerNotFound | DatabaseError>
    readonly findByIdentifier: (
      identifier: Customer.CustomerIdentifier,
    ) => Effect.Effect<Customer.CustomerProfile, Errors.CustomerNotFound | DatabaseError>
    /** A customer by reference (`{ id }` or `{ identifier }`). */
    readonly resolve: (
      ref: Customer.CustomerRef,
    ) => Effect.Effect<Customer.CustomerProfile, Errors.CustomerNotFound | DatabaseError>
    /**
     * Display names of many customers at once (a page of a list): personal name, else the
     * first identifier. Unknown (erased) ids are left out.
     */
    readonly names: (
      ids: ReadonlyArray<string>,
    ) => Effect.Effect<ReadonlyArray<{ readonly id: string; readonly name: string }>, DatabaseError>
    /** Customers whose name or any identifier starts with `query` (case-insensitive name). */
    readonly search: (
      query: string,
      options?: SearchOptions,
    ) => Effect.Effect<ReadonlyArray<Customer.CustomerProfile>, DatabaseError>
    /**
     * Change the profile and record the diff as `ProfileEdited` / `ProfileCorrected` in the
     * same transaction (joins the caller's transaction when there is one).
     */
    readonly update: (
      id: Ids.CustomerId | string,
      changes: ProfileChanges,
      options: UpdateProfileOptions,
    ) => Effect.Effect<
      ProfileUpdate,
      | Errors.CustomerNotFound
      | Errors.IdentifierTaken
      | Errors.InvalidPayload
      | Errors.ActionRejection
      | DatabaseError
    >
  }
>()("@actionlog/store/Customers") {
  static readonly layer = Layer.effect(
    Customers,
    Effect.gen(function* () {
      const db = yield* Database
      const actions = yield* ActionStore

      const load = (rows: ReadonlyArray<Row>) =>
        Effect.gen(function* () {
          if (rows.length === 0) return []
          const ids = rows.map((r) => str(r, "id"))
          const idents = yield* db.query(
            `SELECT customer_id, kind, value FROM customer_identifiers WHERE customer_id IN (${ids.map(() => "?").join(", ")}) ORDER BY kind`,
            ids,
          )
          const byCustomer = new Map<string, Array<Customer.CustomerIdentifier>>()
          for (const r of idents) {
            const list = byCustomer.get(str(r, "customer_id")) ?? []
            list.push({ kind: str(r, "kind"), value: str(r, "value") })
            byCustomer.set(str(r, "customer_id"), list)
          }
          return rows.map((r) => {
            const stored = JSON.parse(str(r, "profile")) as StoredProfile
            return {
              id: str(r, "id") as Ids.CustomerId,
              identifiers: byCustomer.get(str(r, "id")) ?? [],
              personal: stored.personal ?? {},
              subscriptions: stored.subscriptions ?? [],
              tags: stored.tags ?? [],
              customFields: stored.customFields ?? {},
              createdAt: num(r, "created_at"),
              updatedAt: num(r, "updated_at"),
            } satisfies Customer.CustomerProfile
          })
        })

      const COLUMNS = "id, profile, created_at, updated_at"

      const get = Effect.fn("Customers.get")(function* (id: string) {
        // A merged-away id resolves to the survivor (customer_redirects, producers migration).
        const rows = yield* db.query(
          `SELECT ${COLUMNS} FROM customers WHERE id = COALESCE((SELECT id FROM customers WHERE id = ?1), (SELECT customer_id FROM customer_redirects WHERE from_id = ?1))`,
          [id],
        )
        const [profile] = yield* load(rows)
        if (profile === undefined)
          return yield* new Errors.CustomerNotFound({ customer: `id:${id}` })
        return profile
      })

      const findByIdentifier = Effect.fn("Customers.findByIdentifier")(function* (
        identifier: Customer.CustomerIdentifier,
      ) {
        const n = Customer.normalizeIdentifier(identifier)
        const rows = yield* db.query(
          // Identifiers a merge survivor could not take over redirect to it (identifier_redirects).
          `SELECT ${COLUMNS} FROM customers WHERE id = COALESCE((SELECT customer_id FROM customer_identifiers WHERE kind = ?1 AND value = ?2), (SELECT customer_id FROM identifier_redirects WHERE kind = ?1 AND value = ?2))`,
          [n.kind, n.value],
        )
        const [profile] = yield* load(rows)
        if (profile === undefined) {
          return yield* new Errors.CustomerNotFound({ customer: `${n.kind}:${n.value}` })
        }
        return profile
      })

      const resolve = (ref: Customer.CustomerRef) =>
        "id" in ref ? get(ref.id) : findByIdentifier(ref.identifier)

      /** Replace the name search terms of a customer (inside the caller's transaction). */
      const writeNameTerms = (customerId: string, searchName: string | null) =>
        Effect.gen(function* () {
          yield* db.execute("DELETE FROM customer_name_terms WHERE customer_id = ?", [customerId])
          for (const term of nameTermsOf(searchName)) {
            yield* db.execute("INSERT INTO customer_name_terms (term, customer_id) VALUES (?, ?)", [
              term,
              customerId,
            ])
          }
        })

      /** Write the identifiers of a customer (replacing all of them). */
      const writeIdentifiers = (
        customerId: string,
        identifiers: ReadonlyArray<Customer.CustomerIdentifier>,
      ) =>
        Effect.gen(function* () {
          for (const id of identifiers) {
            const [owner] = yield* db.query(
              "SELECT customer_id FROM customer_identifiers WHERE kind = ? AND value = ?",
              [id.kind, id.value],
            )
            if (owner !== undefined && owner["customer_id"] !== customerId) {
              return yield* new Errors.IdentifierTaken({ kind: id.kind, value: id.value })
            }
          }
          yield* db.execute("DELETE FROM customer_identifiers WHERE customer_id = ?", [customerId])
          for (const id of identifiers) {
            yield* db.execute(
              "INSERT INTO customer_identifiers (kind, value, customer_id) VALUES (?, ?, ?)",
              [id.kind, id.value, customerId],
            )
          }
        })

      const createWith = Effect.fn("Customers.create")(function* (
        input: CustomerInput,
        options: CreateOptions,
      ) {
        const identifiers = normalizeAll(input.identifiers ?? [])
        if (identifiers instanceof Errors.InvalidPayload) return yield* identifiers
        return yield* db.transaction(
          Effect.gen(function* () {
            const id = makeId("c")
            const now = yield* Clock.currentTimeMillis
            const stored: StoredProfile = {
              personal: input.personal ?? {},
              subscriptions: input.subscriptions ?? [],
              tags: input.tags ?? [],
              customFields: input.customFields ?? {},
            }
            const searchName = searchNameOf(stored.personal)
            yield* db.execute(
              "INSERT INTO customers (id, profile, search_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
              [id, JSON.stringify(stored), searchName, now, now],
            )
            yield* writeNameTerms(id, searchName)
            yield* writeIdentifiers(id, identifiers)
            if (options.registered !== undefined)
              yield* actions.record(
                {
                  customer: { id: id as Ids.CustomerId },
                  template: "CustomerRegistered" as Ids.TemplateName,
                  payload: { method: options.registered.method, identifiers },
                },
                options.registered.recordedBy === undefined
                  ? undefined
                  : { recordedBy: options.registered.recordedBy },
              )
            // Just inserted in this transaction: not finding it would be a bug.
            return yield* get(id).pipe(Effect.catchTag("CustomerNotFound", Effect.die))
          }),
        )
      })

      const search = Effect.fn("Customers.search")(function* (
        query: string,
        options?: SearchOptions,
      ) {
        const q = query.trim()
        if (q === "") return []
        const limit = Math.max(1, Math.min(100, options?.limit ?? 20))
        const lower = q.toLowerCase()
        // Prefix ranges keep both lookups on an index.
        const rows = yield* db.query(
          `SELECT ${COLUMNS} FROM customers WHERE id IN (
             SELECT customer_id FROM customer_name_terms WHERE term >= ?1 AND term < ?1 || char(1114111)
             UNION SELECT customer_id FROM customer_identifiers WHERE value >= ?1 AND value < ?1 || char(1114111)
             UNION SELECT customer_id FROM customer_identifiers WHERE value >= ?2 AND value < ?2 || char(1114111)
             UNION SELECT id FROM customers WHERE id = ?2
           ) ORDER BY search_name, id LIMIT ?3`,
          [lower, q, limit],
        )
        return yield* load(rows)
      })

      const names = Effect.fn("Customers.names")(function* (ids: ReadonlyArray<string>) {
        if (ids.length === 0) return []
        const rows = yield* db.query(
          `SELECT ${COLUMNS} FROM customers WHERE id IN (SELECT value FROM json_each(?))`,
          [JSON.stringify([...new Set(ids)])],
        )
        const profiles = yield* load(rows)
        return profiles.map((p) => {
          const personal = [p.personal.firstName, p.personal.lastName].filter(Boolean).join(" ")
          return { id: p.id as string, name: personal || (p.identifiers[0]?.value ?? p.id) }
        })
      })

      const update = Effect.fn("Customers.update")(function* (
        id: string,
        changes: ProfileChanges,
        options: UpdateProfileOptions,
      ) {
        const identifiers =
          changes.identifiers === undefined ? undefined : normalizeAll(changes.identifiers)
        if (identifiers instanceof Errors.InvalidPayload) return yield* identifiers
        return yield* db.transaction(
          Effect.gen(function* () {
            const before = yield* get(id)
            const after = Customer.applyProfileChanges(before, {
              ...changes,
              ...(identifiers === undefined ? {} : { identifiers }),
            })
            const payload =
              options.by === "customer"
                ? ProfileDiff.profileEditedPayload(before, after)
                : ProfileDiff.profileCorrectedPayload(before, after, options.reason)
            if (payload === undefined) return { profile: before } satisfies ProfileUpdate
            const now = yield* Clock.currentTimeMillis
            const stored: StoredProfile = {
              personal: after.personal,
              subscriptions: after.subscriptions,
              tags: after.tags,
              customFields: after.customFields,
            }
            const searchName = searchNameOf(after.personal)
            yield* db.execute(
              "UPDATE customers SET profile = ?, search_name = ?, updated_at = ? WHERE id = ?",
              [JSON.stringify(stored), searchName, now, id],
            )
            yield* writeNameTerms(id, searchName)
            if (identifiers !== undefined) yield* writeIdentifiers(id, identifiers)
            const recorded = yield* actions.record(
              {
                customer: { id: before.id },
                template: (options.by === "customer"
                  ? "ProfileEdited"
                  : "ProfileCorrected") as Ids.TemplateName,
                payload: payload as unknown as Record<string, unknown>,
                ...(options.touchpoint === undefined ? {} : { touchpoint: options.touchpoint }),
                ...(options.occurredAt === undefined ? {} : { occurredAt: options.occurredAt }),
              },
              options.recordedBy === undefined ? undefined : { recordedBy: options.recordedBy },
            )
            const profile = yield* get(id).pipe(Effect.catchTag("CustomerNotFound", Effect.die))
            return { profile, actionId: recorded.id } satisfies ProfileUpdate
          }),
        )
      })

      // Without `registered` no action is recorded, so no action can be rejected.
      const create = (input: CustomerInput) =>
        createWith(input, {}) as Effect.Effect<
          Customer.CustomerProfile,
          Errors.IdentifierTaken | Errors.InvalidPayload | DatabaseError
        >

      return Customers.of({
        create,
        createWith,
        get,
        findByIdentifier,
        resolve,
        names,
        search,
        update,
      })
    }),
  )
}
