/**
 * Webhooks (docs/webhooks.md): subscriptions, their signing secrets, and delivery of new
 * actions to them over HTTP.
 *
 * No per-action queue: a subscription keeps a cursor over `actions.seq`, which is commit
 * order (LiveActions explains why). A delivery is the matching actions in `(cursor, to]`;
 * `to` is written before the first attempt, so every retry — by this process or one that
 * took the lease over after a crash — sends the same actions under the same `webhook-id`.
 * Success moves the cursor to `to` in the statement that also renews the lease, so a
 * delivery is acknowledged at most once, by the current holder. Actions of an erased customer
 * are deleted by erasure, so a later read simply does not find them.
 *
 * One process delivers a subscription at a time: a lease row (holder id + expiry) that the
 * holder renews while it works and any process takes over once it has expired. Each process
 * takes at most one new lease per round, so several processes share the subscriptions.
 */
import { Errors, Webhook } from "@actionlog/domain"
import { Clock, Context, Effect, Fiber, Layer } from "effect"
import { randomBytes } from "node:crypto"
import { hostname } from "node:os"
import { ACTION_COLUMNS, rowToAction, type StoredAction } from "./ActionStore"
import { AuditLog, type Actor } from "./auth/AuditLog"
import { Database, type Row, type SqlValue } from "./Database"
import type { DatabaseError } from "./DatabaseError"
import { RegistryCache } from "./RegistryCache"
import {
  decrypt,
  encrypt,
  keyFromFile,
  keyFromText,
  newSigningSecret,
  signatureHeader,
} from "./webhooks/Signing"
import { post, resolveProblem, urlProblem, type AttemptOutcome } from "./webhooks/Target"

export interface WebhooksConfigShape {
  /** Allow private and loopback targets (`ACTIONLOG_WEBHOOKS_ALLOW_PRIVATE=true`; tests). */
  readonly allowPrivate: boolean
  /** First retry delay; doubles per failure (with jitter) up to `retryMaxMs`. */
  readonly retryBaseMs: number
  readonly retryMaxMs: number
  /** How long a delivery is retried before the subscription is paused. */
  readonly retryWindowMs: number
  readonly attemptTimeoutMs: number
  /** Lease length; a crashed holder's subscriptions are taken over after this. */
  readonly leaseMs: number
  /** How often other processes' new actions are looked for. */
  readonly pollMs: number
  readonly secretGraceMs: number
  readonly batchSize: number
  /** Server key text (`ACTIONLOG_WEBHOOK_KEY`); wins over `keyFile`. */
  readonly key: string | undefined
  /** Key file created on first use (the server puts it next to a local database). */
  readonly keyFile: string | undefined
}

const envNumber = (name: string, fallback: number): number => {
  const raw = process.env[name]
  const n = raw === undefined ? NaN : Number(raw)
  return Number.isFinite(n) && n >= 0 ? n : fallback
}

/** Defaults, with the tuning knobs tests and operators may set in the environment. */
export const webhooksConfigFromEnv = (): WebhooksConfigShape => ({
  allowPrivate: /^(true|yes|on|1)$/i.test(process.env["ACTIONLOG_WEBHOOKS_ALLOW_PRIVATE"] ?? ""),
  retryBaseMs: envNumber("ACTIONLOG_WEBHOOKS_RETRY_BASE_MS", 5_000),
  retryMaxMs: envNumber("ACTIONLOG_WEBHOOKS_RETRY_MAX_MS", 3_600_000),
  retryWindowMs: envNumber("ACTIONLOG_WEBHOOKS_RETRY_WINDOW_MS", Webhook.RETRY_WINDOW_MS),
  attemptTimeoutMs: envNumber("ACTIONLOG_WEBHOOKS_TIMEOUT_MS", 10_000),
  leaseMs: envNumber("ACTIONLOG_WEBHOOKS_LEASE_MS", 15_000),
  pollMs: envNumber("ACTIONLOG_WEBHOOKS_POLL_MS", 250),
  secretGraceMs: Webhook.SECRET_GRACE_MS,
  batchSize: Webhook.MAX_DELIVERY_ACTIONS,
  key: process.env["ACTIONLOG_WEBHOOK_KEY"],
  keyFile: undefined,
})

export const WebhooksConfig = Context.Reference<WebhooksConfigShape>(
  "@actionlog/store/WebhooksConfig",
  { defaultValue: webhooksConfigFromEnv },
)

export interface CreateWebhookInput {
  readonly name: string
  readonly url: string
  readonly filter?: Webhook.WebhookFilter | undefined
  readonly active?: boolean | undefined
}

export interface UpdateWebhookInput {
  readonly name?: string | undefined
  readonly url?: string | undefined
  readonly filter?: Webhook.WebhookFilter | undefined
}

export type ReplayPoint = { readonly recordedAt: string } | { readonly deliveryId: string }

