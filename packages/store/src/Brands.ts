/** The brand registry (multi-brand projects). A brand's id is its system name. */
import { Errors, type Ids, type Registry } from "@actionlog/domain"
import { Clock, Context, Effect, Layer } from "effect"
import { Database } from "./Database"
import type { DatabaseError } from "./DatabaseError"
import { RegistryCache, rowToBrand } from "./RegistryCache"

export interface CreateBrandInput {
  readonly id: Ids.BrandId
  readonly name: string
  readonly industry?: string | undefined
}

export interface UpdateBrandInput {
  readonly name?: string | undefined
  readonly industry?: string | undefined
}

export class Brands extends Context.Service<
  Brands,
  {
    readonly create: (
      input: CreateBrandInput,
    ) => Effect.Effect<Registry.Brand, Errors.AlreadyExists | DatabaseError>
    readonly update: (
      id: Ids.BrandId,
      input: UpdateBrandInput,
    ) => Effect.Effect<Registry.Brand, Errors.UnknownBrand | DatabaseError>
    readonly get: (
      id: Ids.BrandId,
    ) => Effect.Effect<Registry.Brand, Errors.UnknownBrand | DatabaseError>
    readonly list: Effect.Effect<ReadonlyArray<Registry.Brand>, DatabaseError>
  }
>()("@actionlog/store/Brands") {
  static readonly layer = Layer.effect(
    Brands,
    Effect.gen(function* () {
      const db = yield* Database
      const cache = yield* RegistryCache

      const get = Effect.fn("Brands.get")(function* (id: Ids.BrandId) {
        const [row] = yield* db.query("SELECT id, name, industry FROM brands WHERE id = ?", [id])
        if (row === undefined) return yield* new Errors.UnknownBrand({ brand: id })
        return rowToBrand(row)
      })

      const create = Effect.fn("Brands.create")(function* (input: CreateBrandInput) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const exists = yield* db.query("SELECT 1 FROM brands WHERE id = ?", [input.id])
            if (exists.length > 0) {
              return yield* new Errors.AlreadyExists({ entity: "brand", key: input.id })
            }
            const now = yield* Clock.currentTimeMillis
            yield* db.execute(
              "INSERT INTO brands (id, name, industry, created_at) VALUES (?, ?, ?, ?)",
              [input.id, input.name, input.industry ?? "", now],
            )
            yield* cache.bump
            return {
              id: input.id,
              name: input.name,
              industry: input.industry ?? "",
            } as Registry.Brand
          }),
        )
      })

      const update = Effect.fn("Brands.update")(function* (
        id: Ids.BrandId,
        input: UpdateBrandInput,
      ) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const before = yield* get(id)
            const after = {
              ...before,
              ...(input.name === undefined ? {} : { name: input.name }),
              ...(input.industry === undefined ? {} : { industry: input.industry }),
            } as Registry.Brand
            yield* db.execute("UPDATE brands SET name = ?, industry = ? WHERE id = ?", [
              after.name,
              after.industry,
              id,
            ])
            yield* cache.bump
            return after
          }),
        )
      })

      const list = Effect.map(
        db.query("SELECT id, name, industry FROM brands ORDER BY name, id"),
        (rows) => rows.map(rowToBrand),
      )

      return Brands.of({ create, update, get, list })
    }),
  )
}
