/**
 * In-process copy of the registries (settings, brands, channels, touchpoints, templates) for
 * the recording hot path. Correct across processes: every registry write changes the
 * `registry_version` row in the same transaction, and `current` compares that row (one
 * indexed read) before using the copy, reloading when another writer changed something.
 * Internal to the package.
 */
import { Catalog, Registry, type Template } from "@actionlog/domain"
import { Context, Effect, Layer } from "effect"
import { Database, type Row } from "./Database"
import type { DatabaseError } from "./DatabaseError"
import { randomInt } from "node:crypto"
import { json, num, optStr, str } from "./internal/rows"

export interface RegistrySnapshot {
  readonly version: number
  readonly settings: Registry.ProjectSettings
  readonly brands: ReadonlyMap<string, Registry.Brand>
  readonly channels: ReadonlyMap<string, Registry.Channel>
  readonly channelList: ReadonlyArray<Registry.Channel>
  readonly touchpoints: ReadonlyMap<string, Registry.Touchpoint>
  readonly touchpointsByExternalId: ReadonlyMap<string, Registry.Touchpoint>
  /** Where staff actions that name no touchpoint go: the admin panel touchpoint, if any. */
  readonly adminTouchpointId: string | undefined
  readonly templates: ReadonlyMap<string, Template.TemplateDefinition>
}

export const rowToBrand = (r: Row): Registry.Brand =>
  ({ id: str(r, "id"), name: str(r, "name"), industry: str(r, "industry") }) as Registry.Brand

export const rowToChannel = (r: Row): Registry.Channel => {
  const parentId = optStr(r, "parent_id")
  return {
    id: str(r, "id"),
    externalId: str(r, "external_id"),
    name: str(r, "name"),
    ...(parentId === undefined ? {} : { parentId }),
  } as Registry.Channel
}

export const rowToTouchpoint = (r: Row): Registry.Touchpoint => {
  const brandId = optStr(r, "brand_id")
  return {
    id: str(r, "id"),
    externalId: str(r, "external_id"),
    name: str(r, "name"),
    kind: str(r, "kind"),
    channelId: str(r, "channel_id"),
    ...(brandId === undefined ? {} : { brandId }),
    deleted: num(r, "deleted") === 1,
  } as Registry.Touchpoint
}

/**
 * Built-in templates come from the domain catalog; the `templates` table holds custom ones and
 * built-ins that staff changed (e.g. added custom fields to), which win over the catalog.
 */
export const mergeTemplates = (
  rows: ReadonlyArray<Row>,
): ReadonlyMap<string, Template.TemplateDefinition> => {
  const out = new Map<string, Template.TemplateDefinition>()
  for (const d of Catalog.builtInDefinitions()) out.set(d.systemName, d)
  for (const r of rows) {
    const d = json<Template.TemplateDefinition>(r, "definition")
    out.set(d.systemName, d)
  }
  return out
}

export const VERSION_SQL = "SELECT value FROM meta WHERE key = 'registry_version'"

/** The version in a `VERSION_SQL` answer. */
export const versionOf = (rows: ReadonlyArray<Row>): number =>
  rows[0] === undefined ? 0 : num(rows[0], "value")

export class RegistryCache extends Context.Service<
  RegistryCache,
  {
    /** The registries as of the latest committed registry write (or the current transaction). */
    readonly current: Effect.Effect<RegistrySnapshot, DatabaseError>
    /** Mark the registries changed; call inside the transaction of the registry write. */
    readonly bump: Effect.Effect<void, DatabaseError>
    /**
     * The copy loaded last, unchecked. With `VERSION_SQL` sent in the same round trip as the
     * reads that used it and `at(version)` on the answer, a remote caller checks the copy
     * without a round trip of its own.
     */
    readonly peek: Effect.Effect<RegistrySnapshot | undefined>
    /** The registries as of `version` (a `VERSION_SQL` answer): the copy, or a reload. */
    readonly at: (version: number) => Effect.Effect<RegistrySnapshot, DatabaseError>
  }
>()("@actionlog/store/RegistryCache") {
  static readonly layer = Layer.effect(
    RegistryCache,
    Effect.gen(function* () {
      const db = yield* Database
      let snapshot: RegistrySnapshot | undefined

      const load = (version: number) =>
        Effect.gen(function* () {
          // One read batch: one round trip on a remote database.
          const [settingsRows, brands, channels, touchpoints, templates] = (yield* db.readBatch([
            { sql: "SELECT value FROM settings WHERE key = 'project'" },
            { sql: "SELECT id, name, industry FROM brands ORDER BY id" },
            { sql: "SELECT id, external_id, name, parent_id FROM channels ORDER BY name, id" },
            {
              sql: "SELECT id, external_id, name, kind, channel_id, brand_id, deleted FROM touchpoints ORDER BY name, id",
            },
            { sql: "SELECT definition FROM templates ORDER BY name" },
          ])).map((r) => r.rows) as [
            ReadonlyArray<Row>,
            ReadonlyArray<Row>,
            ReadonlyArray<Row>,
            ReadonlyArray<Row>,
            ReadonlyArray<Row>,
          ]
          const tps = touchpoints.map(rowToTouchpoint)
          const channelList = channels.map(rowToChannel)
          const settingsRow = settingsRows[0]
          const s: RegistrySnapshot = {
            version,
            settings:
              settingsRow === undefined
                ? ({ multiBrand: false, defaultBrandId: "default" } as Registry.ProjectSettings)
                : json<Registry.ProjectSettings>(settingsRow, "value"),
            brands: new Map(brands.map((r) => [str(r, "id"), rowToBrand(r)])),
            channels: new Map(channelList.map((c) => [c.id as string, c])),
            channelList,
            touchpoints: new Map(tps.map((t) => [t.id as string, t])),
            touchpointsByExternalId: new Map(tps.map((t) => [t.externalId, t])),
            adminTouchpointId: Registry.adminPanelTouchpoint(tps)?.id,
            templates: mergeTemplates(templates),
          }
          return s
        })

      const at = (version: number) =>
        Effect.suspend(() => {
          if (snapshot !== undefined && snapshot.version === version)
            return Effect.succeed(snapshot)
          return Effect.map(load(version), (fresh) => {
            snapshot = fresh
            return fresh
          })
        })

      const current = Effect.flatMap(db.query(VERSION_SQL), (rows) => at(versionOf(rows)))
      const peek = Effect.sync(() => snapshot)

      // A random version, not a counter: a copy loaded inside a transaction that later rolls
      // back can never match a version another writer commits afterwards.
      const bump = Effect.suspend(() =>
        Effect.asVoid(
          db.execute("UPDATE meta SET value = ? WHERE key = 'registry_version'", [
            randomInt(1, 2 ** 47),
          ]),
        ),
      )

      return RegistryCache.of({ current, bump, peek, at })
    }),
  )
}