/** What the worker reports (the server turns it into /metrics). */
export interface DeliveryObserver {
  readonly delivered: (webhookId: string, actions: number, latencyMs: number) => void
  readonly failed: (webhookId: string) => void
  readonly lag: (webhookId: string, seconds: number) => void
}

const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString()

const filterOf = (row: Row): Webhook.WebhookFilter =>
  JSON.parse(row["filter"] as string) as Webhook.WebhookFilter

/** SQL conditions (and their arguments) selecting the actions a filter matches. */
const matchSql = (filter: Webhook.WebhookFilter): { where: string; args: Array<SqlValue> } => {
  const where: Array<string> = []
  const args: Array<SqlValue> = []
  if (filter.templates !== undefined) {
    where.push("template IN (SELECT value FROM json_each(?))")
    args.push(JSON.stringify(filter.templates))
  }
  if (filter.categories !== undefined) {
    where.push(
      "template IN (SELECT name FROM templates WHERE category IN (SELECT value FROM json_each(?)))",
    )
    args.push(JSON.stringify(filter.categories))
  }
  if (filter.brands !== undefined) {
    where.push("brand_id IN (SELECT value FROM json_each(?))")
    args.push(JSON.stringify(filter.brands))
  }
  return { where: where.map((w) => ` AND ${w}`).join(""), args }
}

/** `<webhook>_<generation>_<from>_<to>` → its parts, when it belongs to `id`. */
const parseDeliveryId = (id: string, deliveryId: string) => {
  const parts = deliveryId.split("_")
  const nums = parts.slice(-3).map(Number)
  const owner = parts.slice(0, -3).join("_")
  if (parts.length < 4 || owner !== id || nums.some((n) => !Number.isSafeInteger(n) || n < 0)) {
    return undefined
  }
  return { generation: nums[0]!, from: nums[1]!, to: nums[2]! }
}

const rowToAttempt = (r: Row): Webhook.WebhookAttempt => ({
  id: Number(r["id"]),
  deliveryId: r["delivery_id"] as string,
  at: iso(r["at"] as number)!,
  actions: Number(r["actions"]),
  test: Number(r["test"]) === 1,
  ok: Number(r["ok"]) === 1,
  status: r["status"] === null ? null : Number(r["status"]),
  latencyMs: Number(r["latency_ms"]),
  error: (r["error"] as string | null) ?? null,
})

type ViewError = Webhook.WebhookNotFound | DatabaseError
type TargetError = Webhook.InvalidWebhookTarget
type FilterError = Webhook.InvalidWebhookFilter | Errors.UnknownTemplate | Errors.UnknownBrand

export class Webhooks extends Context.Service<
  Webhooks,
  {
    /** Creates a subscription delivering actions recorded from now on; the secret is shown once. */
    readonly create: (
      input: CreateWebhookInput,
    ) => Effect.Effect<
      { readonly webhook: Webhook.WebhookView; readonly secret: string },
      | TargetError
      | FilterError
      | Webhook.TooManyWebhooks
      | Webhook.WebhookKeyUnavailable
      | DatabaseError
    >
    /** Resolves the target's host and refuses private addresses (call before a transaction). */
    readonly checkTarget: (url: string) => Effect.Effect<void, TargetError>
    readonly list: Effect.Effect<ReadonlyArray<Webhook.WebhookView>, DatabaseError>
    readonly get: (id: string) => Effect.Effect<Webhook.WebhookView, ViewError>
    readonly update: (
      id: string,
      input: UpdateWebhookInput,
    ) => Effect.Effect<Webhook.WebhookView, ViewError | TargetError | FilterError>
    readonly remove: (id: string) => Effect.Effect<void, ViewError>
    /** A new secret; the previous one keeps signing for the grace period. */
    readonly rotateSecret: (
      id: string,
    ) => Effect.Effect<
      { readonly secret: string; readonly previousExpiresAt: string },
      ViewError | Webhook.WebhookKeyUnavailable
    >
    readonly pause: (id: string, reason: string) => Effect.Effect<Webhook.WebhookView, ViewError>
    /** Active again; continues where it stopped (the failed delivery is retried first). */
    readonly resume: (id: string) => Effect.Effect<Webhook.WebhookView, ViewError>
    /** Moves the cursor back (or forward) to a recorded time or to the start of a delivery. */
    readonly replay: (
      id: string,
      from: ReplayPoint,
    ) => Effect.Effect<Webhook.WebhookView, ViewError | Webhook.InvalidReplayPoint>
    readonly attempts: (
      id: string,
      limit?: number,
    ) => Effect.Effect<ReadonlyArray<Webhook.WebhookAttempt>, ViewError>
    /** Sends a signed `webhook.test` message with no actions (logged as a test attempt). */
    readonly sendTest: (
      id: string,
    ) => Effect.Effect<Webhook.WebhookAttempt, ViewError | Webhook.WebhookKeyUnavailable>
    /** Delivers the subscriptions whose lease this process holds, until interrupted. */
    readonly runWorker: (options?: {
      readonly holderId?: string | undefined
      readonly observer?: DeliveryObserver | undefined
    }) => Effect.Effect<never, never>
  }
