/**
 * The Segment-compatible tracking API's write side: applies Segment calls to actionlog in one
 * write transaction, and keeps the tracking API's own state (migration 0007: the unknown-event
 * policy, the brand per write key, applied identify / alias message ids).
 *
 * Identities are linked first (userId + anonymousId on one customer), then aliases, then every
 * track / page / screen / group call is recorded in ONE `recordBatch` (transaction id =
 * `segment:<messageId>`, so a library's retry is answered "already processed"), then identify
 * calls become profile edits. Each call gets its own outcome; a bad call never stops the good
 * ones, and leaves no trace. The envelope checks and the Segment → actionlog mapping are pure,
 * in the domain (`Tracking`); the HTTP handler is in `@actionlog/api`.
 */
import { Clock, Context, Effect, Layer } from "effect"
import {
  Customer,
  Errors,
  Template,
  Tracking,
  type Ids,
  type RecordActionInput,
} from "@actionlog/domain"
import { ActionStore, type RecordedBy } from "./ActionStore"
import type { ApiKeyPrincipal } from "./auth/Principal"
import { Channels } from "./Channels"
import { Customers } from "./Customers"
import { Database } from "./Database"
import type { DatabaseError } from "./DatabaseError"
import { Profiles } from "./producers/Profiles"
import { Templates } from "./Templates"
import { Touchpoints } from "./Touchpoints"

export interface IngestInput {
  readonly principal: ApiKeyPrincipal
  /** Calls in request order; `type` is the endpoint's type or the call's own. */
  readonly calls: ReadonlyArray<{ readonly type: string; readonly message: unknown }>
  readonly receivedAt: number
  /** The batch envelope's `sentAt` / `context` (apply to calls that lack their own). */
  readonly sentAt?: unknown
  readonly context?: unknown
}

type Json = Record<string, unknown>

/** The brand of one write key (multi-brand projects). */
export interface TrackingSource {
  readonly apiKeyId: string
  readonly brandId: Ids.BrandId
}

// ---------------------------------------------------------------------------------------------
// Settings and message ids

/** What happens to a `track` call whose event name matches no template. */
export type UnknownEventPolicy = "createTemplate" | "reject"

export interface TrackingSettings {
  readonly unknownEvents: UnknownEventPolicy
}

export const defaultTrackingSettings: TrackingSettings = { unknownEvents: "createTemplate" }

const getSettings: Effect.Effect<TrackingSettings, DatabaseError, Database> = Database.use((db) =>
  Effect.map(
    db.query<{ value: string }>("SELECT value FROM tracking_settings WHERE key = 'project'"),
    ([row]) =>
      row === undefined
        ? defaultTrackingSettings
        : { ...defaultTrackingSettings, ...(JSON.parse(row.value) as Partial<TrackingSettings>) },
  ),
)

const updateSettings = (
  input: Partial<TrackingSettings>,
): Effect.Effect<TrackingSettings, DatabaseError, Database> =>
  Effect.gen(function* () {
    const db = yield* Database
    const after = { ...(yield* getSettings), ...input }
    yield* db.execute(
      "INSERT INTO tracking_settings (key, value) VALUES ('project', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      [JSON.stringify(after)],
    )
    return after
  })

/** The brand a write key's calls are recorded with (multi-brand projects). */
const sourceBrand = (
  apiKeyId: string,
): Effect.Effect<Ids.BrandId | undefined, DatabaseError, Database> =>
  Database.use((db) =>
    Effect.map(
      db.query<{ brand_id: string }>("SELECT brand_id FROM tracking_sources WHERE api_key_id = ?", [
        apiKeyId,
      ]),
      ([row]) => row?.brand_id as Ids.BrandId | undefined,
    ),
  )

/** Set (or with `null` clear) the brand of a write key. */
const setSourceBrand = (
  apiKeyId: string,
  brandId: Ids.BrandId | null,
): Effect.Effect<void, DatabaseError, Database> =>
  Effect.gen(function* () {
    const db = yield* Database
    yield* brandId === null
      ? db.execute("DELETE FROM tracking_sources WHERE api_key_id = ?", [apiKeyId])
      : db.execute(
          "INSERT INTO tracking_sources (api_key_id, brand_id) VALUES (?, ?) ON CONFLICT (api_key_id) DO UPDATE SET brand_id = excluded.brand_id",
          [apiKeyId, brandId],
        )
  })

