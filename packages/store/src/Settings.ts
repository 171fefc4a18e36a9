/**
 * Project settings: multi-brand on/off, the default brand, the default touchpoint. Turning
 * multi-brand on changes nothing already recorded: single-brand actions were stored with the
 * default brand and keep it.
 */
import { Errors, type Ids, type Registry } from "@actionlog/domain"
import { Context, Effect, Layer } from "effect"
import { Database } from "./Database"
import type { DatabaseError } from "./DatabaseError"
import { json, num } from "./internal/rows"
import { RegistryCache } from "./RegistryCache"

export interface UpdateSettingsInput {
  readonly multiBrand?: boolean | undefined
  readonly defaultBrandId?: Ids.BrandId | undefined
  /** `null` removes the default touchpoint (actions without one are then rejected). */
  readonly defaultTouchpointId?: Ids.TouchpointId | null | undefined
}

export class Settings extends Context.Service<
  Settings,
  {
    readonly get: Effect.Effect<Registry.ProjectSettings, DatabaseError>
    readonly update: (
      input: UpdateSettingsInput,
    ) => Effect.Effect<
      Registry.ProjectSettings,
      Errors.UnknownBrand | Errors.UnknownTouchpoint | Errors.TouchpointDeleted | DatabaseError
    >
  }
>()("@actionlog/store/Settings") {
  static readonly layer = Layer.effect(
    Settings,
    Effect.gen(function* () {
      const db = yield* Database
      const cache = yield* RegistryCache

      const get = Effect.map(
        db.query("SELECT value FROM settings WHERE key = 'project'"),
        ([row]) =>
          row === undefined
            ? ({ multiBrand: false, defaultBrandId: "default" } as Registry.ProjectSettings)
            : json<Registry.ProjectSettings>(row, "value"),
      )

      const update = Effect.fn("Settings.update")(function* (input: UpdateSettingsInput) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const before = yield* get
            if (input.defaultBrandId !== undefined) {
              const rows = yield* db.query("SELECT 1 FROM brands WHERE id = ?", [
                input.defaultBrandId,
              ])
              if (rows.length === 0)
                return yield* new Errors.UnknownBrand({ brand: input.defaultBrandId })
            }
            if (input.defaultTouchpointId !== undefined && input.defaultTouchpointId !== null) {
              const [row] = yield* db.query("SELECT deleted FROM touchpoints WHERE id = ?", [
                input.defaultTouchpointId,
              ])
              if (row === undefined) {
                return yield* new Errors.UnknownTouchpoint({
                  touchpoint: input.defaultTouchpointId,
                  by: "id",
                })
              }
              if (num(row, "deleted") === 1) {
                return yield* new Errors.TouchpointDeleted({
                  touchpoint: input.defaultTouchpointId,
                })
              }
            }
            const defaultTouchpointId =
              input.defaultTouchpointId === undefined
                ? before.defaultTouchpointId
                : (input.defaultTouchpointId ?? undefined)
            const after: Registry.ProjectSettings = {
              multiBrand: input.multiBrand ?? before.multiBrand,
              defaultBrandId: input.defaultBrandId ?? before.defaultBrandId,
              ...(defaultTouchpointId === undefined ? {} : { defaultTouchpointId }),
            }
            yield* db.execute(
              "INSERT INTO settings (key, value) VALUES ('project', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
              [JSON.stringify(after)],
            )
            yield* cache.bump
            return after
          }),
        )
      })

      return Settings.of({ get, update })
    }),
  )
}