>()("@actionlog/store/Webhooks") {
  static readonly layer = Layer.effect(
    Webhooks,
    Effect.gen(function* () {
      const db = yield* Database
      const cache = yield* RegistryCache
      const auditLog = yield* AuditLog
      const config = yield* WebhooksConfig

      let key: Buffer | undefined
      const serverKey = Effect.suspend(() => {
        if (key !== undefined) return Effect.succeed(key)
        if (config.key !== undefined && config.key.trim() !== "") {
          key = keyFromText(config.key)
          return Effect.succeed(key)
        }
        if (config.keyFile === undefined) {
          return Effect.fail(
            new Webhook.WebhookKeyUnavailable({
              reason: "set ACTIONLOG_WEBHOOK_KEY (required with a remote database)",
            }),
          )
        }
        const file = config.keyFile
        return Effect.try({
          try: () => (key = keyFromFile(file)),
          catch: (e) =>
            new Webhook.WebhookKeyUnavailable({
              reason: `cannot read or create the key file (${(e as Error).message})`,
            }),
        })
      })

      const now = Clock.currentTimeMillis
      const loadRow = (id: string) =>
        Effect.flatMap(db.query("SELECT * FROM webhooks WHERE id = ?", [id]), ([row]) =>
          row === undefined
            ? Effect.fail(new Webhook.WebhookNotFound({ webhook: id }))
            : Effect.succeed(row),
        )

      const matching = (
        filter: Webhook.WebhookFilter,
        after: number,
        upTo: number,
        limit: number,
      ) =>
        Effect.gen(function* () {
          const m = matchSql(filter)
          const rows = yield* db.query(
            `SELECT seq, ${ACTION_COLUMNS} FROM actions WHERE seq > ? AND seq <= ?${m.where} ORDER BY seq LIMIT ?`,
            [after, upTo, ...m.args, limit],
          )
          const snap = yield* cache.current
          return rows.map((r) => ({ seq: Number(r["seq"]), action: rowToAction(r, snap) }))
        })

      const head = Effect.map(
        db.query<{ n: number | null }>("SELECT max(seq) AS n FROM actions"),
        (rows) => Number(rows[0]?.n ?? 0),
      )

      const lagOf = (row: Row, at: number) =>
        Effect.gen(function* () {
          const m = matchSql(filterOf(row))
          const [first] = yield* db.query<{ recorded_at: number }>(
            `SELECT recorded_at FROM actions WHERE seq > ?${m.where} ORDER BY seq LIMIT 1`,
            [Number(row["cursor_seq"]), ...m.args],
          )
          return first === undefined ? 0 : Math.max(0, (at - Number(first.recorded_at)) / 1000)
        })

      const toView = (row: Row) =>
        Effect.gen(function* () {
          const at = yield* now
          const id = row["id"] as string
          const secrets = yield* db.query<{ created_at: number; expires_at: number | null }>(
            "SELECT created_at, expires_at FROM webhook_secrets WHERE webhook_id = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY id DESC",
            [id, at],
          )
          const active = Number(row["active"]) === 1
          const failures = Number(row["failures"])
          const next = Number(row["next_attempt_at"])
          return {
            id,
            name: row["name"] as string,
            url: row["url"] as string,
            filter: filterOf(row),
            active,
            state: !active ? "paused" : failures > 0 ? "retrying" : "active",
            pausedReason: (row["paused_reason"] as string | null) ?? null,
            pausedAt: iso(row["paused_at"] as number | null),
            cursor: Number(row["cursor_seq"]),
            deliveredUpTo: iso(row["cursor_recorded_at"] as number | null),
            failures,
            nextAttemptAt: failures > 0 && next > 0 ? iso(next) : null,
            lagSeconds: yield* lagOf(row, at),
            secrets: secrets.map((s) => ({
              createdAt: iso(s.created_at)!,
              expiresAt: iso(s.expires_at),
            })),
            createdAt: iso(row["created_at"] as number)!,
            updatedAt: iso(row["updated_at"] as number)!,
          } satisfies Webhook.WebhookView
        })

      // The form only: resolving the host waits on DNS, which callers do before their
      // write transaction (`checkTarget`); delivery checks every resolved address again.
      const checkTargetForm = (url: string) => {
        const reason = urlProblem(url, config.allowPrivate)
        return reason === undefined
          ? Effect.void
          : Effect.fail(new Webhook.InvalidWebhookTarget({ url, reason }))
      }

      const checkTarget = Effect.fn("Webhooks.checkTarget")(function* (url: string) {
        const reason = yield* Effect.promise(() => resolveProblem(url, config.allowPrivate))
        if (reason !== undefined) return yield* new Webhook.InvalidWebhookTarget({ url, reason })
      })

      const checkFilter = (filter: Webhook.WebhookFilter | undefined) =>
        Effect.gen(function* () {
          if (filter === undefined) return {}
          const out: { -readonly [K in keyof Webhook.WebhookFilter]: Webhook.WebhookFilter[K] } = {}
          const snap = yield* cache.current
          for (const field of ["templates", "categories", "brands"] as const) {
            const list = filter[field]
            if (list === undefined) continue
            if (list.length === 0 || list.length > Webhook.MAX_FILTER_ENTRIES) {
              return yield* new Webhook.InvalidWebhookFilter({
                field,
                reason: `give 1 to ${Webhook.MAX_FILTER_ENTRIES} entries, or leave it out to match all`,
              })
            }
            const unique = [...new Set(list)]
            for (const value of unique) {
              if (field === "templates" && !snap.templates.has(value)) {
                return yield* new Errors.UnknownTemplate({ template: value })
              }
              if (field === "brands" && !snap.brands.has(value)) {
                return yield* new Errors.UnknownBrand({ brand: value })
              }
              if (field === "categories" && value !== "personal" && value !== "system") {
                return yield* new Webhook.InvalidWebhookFilter({
                  field,
                  reason: `"${value}" is not a category (personal or system)`,
                })
              }
            }
            ;(out as Record<string, unknown>)[field] = unique
          }
          return out
        })

      const get = Effect.fn("Webhooks.get")(function* (id: string) {
        return yield* toView(yield* loadRow(id))
      })

      const list = Effect.flatMap(
        db.query("SELECT * FROM webhooks ORDER BY created_at, id"),
        (rows) => Effect.forEach(rows, toView),
      )

      const create = Effect.fn("Webhooks.create")(function* (input: CreateWebhookInput) {
        yield* checkTargetForm(input.url)
        const filter = yield* checkFilter(input.filter)
        const k = yield* serverKey
        const secret = newSigningSecret()
        const id = `wh_${randomBytes(8).toString("hex")}`
        yield* db.transaction(
          Effect.gen(function* () {
            const [count] = yield* db.query<{ n: number }>("SELECT count(*) AS n FROM webhooks")
            if (Number(count?.n ?? 0) >= Webhook.MAX_WEBHOOKS) {
              return yield* new Webhook.TooManyWebhooks({ limit: Webhook.MAX_WEBHOOKS })
            }
            const at = yield* now
            const position = yield* head
            yield* db.execute(
              "INSERT INTO webhooks (id, name, url, filter, active, cursor_seq, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              [
                id,
                input.name,
                input.url,
                JSON.stringify(filter),
                input.active === false ? 0 : 1,
                position,
                at,
                at,
              ],
            )
            if (input.active === false) {
              yield* db.execute(
                "UPDATE webhooks SET paused_reason = ?, paused_at = ? WHERE id = ?",
                ["created paused", at, id],
              )
            }
            yield* db.execute(
              "INSERT INTO webhook_secrets (webhook_id, ciphertext, created_at, expires_at) VALUES (?, ?, ?, NULL)",
              [id, encrypt(k, secret), at],
            )
          }),
        )
        // Just written in this fiber's transaction: not finding it is a defect.
        const webhook = yield* get(id).pipe(Effect.catchTag("WebhookNotFound", Effect.die))
        return { webhook, secret }
      })

      const update = Effect.fn("Webhooks.update")(function* (
        id: string,
        input: UpdateWebhookInput,
      ) {
        yield* loadRow(id)
        if (input.url !== undefined) yield* checkTargetForm(input.url)
        const filter = input.filter === undefined ? undefined : yield* checkFilter(input.filter)
        const at = yield* now
        yield* db.transaction(
          Effect.gen(function* () {
            const row = yield* loadRow(id)
            yield* db.execute(
              "UPDATE webhooks SET name = ?, url = ?, filter = ?, updated_at = ? WHERE id = ?",
              [
                input.name ?? (row["name"] as string),
                input.url ?? (row["url"] as string),
                filter === undefined ? (row["filter"] as string) : JSON.stringify(filter),
                at,
                id,
              ],
            )
          }),
        )
        return yield* get(id)
      })

      const remove = Effect.fn("Webhooks.remove")(function* (id: string) {
        const r = yield* db.execute("DELETE FROM webhooks WHERE id = ?", [id])
        if (r.rowsAffected === 0) return yield* new Webhook.WebhookNotFound({ webhook: id })
      })

      const rotateSecret = Effect.fn("Webhooks.rotateSecret")(function* (id: string) {
        const k = yield* serverKey
        const secret = newSigningSecret()
        const at = yield* now
        const expires = at + config.secretGraceMs
        yield* db.transaction(
          Effect.gen(function* () {
            yield* loadRow(id)
            // Older secrets still in their grace period end now: at most two sign at once.
            yield* db.execute(
              "UPDATE webhook_secrets SET expires_at = ? WHERE webhook_id = ? AND expires_at > ?",
              [at, id, at],
            )
            yield* db.execute(
              "UPDATE webhook_secrets SET expires_at = ? WHERE webhook_id = ? AND expires_at IS NULL",
              [expires, id],
            )
            yield* db.execute(
              "DELETE FROM webhook_secrets WHERE webhook_id = ? AND expires_at <= ?",
              [id, at],
            )
            yield* db.execute(
              "INSERT INTO webhook_secrets (webhook_id, ciphertext, created_at, expires_at) VALUES (?, ?, ?, NULL)",
              [id, encrypt(k, secret), at],
            )
            yield* db.execute("UPDATE webhooks SET updated_at = ? WHERE id = ?", [at, id])
          }),
        )
        return { secret, previousExpiresAt: iso(expires)! }
      })

      const setPaused = (id: string, reason: string | null) =>
        Effect.gen(function* () {
          const at = yield* now
          const r = yield* db.execute(
            reason === null
              ? "UPDATE webhooks SET active = 1, paused_reason = NULL, paused_at = NULL, failures = 0, failing_since = NULL, next_attempt_at = 0, updated_at = ? WHERE id = ?"
              : "UPDATE webhooks SET active = 0, paused_reason = ?, paused_at = ?, updated_at = ? WHERE id = ?",
            reason === null ? [at, id] : [reason, at, at, id],
          )
          if (r.rowsAffected === 0) return yield* new Webhook.WebhookNotFound({ webhook: id })
          return yield* get(id)
        })

      const pause = Effect.fn("Webhooks.pause")((id: string, reason: string) =>
        setPaused(id, reason),
      )
      const resume = Effect.fn("Webhooks.resume")((id: string) => setPaused(id, null))

      const replay = Effect.fn("Webhooks.replay")(function* (id: string, from: ReplayPoint) {
        let position: number
        if ("deliveryId" in from) {
          const parsed = parseDeliveryId(id, from.deliveryId)
          if (parsed === undefined) {
            return yield* new Webhook.InvalidReplayPoint({
              reason: `"${from.deliveryId}" is not a delivery id of webhook ${id}`,
            })
          }
          position = parsed.from
        } else {
          const t = Date.parse(from.recordedAt)
          if (Number.isNaN(t)) {
            return yield* new Webhook.InvalidReplayPoint({
              reason: `"${from.recordedAt}" is not an ISO 8601 time`,
            })
          }
          const [first] = yield* db.query<{ seq: number }>(
            "SELECT seq FROM actions WHERE recorded_at >= ? ORDER BY recorded_at, seq LIMIT 1",
            [t],
          )
          position = first === undefined ? yield* head : Number(first.seq) - 1
        }
        const at = yield* now
        // A new generation: replayed deliveries get new ids, so receivers that deduplicate
        // by webhook-id do not drop them.
        const r = yield* db.execute(
          "UPDATE webhooks SET cursor_seq = ?, cursor_recorded_at = NULL, pending_to = NULL, generation = generation + 1, failures = 0, failing_since = NULL, next_attempt_at = 0, updated_at = ? WHERE id = ?",
          [position, at, id],
        )
        if (r.rowsAffected === 0) return yield* new Webhook.WebhookNotFound({ webhook: id })
        return yield* get(id)
      })

      const attempts = Effect.fn("Webhooks.attempts")(function* (id: string, limit = 20) {
        yield* loadRow(id)
        const rows = yield* db.query(
          "SELECT * FROM webhook_attempts WHERE webhook_id = ? ORDER BY id DESC LIMIT ?",
          [id, Math.max(1, Math.min(Webhook.ATTEMPTS_KEPT, limit))],
        )
        return rows.map(rowToAttempt)
      })

      const logAttempt = (
        id: string,
        deliveryId: string,
        actions: number,
        test: boolean,
        outcome: AttemptOutcome,
        at: number,
      ) =>
        Effect.gen(function* () {
          const r = yield* db.execute(
            "INSERT INTO webhook_attempts (webhook_id, delivery_id, at, actions, test, ok, status, latency_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
              id,
              deliveryId,
              at,
              actions,
              test ? 1 : 0,
              outcome.ok ? 1 : 0,
              outcome.status,
              outcome.latencyMs,
              outcome.error === null ? null : outcome.error.slice(0, 500),
            ],
          )
          yield* db.execute("DELETE FROM webhook_attempts WHERE webhook_id = ? AND id <= ?", [
            id,
            Number(r.lastInsertRowid ?? 0) - Webhook.ATTEMPTS_KEPT,
          ])
          return Number(r.lastInsertRowid ?? 0)
        })

      /** The secrets that sign now, in clear (current first). */
      const signingSecrets = (id: string) =>
        Effect.gen(function* () {
          const k = yield* serverKey
          const at = yield* now
          const rows = yield* db.query<{ ciphertext: string }>(
            "SELECT ciphertext FROM webhook_secrets WHERE webhook_id = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY id DESC",
            [id, at],
          )
          const secrets = rows.map((r) => decrypt(k, r.ciphertext))
          if (secrets.length === 0 || secrets.some((s) => s === undefined)) {
            return yield* new Webhook.WebhookKeyUnavailable({
              reason: "the stored secrets were encrypted with another server key",
            })
          }
          return secrets as Array<string>
        })

      const send = (
        url: string,
        deliveryId: string,
        body: string,
        secrets: ReadonlyArray<string>,
      ) =>
        Effect.gen(function* () {
          const timestamp = Math.floor((yield* now) / 1000)
          return yield* Effect.promise((signal) =>
            post({
              url,
              body,
              headers: {
                "webhook-id": deliveryId,
                "webhook-timestamp": String(timestamp),
                "webhook-signature": signatureHeader(secrets, deliveryId, timestamp, body),
              },
              timeoutMs: config.attemptTimeoutMs,
              allowPrivate: config.allowPrivate,
              bodyLimit: Webhook.RESPONSE_BODY_LIMIT,
              signal,
            }),
          )
        })

      const sendTest = Effect.fn("Webhooks.sendTest")(function* (id: string) {
        const row = yield* loadRow(id)
        const secrets = yield* signingSecrets(id)
        const deliveryId = `${id}_test_${randomBytes(6).toString("hex")}`
        const at = yield* now
        const body = JSON.stringify({
          type: "webhook.test",
          timestamp: new Date(at).toISOString(),
          data: [],
        })
        const outcome = yield* send(row["url"] as string, deliveryId, body, secrets)
        const attemptId = yield* db.transaction(logAttempt(id, deliveryId, 0, true, outcome, at))
        return rowToAttempt({
          id: attemptId,
          delivery_id: deliveryId,
          at,
          actions: 0,
          test: 1,
          ok: outcome.ok ? 1 : 0,
          status: outcome.status,
          latency_ms: outcome.latencyMs,
          error: outcome.error,
        })
      })

      // ---- delivery -------------------------------------------------------------------------

      const systemActor: Actor = { kind: "system", id: null, label: "webhooks" }

      const backoff = (failures: number) => {
        const d = Math.min(config.retryMaxMs, config.retryBaseMs * 2 ** Math.max(0, failures - 1))
        // Jitter in [d/2, d]: receivers recovering from an outage are not hit in lockstep.
        return Math.round(d / 2 + (Math.random() * d) / 2)
      }

      const renew = (id: string, holder: string, untilMs: number) =>
        Effect.map(
          db.execute("UPDATE webhooks SET lease_expires_at = ? WHERE id = ? AND lease_holder = ?", [
            untilMs,
            id,
            holder,
          ]),
          (r) => r.rowsAffected === 1,
        )

      const release = (id: string, holder: string) =>
        Effect.ignore(
          db.execute(
            "UPDATE webhooks SET lease_holder = NULL, lease_expires_at = 0 WHERE id = ? AND lease_holder = ?",
            [id, holder],
          ),
        )

      type Step = "continue" | "idle" | "stop"

      /** One round for one subscription: deliver one batch, or find nothing to do. */
      const step = (id: string, holder: string, observer: DeliveryObserver | undefined) =>
        Effect.gen(function* () {
          const [row] = yield* db.query("SELECT * FROM webhooks WHERE id = ?", [id])
          if (row === undefined || Number(row["active"]) !== 1) return "stop" as Step
          if (row["lease_holder"] !== holder) return "stop" as Step
          let at = yield* now
          if (Number(row["lease_expires_at"]) - at < (config.leaseMs * 2) / 3) {
            if (!(yield* renew(id, holder, at + config.leaseMs))) return "stop" as Step
          }
          const next = Number(row["next_attempt_at"])
          if (next > at) {
            // Waiting to retry: the gauge keeps growing with the wait.
            if (observer !== undefined) observer.lag(id, yield* lagOf(row, at))
            yield* Effect.sleep(Math.min(next - at, config.leaseMs / 3))
            return "continue" as Step
          }
          const filter = filterOf(row)
          const cursor = Number(row["cursor_seq"])
          const generation = Number(row["generation"])
          let to = row["pending_to"] === null ? undefined : Number(row["pending_to"])
          let batch: ReadonlyArray<{ seq: number; action: StoredAction }>
          if (to === undefined) {
            const h = yield* head
            if (h <= cursor) {
              observer?.lag(id, 0)
              // The newest actions were erased: their positions may be reused by new ones.
              if (h < cursor) {
                yield* db.execute(
                  "UPDATE webhooks SET cursor_seq = ? WHERE id = ? AND lease_holder = ? AND cursor_seq = ? AND generation = ?",
                  [h, id, holder, cursor, generation],
                )
              }
              return "idle" as Step
            }
            batch = yield* matching(filter, cursor, h, config.batchSize)
            to = batch.length >= config.batchSize ? batch[batch.length - 1]!.seq : h
            // Fixed before the first attempt: retries and a takeover send the same delivery.
            if (batch.length > 0) {
              // One write: the delivery's range, and a lease that outlives the attempt so
              // nobody else sends while it is in flight.
              const r = yield* db.execute(
                "UPDATE webhooks SET pending_to = ?, lease_expires_at = ? WHERE id = ? AND lease_holder = ? AND cursor_seq = ? AND generation = ? AND pending_to IS NULL",
                [to, at + config.attemptTimeoutMs + config.leaseMs, id, holder, cursor, generation],
              )
              if (r.rowsAffected === 0) return "continue" as Step
            }
          } else {
            batch = yield* matching(filter, cursor, to, config.batchSize)
            // Usually the previous success already fixed this range and extended the lease.
            const until = at + config.attemptTimeoutMs + config.leaseMs
            if (
              batch.length > 0 &&
              Number(row["lease_expires_at"]) < until - config.leaseMs / 3 &&
              !(yield* renew(id, holder, until))
            ) {
              return "stop" as Step
            }
          }
          if (batch.length === 0) {
            // Nothing matching (or all erased since): move on without a request.
            yield* db.execute(
              "UPDATE webhooks SET cursor_seq = ?, pending_to = NULL WHERE id = ? AND lease_holder = ? AND cursor_seq = ? AND generation = ?",
              [to, id, holder, cursor, generation],
            )
            observer?.lag(id, 0)
            return "continue" as Step
          }
          observer?.lag(id, Math.max(0, (at - Number(batch[0]!.action.recordedAt)) / 1000))
          const deliveryId = `${id}_${generation}_${cursor}_${to}`
          const body = JSON.stringify({
            type: "actions.issued",
            timestamp: new Date(at).toISOString(),
            data: batch.map((b) => b.action),
          })
          const outcome = yield* Effect.catch(
            Effect.flatMap(signingSecrets(id), (secrets) =>
              send(row["url"] as string, deliveryId, body, secrets),
            ),
            (e) =>
              Effect.succeed<AttemptOutcome>({
                ok: false,
                status: null,
                latencyMs: 0,
                error: e.message,
                body: "",
              }),
          )
          at = yield* now
          const last = batch[batch.length - 1]!
          return yield* db.transaction(
            Effect.gen(function* () {
              yield* logAttempt(id, deliveryId, batch.length, false, outcome, at)
              if (outcome.ok) {
                observer?.delivered(id, batch.length, outcome.latencyMs)
                const until = at + config.attemptTimeoutMs + config.leaseMs
                const moved = yield* db.execute(
                  "UPDATE webhooks SET cursor_seq = ?, cursor_recorded_at = ?, pending_to = NULL, failures = 0, failing_since = NULL, next_attempt_at = 0, lease_expires_at = ? WHERE id = ? AND lease_holder = ? AND cursor_seq = ? AND generation = ?",
                  [to, Number(last.action.recordedAt), until, id, holder, cursor, generation],
                )
                // The next delivery's range in the same commit: under a steady ingest each
                // delivery then costs one write transaction (the writer lock is shared with
                // recording, so waits for it are what bounds throughput).
                if (moved.rowsAffected === 1) {
                  const h = yield* head
                  const next = h > to ? yield* matching(filter, to, h, config.batchSize) : []
                  if (next.length > 0) {
                    const nextTo = next.length >= config.batchSize ? next[next.length - 1]!.seq : h
                    yield* db.execute(
                      "UPDATE webhooks SET pending_to = ? WHERE id = ? AND lease_holder = ? AND cursor_seq = ? AND generation = ? AND pending_to IS NULL",
                      [nextTo, id, holder, to, generation],
                    )
                  }
                }
                return "continue" as Step
              }
              observer?.failed(id)
              const failures = Number(row["failures"]) + 1
              const since = row["failing_since"] === null ? at : Number(row["failing_since"])
              if (at - since >= config.retryWindowMs) {
                const hours = Math.round((config.retryWindowMs / 3_600_000) * 10) / 10
                const reason = `Paused after ${failures} failed attempts over ${hours} h; last error: ${outcome.error ?? "unknown"}`
                const r = yield* db.execute(
                  "UPDATE webhooks SET active = 0, paused_reason = ?, paused_at = ?, failures = ?, lease_holder = NULL, lease_expires_at = 0, updated_at = ? WHERE id = ? AND lease_holder = ?",
                  [reason, at, failures, at, id, holder],
                )
                if (r.rowsAffected === 1) {
                  yield* auditLog.append({
                    actor: systemActor,
                    ip: null,
                    action: "webhooks.pause",
                    targetType: "webhook",
                    targetId: id,
                    changes: { reason, deliveryId },
                  })
                }
                return "stop" as Step
              }
              yield* db.execute(
                "UPDATE webhooks SET failures = ?, failing_since = ?, next_attempt_at = ? WHERE id = ? AND lease_holder = ? AND generation = ?",
                [failures, since, at + backoff(failures), id, holder, generation],
              )
              return "continue" as Step
            }),
          )
        })

      const deliverLoop = (
        id: string,
        holder: string,
        observer: DeliveryObserver | undefined,
        handOver: Set<string>,
      ) =>
        Effect.gen(function* () {
          // Handing over happens between deliveries, never in the middle of one.
          while (!handOver.has(id)) {
            const result = yield* step(id, holder, observer).pipe(
              Effect.catchCause(() =>
                // A database hiccup: back off briefly and look again (the lease decides).
                Effect.as(Effect.sleep(config.pollMs), "continue" as Step),
              ),
            )
            if (result === "stop") return
            if (result === "idle") {
              yield* Effect.raceFirst(db.nextCommit, Effect.sleep(config.pollMs))
            }
          }
        }).pipe(
          Effect.ensuring(
            Effect.andThen(
              release(id, holder),
              Effect.sync(() => handOver.delete(id)),
            ),
          ),
        )

      const runWorker = (options?: {
        readonly holderId?: string | undefined
        readonly observer?: DeliveryObserver | undefined
      }) =>
        Effect.gen(function* () {
          const holder =
            options?.holderId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`
          const running = new Map<string, Fiber.Fiber<void>>()
          const handOver = new Set<string>()
          const round = Effect.gen(function* () {
            for (const [id, fiber] of running)
              if (fiber.pollUnsafe() !== undefined) running.delete(id)
            const at = yield* now
            const rows = yield* db.query<{
              id: string
              lease_holder: string | null
              lease_expires_at: number
            }>(
              "SELECT id, lease_holder, lease_expires_at FROM webhooks WHERE active = 1 ORDER BY id",
            )
            // Nothing to deliver: no heartbeat either, so an idle process writes nothing.
            if (rows.length === 0 && running.size === 0) return
            yield* db.execute(
              "INSERT INTO webhook_workers (holder, seen_at) VALUES (?, ?) ON CONFLICT (holder) DO UPDATE SET seen_at = excluded.seen_at",
              [holder, at],
            )
            yield* db.execute("DELETE FROM webhook_workers WHERE seen_at < ?", [
              at - 10 * config.leaseMs,
            ])
            const [living] = yield* db.query<{ n: number }>(
              "SELECT count(*) AS n FROM webhook_workers WHERE seen_at >= ?",
              [at - config.leaseMs],
            )
            const share = Math.ceil(rows.length / Math.max(1, Number(living?.n ?? 1)))
            // More than a fair share while others are alive: hand one over per round.
            const held = [...running.keys()].filter((id) => !handOver.has(id))
            if (held.length > share) handOver.add(held[held.length - 1]!)
            let taken = 0
            for (const r of rows) {
              if (running.has(r.id)) continue
              const mine = r.lease_holder === holder
              const free = r.lease_holder === null || Number(r.lease_expires_at) < at
              // One new lease per round, and only up to a fair share.
              if (!mine && (!free || taken > 0 || running.size >= share)) continue
              const claimed = yield* db.execute(
                "UPDATE webhooks SET lease_holder = ?, lease_expires_at = ? WHERE id = ? AND active = 1 AND (lease_holder IS NULL OR lease_holder = ? OR lease_expires_at < ?)",
                [holder, at + config.leaseMs, r.id, holder, at],
              )
              if (claimed.rowsAffected !== 1) continue
              if (!mine) taken++
              running.set(
                r.id,
                yield* Effect.forkChild(deliverLoop(r.id, holder, options?.observer, handOver)),
              )
            }
          })
          const roundMs = Math.max(50, Math.min(config.leaseMs / 3, 1000))
          yield* Effect.addFinalizer(() =>
            Effect.ignore(db.execute("DELETE FROM webhook_workers WHERE holder = ?", [holder])),
          )
          for (;;) {
            yield* Effect.ignore(round)
            yield* Effect.sleep(Math.round(roundMs * (0.75 + Math.random() / 2)))
          }
        }).pipe(Effect.scoped) as Effect.Effect<never, never>

      return Webhooks.of({
        checkTarget,
        create,
        list,
        get,
        update,
        remove,
        rotateSecret,
        pause,
        resume,
        replay,
        attempts,
        sendTest,
        runWorker,
      })
    }),
  )
}