/** Whether an identify / alias message id was applied already. */
const wasProcessed = (
  messageId: string,
): Effect.Effect<string | null | undefined, DatabaseError, Database> =>
  Database.use((db) =>
    Effect.map(
      db.query<{ customer_id: string | null }>(
        "SELECT customer_id FROM tracking_messages WHERE message_id = ?",
        [messageId],
      ),
      ([row]) => (row === undefined ? undefined : row.customer_id),
    ),
  )

/** Mark a message applied (inside the transaction that applied it). */
const markProcessed = (
  messageId: string,
  customerId: string | null,
  now: number,
): Effect.Effect<void, DatabaseError, Database> =>
  Database.use((db) =>
    Effect.asVoid(
      db.execute(
        "INSERT INTO tracking_messages (message_id, customer_id, processed_at) VALUES (?, ?, ?) ON CONFLICT (message_id) DO NOTHING",
        [messageId, customerId, now],
      ),
    ),
  )

// ---------------------------------------------------------------------------------------------
// Applying calls

/** Internal: an attempt had rejected calls, so its savepoint is rolled back. */
class Rejected {
  readonly _tag = "Rejected"
  constructor(readonly outcomes: ReadonlyMap<number, Tracking.Outcome>) {}
}

/** Internal: no call was accepted, so the whole transaction is rolled back. */
class NothingAccepted {
  readonly _tag = "NothingAccepted"
}

const ingestCalls = Effect.fnUntraced(function* (input: IngestInput) {
  const db = yield* Database
  const outcomes: Array<Tracking.Outcome | undefined> = input.calls.map(() => undefined)
  let active: Array<Tracking.ParsedCall> = []
  input.calls.forEach((c, i) => {
    const r = Tracking.parseCall(i, c.type, c.message, input)
    if ("status" in r) outcomes[i] = r
    else active.push(r)
  })
  if (active.length === 0) return outcomes as ReadonlyArray<Tracking.Outcome>

  // A rejected call must leave no trace: the touchpoints, templates, customers and identifiers
  // made for it would otherwise stay. So the calls are applied in a savepoint; when some are
  // rejected it is rolled back and the others applied again without them, until every
  // remaining call is accepted (all in one write transaction). When none is, the transaction
  // is rolled back: the request changed nothing.
  const recordedBy: RecordedBy = { kind: "apiKey", id: input.principal.id }
  const attempt = (calls: ReadonlyArray<Tracking.ParsedCall>) =>
    db.transaction(
      Effect.flatMap(applyCalls(calls, input, recordedBy), (result) =>
        [...result.values()].some((o) => o.status === "rejected")
          ? Effect.fail(new Rejected(result))
          : Effect.succeed(result),
      ),
    )
  const program = Effect.gen(function* () {
    while (true) {
      const result = yield* attempt(active).pipe(
        Effect.catchIf(
          (e): e is Rejected => e instanceof Rejected,
          (e) => Effect.succeed(e),
        ),
      )
      if (!(result instanceof Rejected)) {
        for (const [i, o] of result) outcomes[i] = o
        return
      }
      for (const [i, o] of result.outcomes) if (o.status === "rejected") outcomes[i] = o
      active = active.filter((p) => result.outcomes.get(p.index)?.status !== "rejected")
      if (active.length === 0) return yield* Effect.fail(new NothingAccepted())
    }
  })
  yield* db.transaction(program).pipe(
    Effect.catchIf(
      (e): e is NothingAccepted => e instanceof NothingAccepted,
      () => Effect.void,
    ),
  )
  return outcomes as ReadonlyArray<Tracking.Outcome>
})

