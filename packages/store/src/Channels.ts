/** The channel tree: groups of touchpoints (Offline → Central region → Moscow → store). */
import { Errors, Registry, type Ids } from "@actionlog/domain"
import { Clock, Context, Effect, Layer } from "effect"
import { Database } from "./Database"
import type { DatabaseError } from "./DatabaseError"
import { makeId } from "./internal/ids"
import { RegistryCache, rowToChannel } from "./RegistryCache"

export interface CreateChannelInput {
  readonly externalId: string
  readonly name: string
  readonly parentId?: Ids.ChannelId | undefined
}

export interface UpdateChannelInput {
  readonly externalId?: string | undefined
  readonly name?: string | undefined
}

const COLUMNS = "id, external_id, name, parent_id"

export class Channels extends Context.Service<
  Channels,
  {
    readonly create: (
      input: CreateChannelInput,
    ) => Effect.Effect<
      Registry.Channel,
      Errors.AlreadyExists | Errors.UnknownChannel | DatabaseError
    >
    readonly update: (
      id: Ids.ChannelId,
      input: UpdateChannelInput,
    ) => Effect.Effect<
      Registry.Channel,
      Errors.AlreadyExists | Errors.UnknownChannel | DatabaseError
    >
    /**
     * Move a channel (with its sub-tree) under `parentId`, or to the root with `null`.
     * Moving a channel under itself or one of its sub-channels is refused (`Errors.InvalidPayload`
     * at `parentId`).
     */
    readonly move: (
      id: Ids.ChannelId,
      parentId: Ids.ChannelId | null,
    ) => Effect.Effect<
      Registry.Channel,
      Errors.UnknownChannel | Errors.InvalidPayload | DatabaseError
    >
    readonly get: (
      id: Ids.ChannelId,
    ) => Effect.Effect<Registry.Channel, Errors.UnknownChannel | DatabaseError>
    /** Every channel (the whole tree, parents referenced by `parentId`). */
    readonly list: Effect.Effect<ReadonlyArray<Registry.Channel>, DatabaseError>
    /** Root-first path from the tree's root to `id`. */
    readonly path: (
      id: Ids.ChannelId,
    ) => Effect.Effect<ReadonlyArray<Registry.Channel>, Errors.UnknownChannel | DatabaseError>
  }
>()("@actionlog/store/Channels") {
  static readonly layer = Layer.effect(
    Channels,
    Effect.gen(function* () {
      const db = yield* Database
      const cache = yield* RegistryCache

      const get = Effect.fn("Channels.get")(function* (id: Ids.ChannelId) {
        const [row] = yield* db.query(`SELECT ${COLUMNS} FROM channels WHERE id = ?`, [id])
        if (row === undefined) return yield* new Errors.UnknownChannel({ channel: id })
        return rowToChannel(row)
      })

      const checkExternalIdFree = (externalId: string, except?: string) =>
        Effect.gen(function* () {
          const rows = yield* db.query("SELECT id FROM channels WHERE external_id = ?", [
            externalId,
          ])
          if (rows.some((r) => r["id"] !== except)) {
            return yield* new Errors.AlreadyExists({ entity: "channel", key: externalId })
          }
        })

      const create = Effect.fn("Channels.create")(function* (input: CreateChannelInput) {
        return yield* db.transaction(
          Effect.gen(function* () {
            yield* checkExternalIdFree(input.externalId)
            if (input.parentId !== undefined) yield* get(input.parentId)
            const id = makeId("ch") as Ids.ChannelId
            const now = yield* Clock.currentTimeMillis
            yield* db.execute(
              "INSERT INTO channels (id, external_id, name, parent_id, created_at) VALUES (?, ?, ?, ?, ?)",
              [id, input.externalId, input.name, input.parentId ?? null, now],
            )
            yield* cache.bump
            return yield* get(id)
          }),
        )
      })

      const update = Effect.fn("Channels.update")(function* (
        id: Ids.ChannelId,
        input: UpdateChannelInput,
      ) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const before = yield* get(id)
            if (input.externalId !== undefined) yield* checkExternalIdFree(input.externalId, id)
            yield* db.execute("UPDATE channels SET external_id = ?, name = ? WHERE id = ?", [
              input.externalId ?? before.externalId,
              input.name ?? before.name,
              id,
            ])
            yield* cache.bump
            return yield* get(id)
          }),
        )
      })

      const move = Effect.fn("Channels.move")(function* (
        id: Ids.ChannelId,
        parentId: Ids.ChannelId | null,
      ) {
        return yield* db.transaction(
          Effect.gen(function* () {
            yield* get(id)
            if (parentId !== null) {
              yield* get(parentId)
              // The new parent must not be the channel or below it: walk up from the parent.
              const ancestors = yield* db.query<{ id: string }>(
                `WITH RECURSIVE up(id, parent_id, depth) AS (
                   SELECT id, parent_id, 0 FROM channels WHERE id = ?
                   UNION ALL
                   SELECT c.id, c.parent_id, up.depth + 1 FROM channels c JOIN up ON c.id = up.parent_id
                   WHERE up.depth < 10000
                 ) SELECT id FROM up`,
                [parentId],
              )
              if (ancestors.some((a) => a.id === id)) {
                return yield* Errors.InvalidPayload.at(
                  ["parentId"],
                  `moving channel "${id}" under "${parentId}" would put it inside its own sub-tree`,
                )
              }
            }
            yield* db.execute("UPDATE channels SET parent_id = ? WHERE id = ?", [parentId, id])
            yield* cache.bump
            return yield* get(id)
          }),
        )
      })

      const list = Effect.map(
        db.query(`SELECT ${COLUMNS} FROM channels ORDER BY name, id`),
        (rows) => rows.map(rowToChannel),
      )

      const path = Effect.fn("Channels.path")(function* (id: Ids.ChannelId) {
        yield* get(id)
        const snapshot = yield* cache.current
        return Registry.channelPath(snapshot.channelList, id)
      })

      return Channels.of({ create, update, move, get, list, path })
    }),
  )
}
