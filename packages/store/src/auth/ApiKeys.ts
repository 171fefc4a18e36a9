import { randomUUID } from "node:crypto"
import { Context, Effect, Layer, Schema } from "effect"
import { Database } from "../Database"
import type { DatabaseError } from "../DatabaseError"
import { ApiKeyNotFound } from "./Errors"
import { Scope } from "./Permissions"
import type { ApiKeyPrincipal } from "./Principal"
import { apiKeyLookup, apiKeyPrefix, newApiKey, sameHash, sha256 } from "./Secrets"

export interface ApiKeyInfo {
  readonly id: string
  readonly name: string
  /** `al_live_` + the lookup part: enough to recognise a key, useless to use it. */
  readonly displayPrefix: string
  readonly scopes: ReadonlyArray<Scope>
  readonly createdAt: string
  readonly createdBy: string
  readonly revokedAt: string | null
  readonly revokedBy: string | null
}

interface KeyRow {
  readonly id: string
  readonly name: string
  readonly lookup: string
  readonly key_hash: string
  readonly scopes: string
  readonly created_at: number
  readonly created_by: string
  readonly revoked_at: number | null
  readonly revoked_by: string | null
}

const decodeScopes = Schema.decodeUnknownSync(Schema.Array(Scope))

const infoFromRow = (r: KeyRow): ApiKeyInfo => ({
  id: r.id,
  name: r.name,
  displayPrefix: `${apiKeyPrefix}${r.lookup}`,
  scopes: decodeScopes(JSON.parse(r.scopes)),
  createdAt: new Date(r.created_at).toISOString(),
  createdBy: r.created_by,
  revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at).toISOString(),
  revokedBy: r.revoked_by,
})

export class ApiKeys extends Context.Service<
  ApiKeys,
  {
    /** Makes a key; the secret is in the result and nowhere else, ever. */
    readonly create: (input: {
      readonly name: string
      readonly scopes: ReadonlyArray<Scope>
      readonly createdBy: string
    }) => Effect.Effect<{ readonly key: string; readonly info: ApiKeyInfo }, DatabaseError>
    readonly list: Effect.Effect<ReadonlyArray<ApiKeyInfo>, DatabaseError>
    /** Names of many at once (who recorded the actions of a page); unknown ids left out. */
    readonly names: (
      ids: ReadonlyArray<string>,
    ) => Effect.Effect<ReadonlyArray<{ readonly id: string; readonly name: string }>, DatabaseError>
    readonly get: (id: string) => Effect.Effect<ApiKeyInfo, ApiKeyNotFound | DatabaseError>
    /** Idempotent; takes effect for the next request in every process (no cache). */
    readonly revoke: (
      id: string,
      revokedBy: string,
    ) => Effect.Effect<ApiKeyInfo, ApiKeyNotFound | DatabaseError>
    /** The principal of a presented key, or undefined when unknown, malformed or revoked. */
    readonly authenticate: (
      presented: string,
    ) => Effect.Effect<ApiKeyPrincipal | undefined, DatabaseError>
  }
>()("@actionlog/store/auth/ApiKeys") {
  static readonly layer = Layer.effect(
    ApiKeys,
    Effect.gen(function* () {
      const db = yield* Database
      const cols =
        "id, name, lookup, key_hash, scopes, created_at, created_by, revoked_at, revoked_by"

      const get = Effect.fn("ApiKeys.get")(function* (id: string) {
        const rows = yield* db.query<KeyRow>(`SELECT ${cols} FROM api_keys WHERE id = ?`, [id])
        const row = rows[0]
        if (row === undefined) {
          return yield* new ApiKeyNotFound({ id, message: `No API key with id '${id}'` })
        }
        return infoFromRow(row)
      })

      const create = Effect.fn("ApiKeys.create")(function* (input: {
        readonly name: string
        readonly scopes: ReadonlyArray<Scope>
        readonly createdBy: string
      }) {
        const secret = newApiKey()
        const id = randomUUID()
        const scopes = [...new Set(input.scopes)]
        yield* db.execute(
          `INSERT INTO api_keys (id, name, lookup, key_hash, scopes, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [
            id,
            input.name,
            secret.lookup,
            secret.hash,
            JSON.stringify(scopes),
            Date.now(),
            input.createdBy,
          ],
        )
        const info = yield* get(id).pipe(Effect.catchTag("ApiKeyNotFound", Effect.die))
        return { key: secret.secret, info }
      })

      const list = Effect.map(
        db.query<KeyRow>(`SELECT ${cols} FROM api_keys ORDER BY created_at DESC, id`),
        (rows) => rows.map(infoFromRow),
      )

      const revoke = Effect.fn("ApiKeys.revoke")(function* (id: string, revokedBy: string) {
        yield* get(id)
        yield* db.execute(
          "UPDATE api_keys SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL",
          [Date.now(), revokedBy, id],
        )
        return yield* get(id)
      })

      const authenticate = (presented: string) => {
        const lookup = apiKeyLookup(presented)
        if (lookup === undefined) return Effect.succeed(undefined)
        const hash = sha256(presented)
        return Effect.map(
          db.query<KeyRow>(`SELECT ${cols} FROM api_keys WHERE lookup = ?`, [lookup]),
          (rows): ApiKeyPrincipal | undefined => {
            for (const row of rows) {
              if (sameHash(row.key_hash, hash) && row.revoked_at === null) {
                return {
                  kind: "apiKey",
                  id: row.id,
                  name: row.name,
                  scopes: decodeScopes(JSON.parse(row.scopes)),
                }
              }
            }
            return undefined
          },
        )
      }

      const names = Effect.fn("ApiKeys.names")(function* (ids: ReadonlyArray<string>) {
        if (ids.length === 0) return []
        return yield* db.query<{ readonly id: string; readonly name: string }>(
          "SELECT id, name FROM api_keys WHERE id IN (SELECT value FROM json_each(?))",
          [JSON.stringify([...new Set(ids)])],
        )
      })

      return ApiKeys.of({ create, list, get, revoke, authenticate, names })
    }),
  )
}