/** Applies the calls (inside the caller's transaction); one outcome per call index. */
const applyCalls = Effect.fnUntraced(function* (
  parsed: ReadonlyArray<Tracking.ParsedCall>,
  input: IngestInput,
  recordedBy: RecordedBy,
) {
  const db = yield* Database
  const customers = yield* Customers
  const outcomes = new Map<number, Tracking.Outcome>()
  const brand = yield* sourceBrand(input.principal.id)
  yield* ensureTouchpoints(new Set(parsed.map((p) => p.source)))

  yield* linkIdentities(
    parsed.filter((p) => p.type !== "alias"),
    recordedBy,
  )

  for (const p of parsed) {
    if (p.type === "alias") outcomes.set(p.index, yield* applyAlias(p, recordedBy))
  }

  const actionCalls = parsed.filter(Tracking.isActionCall)
  if (actionCalls.length > 0) {
    const planned = yield* planActions(actionCalls)
    const inputs: Array<RecordActionInput.RecordActionInput> = []
    const owners: Array<number> = []
    for (const [i, p] of actionCalls.entries()) {
      const plan = planned[i]!
      if ("status" in plan) {
        outcomes.set(p.index, plan)
        continue
      }
      inputs.push({
        customer: { identifier: Tracking.customerIdentifierOf(p) },
        createCustomer: true,
        template: plan.template as Ids.TemplateName,
        occurredAt: new Date(p.occurredAt).toISOString(),
        touchpoint: { externalId: Tracking.touchpointExternalIds[p.source] },
        ...(brand === undefined ? {} : { brand }),
        ...(p.messageId === undefined
          ? {}
          : { transactionId: Tracking.transactionIdOf(p.messageId) as Ids.TransactionId }),
        payload: plan.payload,
        customFields: plan.customFields,
      })
      owners.push(p.index)
    }
    const actions = yield* ActionStore
    for (let start = 0; start < inputs.length; start += 1000) {
      const results = yield* actions
        .recordBatch(inputs.slice(start, start + 1000), { recordedBy })
        .pipe(Effect.catchTag("BatchTooLarge", (e) => Effect.die(e)))
      results.forEach((r, j) => {
        const index = owners[start + j]!
        outcomes.set(
          index,
          r.status === "rejected"
            ? { status: "rejected", tag: r.tag, message: r.message, path: r.path }
            : { status: r.status, actionId: r.id },
        )
      })
    }
  }

  for (const p of parsed) {
    if (p.type !== "identify") continue
    outcomes.set(p.index, yield* applyIdentify(p, recordedBy, db, customers))
  }
  return outcomes
})

// ---------------------------------------------------------------------------------------------
// Touchpoints

const ensureTouchpoints = Effect.fnUntraced(function* (
  sources: ReadonlySet<Tracking.TrackingSource>,
) {
  const db = yield* Database
  const wanted = [...sources].map((s) => Tracking.touchpointExternalIds[s])
  const rows = yield* db.query<{ external_id: string }>(
    `SELECT external_id FROM touchpoints WHERE external_id IN (${wanted.map(() => "?").join(", ")})`,
    wanted,
  )
  const have = new Set(rows.map((r) => r.external_id))
  const missing = [...sources].filter((s) => !have.has(Tracking.touchpointExternalIds[s]))
  if (missing.length === 0) return
  const channels = yield* Channels
  const touchpoints = yield* Touchpoints
  const channelId = yield* Effect.gen(function* () {
    const [row] = yield* db.query<{ id: string }>("SELECT id FROM channels WHERE external_id = ?", [
      Tracking.trackingChannel.externalId,
    ])
    if (row !== undefined) return row.id as Ids.ChannelId
    return yield* channels.create(Tracking.trackingChannel).pipe(
      Effect.map((c) => c.id),
      // A concurrent request created it first.
      Effect.catchTag("AlreadyExists", () =>
        Effect.map(
          db.query<{ id: string }>("SELECT id FROM channels WHERE external_id = ?", [
            Tracking.trackingChannel.externalId,
          ]),
          ([r]) => r!.id as Ids.ChannelId,
        ),
      ),
      Effect.catchTag("UnknownChannel", (e) => Effect.die(e)),
    )
  })
  for (const s of missing) {
    yield* touchpoints
      .create({
        externalId: Tracking.touchpointExternalIds[s],
        name: Tracking.touchpointDefinitions[s].name,
        kind: Tracking.touchpointDefinitions[s].kind,
        channelId,
      })
      .pipe(
        Effect.catchTag("AlreadyExists", () => Effect.void),
        Effect.catchTags({ UnknownChannel: Effect.die, UnknownBrand: Effect.die }),
      )
  }
})

// ---------------------------------------------------------------------------------------------
// Identities

type IdentifierRow = { kind: string; value: string; customer_id: string }

/**
 * Calls that carry both ids put both on one customer: a new customer gets both, a known
 * anonymous visitor gains the userId (and a known user the anonymousId, when it has none).
 * Best effort: when the two ids belong to two customers they stay apart (see docs).
 */
