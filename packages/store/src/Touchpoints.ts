/**
 * Touchpoints: where actions happen. Deleting one sets its `deleted` flag: past actions keep
 * showing it, new actions are refused (`TouchpointDeleted`).
 */
import { Errors, type Ids, type Registry } from "@actionlog/domain"
import { Clock, Context, Effect, Layer } from "effect"
import { Database } from "./Database"
import type { DatabaseError } from "./DatabaseError"
import { makeId } from "./internal/ids"
import { RegistryCache, rowToTouchpoint } from "./RegistryCache"

export interface CreateTouchpointInput {
  readonly externalId: string
  readonly name: string
  readonly kind: Registry.TouchpointKind
  readonly channelId: Ids.ChannelId
  readonly brandId?: Ids.BrandId | undefined
}

export interface UpdateTouchpointInput {
  readonly externalId?: string | undefined
  readonly name?: string | undefined
  readonly kind?: Registry.TouchpointKind | undefined
  readonly channelId?: Ids.ChannelId | undefined
  /** `null` removes the brand. */
  readonly brandId?: Ids.BrandId | null | undefined
}

const COLUMNS = "id, external_id, name, kind, channel_id, brand_id, deleted"

type WriteError = Errors.AlreadyExists | Errors.UnknownChannel | Errors.UnknownBrand | DatabaseError

export class Touchpoints extends Context.Service<
  Touchpoints,
  {
    readonly create: (
      input: CreateTouchpointInput,
    ) => Effect.Effect<Registry.Touchpoint, WriteError>
    readonly update: (
      id: Ids.TouchpointId,
      input: UpdateTouchpointInput,
    ) => Effect.Effect<Registry.Touchpoint, WriteError | Errors.UnknownTouchpoint>
    /** Soft delete (idempotent). */
    readonly remove: (
      id: Ids.TouchpointId,
    ) => Effect.Effect<Registry.Touchpoint, Errors.UnknownTouchpoint | DatabaseError>
    readonly restore: (
      id: Ids.TouchpointId,
    ) => Effect.Effect<Registry.Touchpoint, Errors.UnknownTouchpoint | DatabaseError>
    readonly get: (
      id: Ids.TouchpointId,
    ) => Effect.Effect<Registry.Touchpoint, Errors.UnknownTouchpoint | DatabaseError>
    readonly getByExternalId: (
      externalId: string,
    ) => Effect.Effect<Registry.Touchpoint, Errors.UnknownTouchpoint | DatabaseError>
    /** Every touchpoint; deleted ones only with `includeDeleted`. */
    readonly list: (options?: {
      readonly includeDeleted?: boolean | undefined
    }) => Effect.Effect<ReadonlyArray<Registry.Touchpoint>, DatabaseError>
  }
>()("@actionlog/store/Touchpoints") {
  static readonly layer = Layer.effect(
    Touchpoints,
    Effect.gen(function* () {
      const db = yield* Database
      const cache = yield* RegistryCache

      const get = Effect.fn("Touchpoints.get")(function* (id: Ids.TouchpointId) {
        const [row] = yield* db.query(`SELECT ${COLUMNS} FROM touchpoints WHERE id = ?`, [id])
        if (row === undefined)
          return yield* new Errors.UnknownTouchpoint({ touchpoint: id, by: "id" })
        return rowToTouchpoint(row)
      })

      const getByExternalId = Effect.fn("Touchpoints.getByExternalId")(function* (
        externalId: string,
      ) {
        const [row] = yield* db.query(`SELECT ${COLUMNS} FROM touchpoints WHERE external_id = ?`, [
          externalId,
        ])
        if (row === undefined) {
          return yield* new Errors.UnknownTouchpoint({ touchpoint: externalId, by: "externalId" })
        }
        return rowToTouchpoint(row)
      })

      const checkRefs = (input: {
        readonly externalId?: string | undefined
        readonly channelId?: Ids.ChannelId | undefined
        readonly brandId?: Ids.BrandId | null | undefined
        readonly self?: string | undefined
      }) =>
        Effect.gen(function* () {
          if (input.externalId !== undefined) {
            const rows = yield* db.query("SELECT id FROM touchpoints WHERE external_id = ?", [
              input.externalId,
            ])
            if (rows.some((r) => r["id"] !== input.self)) {
              return yield* new Errors.AlreadyExists({
                entity: "touchpoint",
                key: input.externalId,
              })
            }
          }
          if (input.channelId !== undefined) {
            const rows = yield* db.query("SELECT 1 FROM channels WHERE id = ?", [input.channelId])
            if (rows.length === 0)
              return yield* new Errors.UnknownChannel({ channel: input.channelId })
          }
          if (input.brandId !== undefined && input.brandId !== null) {
            const rows = yield* db.query("SELECT 1 FROM brands WHERE id = ?", [input.brandId])
            if (rows.length === 0) return yield* new Errors.UnknownBrand({ brand: input.brandId })
          }
        })

      const create = Effect.fn("Touchpoints.create")(function* (input: CreateTouchpointInput) {
        return yield* db.transaction(
          Effect.gen(function* () {
            yield* checkRefs(input)
            const id = makeId("tp") as Ids.TouchpointId
            const now = yield* Clock.currentTimeMillis
            yield* db.execute(
              "INSERT INTO touchpoints (id, external_id, name, kind, channel_id, brand_id, deleted, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
              [
                id,
                input.externalId,
                input.name,
                input.kind,
                input.channelId,
                input.brandId ?? null,
                now,
              ],
            )
            yield* cache.bump
            return yield* get(id).pipe(Effect.catchTag("UnknownTouchpoint", Effect.die))
          }),
        )
      })

      const update = Effect.fn("Touchpoints.update")(function* (
        id: Ids.TouchpointId,
        input: UpdateTouchpointInput,
      ) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const before = yield* get(id)
            yield* checkRefs({ ...input, self: id })
            const brandId = input.brandId === undefined ? (before.brandId ?? null) : input.brandId
            yield* db.execute(
              "UPDATE touchpoints SET external_id = ?, name = ?, kind = ?, channel_id = ?, brand_id = ? WHERE id = ?",
              [
                input.externalId ?? before.externalId,
                input.name ?? before.name,
                input.kind ?? before.kind,
                input.channelId ?? before.channelId,
                brandId,
                id,
              ],
            )
            yield* cache.bump
            return yield* get(id)
          }),
        )
      })

      const setDeleted = (id: Ids.TouchpointId, deleted: boolean) =>
        db.transaction(
          Effect.gen(function* () {
            yield* get(id)
            yield* db.execute("UPDATE touchpoints SET deleted = ? WHERE id = ?", [
              deleted ? 1 : 0,
              id,
            ])
            yield* cache.bump
            return yield* get(id)
          }),
        )

      const list = (options?: { readonly includeDeleted?: boolean | undefined }) =>
        Effect.map(
          db.query(
            `SELECT ${COLUMNS} FROM touchpoints ${options?.includeDeleted === true ? "" : "WHERE deleted = 0"} ORDER BY name, id`,
          ),
          (rows) => rows.map(rowToTouchpoint),
        )

      return Touchpoints.of({
        create,
        update,
        remove: Effect.fn("Touchpoints.remove")((id: Ids.TouchpointId) => setDeleted(id, true)),
        restore: Effect.fn("Touchpoints.restore")((id: Ids.TouchpointId) => setDeleted(id, false)),
        get,
        getByExternalId,
        list,
      })
    }),
  )
}