const linkIdentities = Effect.fnUntraced(function* (
  calls: ReadonlyArray<Tracking.ParsedCall>,
  recordedBy: RecordedBy,
) {
  const pairs = new Map<
    string,
    { userId: string; anonymousId: string; source: Tracking.TrackingSource }
  >()
  for (const p of calls) {
    if (p.userId !== undefined && p.anonymousId !== undefined)
      pairs.set(`${p.userId}\u0000${p.anonymousId}`, {
        userId: p.userId,
        anonymousId: p.anonymousId,
        source: p.source,
      })
  }
  if (pairs.size === 0) return
  const db = yield* Database
  const customers = yield* Customers
  const list = [...pairs.values()]
  const users = [...new Set(list.map((p) => p.userId))]
  const anons = [...new Set(list.map((p) => p.anonymousId))]
  const rows = yield* db.query<IdentifierRow>(
    // Identifiers a merge redirected count as known (they resolve to the survivor).
    `SELECT kind, value, customer_id FROM customer_identifiers
      WHERE (kind = 'userId' AND value IN (${users.map(() => "?").join(", ")}))
         OR (kind = 'anonymousId' AND value IN (${anons.map(() => "?").join(", ")}))
     UNION ALL
     SELECT kind, value, customer_id FROM identifier_redirects
      WHERE (kind = 'userId' AND value IN (${users.map(() => "?").join(", ")}))
         OR (kind = 'anonymousId' AND value IN (${anons.map(() => "?").join(", ")}))`,
    [...users, ...anons, ...users, ...anons],
  )
  const owner = new Map<string, string>()
  for (const r of rows)
    if (!owner.has(`${r.kind}:${r.value}`)) owner.set(`${r.kind}:${r.value}`, r.customer_id)
  for (const pair of list) {
    const u = owner.get(`userId:${pair.userId}`)
    const a = owner.get(`anonymousId:${pair.anonymousId}`)
    if (u !== undefined && a !== undefined) continue
    const userIdent = { kind: Tracking.USER_ID_KIND, value: pair.userId }
    const anonIdent = { kind: Tracking.ANONYMOUS_ID_KIND, value: pair.anonymousId }
    if (u === undefined && a === undefined) {
      const created = yield* customers.create({ identifiers: [userIdent, anonIdent] }).pipe(
        Effect.catchTags({
          IdentifierTaken: () => Effect.void,
          InvalidPayload: () => Effect.void,
        }),
      )
      if (created !== undefined) {
        owner.set(`userId:${pair.userId}`, created.id)
        owner.set(`anonymousId:${pair.anonymousId}`, created.id)
      }
      continue
    }
    const [id, add] = u === undefined ? [a!, userIdent] : [u, anonIdent]
    const profile = yield* customers
      .get(id)
      .pipe(Effect.catchTag("CustomerNotFound", () => Effect.void))
    if (profile === undefined || profile.identifiers.some((x) => x.kind === add.kind)) continue
    yield* customers
      .update(
        id,
        { identifiers: [...profile.identifiers, add] },
        {
          by: "customer",
          recordedBy,
          touchpoint: { externalId: Tracking.touchpointExternalIds[pair.source] },
        },
      )
      .pipe(
        Effect.catchIf(
          (e) => e["_tag"] !== "DatabaseError",
          () => Effect.void,
        ),
      )
    owner.set(`${add.kind}:${add.value}`, id)
  }
})

const findBy = (customers: Customers["Service"], kind: string, value: string) =>
  customers
    .findByIdentifier({ kind, value })
    .pipe(Effect.catchTag("CustomerNotFound", () => Effect.succeed(undefined)))

/**
 * `alias(previousId → userId)`: put the new userId on the customer known by previousId (as a
 * userId or an anonymousId), or previousId (as anonymousId) on the customer known by userId.
 * When both ids already name two customers, the previous one is merged into the userId's
 * (`Profiles.merge`: `CustomersMerged`, its actions and identifiers move, its ids redirect).
 */
const applyAlias = (p: Tracking.ParsedCall, recordedBy: RecordedBy) =>
  Effect.gen(function* () {
    const db = yield* Database
    const customers = yield* Customers
    const profiles = yield* Profiles
    const userId = p.userId!
    const previousId = Tracking.idOf(p.message["previousId"])!
    const program = Effect.gen(function* () {
      if (p.messageId !== undefined) {
        const seen = yield* wasProcessed(Tracking.transactionIdOf(p.messageId))
        if (seen !== undefined) return { status: "alreadyProcessed" } as Tracking.Outcome
      }
      const previous =
        (yield* findBy(customers, Tracking.USER_ID_KIND, previousId)) ??
        (yield* findBy(customers, Tracking.ANONYMOUS_ID_KIND, previousId))
      const current = yield* findBy(customers, Tracking.USER_ID_KIND, userId)
      const userIdent = { kind: Tracking.USER_ID_KIND, value: userId }
      const prevIdent = { kind: Tracking.ANONYMOUS_ID_KIND, value: previousId }
      let outcome: Tracking.Outcome = { status: "unchanged" }
      let customerId: string | null = null
      const tp = { externalId: Tracking.touchpointExternalIds[p.source] }
      const ctx = { touchpoint: tp, recordedBy, occurredAt: new Date(p.occurredAt).toISOString() }
      if (previous === undefined && current === undefined) {
        const c = yield* customers.create({ identifiers: [userIdent, prevIdent] })
        customerId = c.id
        outcome = { status: "recorded" }
      } else if (previous !== undefined && current !== undefined) {
        customerId = current.id
        if (previous.id !== current.id) {
          const merged = yield* profiles.merge({ id: current.id }, { id: previous.id }, ctx)
          outcome = { status: "recorded", actionId: merged.actionId }
        }
      } else if (previous !== undefined) {
        customerId = previous.id
        const had = previous.identifiers.find((x) => x.kind === Tracking.USER_ID_KIND)
        if (had !== undefined) {
          // previousId was an older userId: a customer has one userId, so the new userId gets
          // a customer and the old one is merged into it (the old userId redirects there).
          const c = yield* customers.create({ identifiers: [userIdent] })
          const merged = yield* profiles.merge({ id: c.id }, { id: previous.id }, ctx)
          customerId = c.id
          outcome = { status: "recorded", actionId: merged.actionId }
        } else {
          const r = yield* customers.update(
            previous.id,
            { identifiers: [...previous.identifiers, userIdent] },
            { by: "customer", recordedBy, touchpoint: tp },
          )
          outcome = { status: "recorded", actionId: r.actionId }
        }
      } else if (current !== undefined) {
        customerId = current.id
        if (!current.identifiers.some((x) => x.kind === Tracking.ANONYMOUS_ID_KIND)) {
          const r = yield* customers.update(
            current.id,
            { identifiers: [...current.identifiers, prevIdent] },
            { by: "customer", recordedBy, touchpoint: tp },
          )
          outcome = { status: "recorded", actionId: r.actionId }
        }
      }
      if (p.messageId !== undefined) {
        yield* markProcessed(
          Tracking.transactionIdOf(p.messageId),
          customerId,
          yield* Clock.currentTimeMillis,
        )
      }
      return outcome
    })
    return yield* db.transaction(program).pipe(
      Effect.catchIf(
        (e): e is Exclude<typeof e, DatabaseError> => e["_tag"] !== "DatabaseError",
        (e) => Effect.succeed(Tracking.rejection(e)),
      ),
    )
  })

/** `identify`: traits become a profile edit (`ProfileEdited` with the diff) of the customer. */
const applyIdentify = (
  p: Tracking.ParsedCall,
  recordedBy: RecordedBy,
  db: Database["Service"],
  customers: Customers["Service"],
) => {
  const program = Effect.gen(function* () {
    if (p.messageId !== undefined) {
      const seen = yield* wasProcessed(Tracking.transactionIdOf(p.messageId))
      if (seen !== undefined) return { status: "alreadyProcessed" } as Tracking.Outcome
    }
    const ref = Tracking.customerIdentifierOf(p)
    const before =
      (yield* findBy(customers, ref.kind, ref.value)) ??
      (yield* customers.create({ identifiers: [ref] }))
    const mapped = Tracking.traitsToProfile(Tracking.traitsOf(p), p.context)
    const identifiers = [...before.identifiers]
    let identifiersChanged = false
    for (const id of mapped.identifiers) {
      const n = Customer.normalizeIdentifier(id)
      const i = identifiers.findIndex((x) => x.kind === n.kind)
      if (i === -1) identifiers.push(n)
      else if (identifiers[i]!.value !== n.value) identifiers[i] = n
      else continue
      identifiersChanged = true
    }
    const r = yield* customers.update(
      before.id,
      {
        personal: mapped.personal,
        customFields: mapped.customFields,
        ...(identifiersChanged ? { identifiers } : {}),
      },
      {
        by: "customer",
        recordedBy,
        touchpoint: { externalId: Tracking.touchpointExternalIds[p.source] },
        // The call's own (clock-skew corrected) time, like every other tracked event.
        occurredAt: new Date(p.occurredAt).toISOString(),
      },
    )
    if (p.messageId !== undefined) {
      yield* markProcessed(
        Tracking.transactionIdOf(p.messageId),
        before.id,
        yield* Clock.currentTimeMillis,
      )
    }
    return (
      r.actionId === undefined
        ? { status: "unchanged" }
        : { status: "recorded", actionId: r.actionId }
    ) as Tracking.Outcome
  })
  return db.transaction(program).pipe(
    Effect.catchIf(
      (e): e is Exclude<typeof e, DatabaseError> => e["_tag"] !== "DatabaseError",
      (e) => Effect.succeed(Tracking.rejection(e)),
    ),
  )
}

// ---------------------------------------------------------------------------------------------
// Templates

interface Plan {
  readonly template: string
  readonly payload: Json
  readonly customFields: Json
}

/**
 * The template, payload and custom fields of each action call. Unknown event names create a
 * custom template (or are rejected, per the setting); templates the tracking API created gain
 * optional fields for new scalar properties.
 */
const planActions = Effect.fnUntraced(function* (calls: ReadonlyArray<Tracking.ParsedCall>) {
  const templates = yield* Templates
  let all = yield* templates.list()
  const shapes = calls.map(Tracking.actionShape)
  const resolved = shapes.map((s, i) => {
    if (calls[i]!.type === "track") {
      const spec = Tracking.specMappingFor(s.event)
      if (spec !== undefined) return { spec, name: spec.template }
    }
    const t = Tracking.findTemplate(s.event, all)
    return t === undefined ? { name: undefined } : { name: t.systemName as string }
  })

  // Properties seen per template the tracking API manages (to create / widen it).
  const seen = new Map<string, { display: string; properties: Json }>()
  for (const [i, s] of shapes.entries()) {
    const r = resolved[i]!
    if ("spec" in r) continue
    const def = r.name === undefined ? undefined : all.find((t) => t.systemName === r.name)
    if (def !== undefined && !def.tags.includes(Tracking.TEMPLATE_TAG)) continue
    const key = r.name ?? s.event
    const entry = seen.get(key) ?? { display: s.event, properties: {} }
    for (const [k, v] of Object.entries(s.properties)) {
      if (!(k in entry.properties)) entry.properties[k] = v
    }
    seen.set(key, entry)
  }

  let settings: TrackingSettings | undefined
  const created = new Map<string, string | Tracking.Outcome>()
  for (const [key, entry] of seen) {
    const def = all.find((t) => t.systemName === key)
    if (def !== undefined) {
      const fields = Tracking.inferNewFields(entry.properties, def.customFields)
      if (fields.length === 0) continue
      // Best effort: a field another writer added with another type keeps values in the payload.
      yield* templates
        .update(def.systemName, { customFields: [...def.customFields, ...fields] })
        .pipe(
          Effect.catchIf(
            (e) => e["_tag"] !== "DatabaseError",
            () => Effect.void,
          ),
        )
      continue
    }
    const fixed = Object.values(Tracking.fixedTemplates).find((f) => f.name === key)
    if (fixed === undefined) {
      settings ??= yield* getSettings
      if (settings.unknownEvents === "reject") {
        created.set(
          key,
          Tracking.rejection(
            {
              _tag: "UnknownTemplate",
              message: `No template matches the event "${key}" and this project rejects unknown events (tracking setting unknownEvents = "reject")`,
            },
            ["event"],
          ),
        )
        continue
      }
    }
    const displayName = fixed?.display ?? entry.display
    const systemName = fixed?.name ?? Template.deriveSystemName(entry.display)
    const made = yield* templates
      .create({
        displayName,
        systemName: systemName as Ids.TemplateName,
        category: "personal",
        description: `Created by the tracking API on the first "${entry.display}" call.`,
        tags: [Tracking.TEMPLATE_TAG],
        customFields: Tracking.inferNewFields(entry.properties, []),
      })
      .pipe(
        Effect.map((t) => t.systemName as string),
        Effect.catchTag("TemplateAlreadyExists", (e) => Effect.succeed(e.template)),
        Effect.catchTags({
          InvalidTemplate: (e) => Effect.succeed(Tracking.rejection(e, ["event"])),
          UnknownBrand: (e) => Effect.succeed(Tracking.rejection(e)),
        }),
      )
    created.set(key, made)
  }
  if (seen.size > 0) all = yield* templates.list()

  return shapes.map((s, i): Plan | Tracking.Outcome => {
    const r = resolved[i]!
    const p = calls[i]!
    if ("spec" in r && r.spec !== undefined) {
      const def = all.find((t) => t.systemName === r.name)
      return {
        template: r.name,
        payload: r.spec.payload({
          properties: s.properties,
          userId: p.userId,
          anonymousId: p.anonymousId,
        }),
        customFields: Tracking.splitProperties(
          s.properties,
          def?.customFields ?? [],
          r.spec.consumes,
        ).customFields,
      }
    }
    let name = r.name
    if (name === undefined) {
      const c = created.get(s.event)
      if (c === undefined)
        return Tracking.rejection(new Errors.UnknownTemplate({ template: s.event }), ["event"])
      if (typeof c !== "string") return c
      name = c
    }
    const def = all.find((t) => t.systemName === name)
    const split = Tracking.splitProperties(s.properties, def?.customFields ?? [])
    return { template: name, payload: split.rest, customFields: split.customFields }
  })
})

// ---------------------------------------------------------------------------------------------
// Service

export class TrackingStore extends Context.Service<
  TrackingStore,
  {
    /** Applies the calls of one request; one outcome per call, in order. */
    readonly ingest: (
      input: IngestInput,
    ) => Effect.Effect<ReadonlyArray<Tracking.Outcome>, DatabaseError>
    readonly settings: Effect.Effect<TrackingSettings, DatabaseError>
    readonly updateSettings: (
      input: Partial<TrackingSettings>,
    ) => Effect.Effect<TrackingSettings, DatabaseError>
    /** The brand of every write key that has one, by key id. */
    readonly sources: Effect.Effect<ReadonlyArray<TrackingSource>, DatabaseError>
    /** Set (or with `null` clear) the brand of a write key. */
    readonly setSourceBrand: (
      apiKeyId: string,
      brandId: Ids.BrandId | null,
    ) => Effect.Effect<void, DatabaseError>
  }
>()("@actionlog/store/TrackingStore") {
  static readonly layer = Layer.effect(
    TrackingStore,
    Effect.gen(function* () {
      const db = yield* Database
      const customers = yield* Customers
      const actions = yield* ActionStore
      const channels = yield* Channels
      const touchpoints = yield* Touchpoints
      const templates = yield* Templates
      const profiles = yield* Profiles
      const provide = <A, E>(
        effect: Effect.Effect<
          A,
          E,
          Database | Customers | ActionStore | Channels | Touchpoints | Templates | Profiles
        >,
      ) =>
        effect.pipe(
          Effect.provideService(Database, db),
          Effect.provideService(Customers, customers),
          Effect.provideService(ActionStore, actions),
          Effect.provideService(Channels, channels),
          Effect.provideService(Touchpoints, touchpoints),
          Effect.provideService(Templates, templates),
          Effect.provideService(Profiles, profiles),
        )
      return TrackingStore.of({
        ingest: Effect.fn("TrackingStore.ingest")(function* (input: IngestInput) {
          return yield* provide(ingestCalls(input))
        }),
        settings: provide(getSettings),
        updateSettings: (input) => provide(updateSettings(input)),
        sources: Effect.map(
          db.query<{ api_key_id: string; brand_id: string }>(
            "SELECT api_key_id, brand_id FROM tracking_sources ORDER BY api_key_id",
          ),
          (rows) =>
            rows.map((r) => ({ apiKeyId: r.api_key_id, brandId: r.brand_id as Ids.BrandId })),
        ),
        setSourceBrand: (apiKeyId, brandId) => provide(setSourceBrand(apiKeyId, brandId)),
      })
    }),
  )
}
