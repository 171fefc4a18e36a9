import { Catalog, type RecordActionInput } from "@actionlog/domain"
import { Clock, Effect } from "effect"
import {
  ActionStore,
  AuditLog,
  Brands,
  Channels,
  Customers,
  Database,
  Settings,
  StaffUsers,
  Templates,
  Touchpoints,
} from "@actionlog/store"
import type { Actor } from "@actionlog/store"
import * as Demo from "./DemoData"
import { producerDemo } from "./producerDemo"
import { IMPORT_AGE_MS, recordedAt, recordingDelays, settableClock } from "./recordingTimes"

/** The demo admin made on an empty database (printed at start; used by browser tests). */
export const demoAdmin = { email: "admin@example.com", password: "actionlog-demo" } as const

export interface SeedResult {
  readonly email: string
  readonly password: string
  readonly customers: number
  readonly actions: number
  readonly rejected: number
}

const seedActor: Actor = { kind: "system", id: null, label: "seed" }
const DAY = 24 * 3600 * 1000

type Input = RecordActionInput.RecordActionInput

/** Months of plausible history for one customer, oldest first. */
const history = (
  r: () => number,
  customer: { id: string; email: string },
  index: number,
  now: number,
): Array<Input> => {
  const items: Array<Input> = []
  const start = now - (30 + Math.floor(r() * 150)) * DAY
  let t = start
  const at = () => new Date(Math.min(t, now - 60_000)).toISOString()
  const step = (maxHours: number) => (t += Math.floor(r() * maxHours * 3600 * 1000) + 60_000)
  const web = r() < 0.7 ? "northwind-web" : "southwind-web"
  const add = (template: string, payload: Record<string, unknown>, touchpoint?: string) =>
    items.push({
      customer: { id: customer.id },
      template,
      occurredAt: at(),
      ...(touchpoint === undefined ? {} : { touchpoint: { externalId: touchpoint } }),
      transactionId: `seed-${index}-${items.length}`,
      payload,
    } as unknown as Input)

  add(
    "CustomerRegistered",
    { method: "email", identifiers: [{ kind: "email", value: customer.email }] },
    web,
  )
  const sessions = 3 + Math.floor(r() * 8)
  for (let s = 0; s < sessions; s++) {
    if (t >= now - DAY) break
    step(24 * 9)
    add(
      "CustomerSignedIn",
      { method: r() < 0.8 ? "password" : "oneTimeCode" },
      r() < 0.6 ? web : "northwind-ios",
    )
    const views = 1 + Math.floor(r() * 4)
    for (let v = 0; v < views; v++) {
      step(0.2)
      const p = Demo.product(r)
      if (r() < 0.3) add("CategoryViewed", { categoryId: p.categoryId, name: p.categoryId }, web)
      add("ProductViewed", { product: p }, web)
    }
    if (r() < 0.5) {
      step(0.1)
      const p = Demo.product(r)
      add(
        "ProductListChanged",
        {
          list: r() < 0.8 ? "cart" : "wishlist",
          op: "add",
          items: [{ productId: p.productId, quantity: 1, price: p.price }],
        },
        web,
      )
    }
    if (r() < 0.15) {
      step(24)
      items.push({
        customer: { id: customer.id },
        template: "StoreVisit",
        occurredAt: at(),
        touchpoint: { externalId: r() < 0.5 ? "store-tverskaya" : "store-nevsky" },
        transactionId: `seed-${index}-${items.length}`,
        customFields: {
          visitId: `visit-${index}-${s}`,
          minutes: 5 + Math.floor(r() * 40),
          zone: "fitting",
        },
      } as unknown as Input)
    }
  }
  return items
}

/**
 * Loads the demo project when the database holds no customers and no staff; otherwise does
 * nothing and returns null. Everything goes through the store services, so it is all valid.
 */
export const seedIfEmpty = (
  log: (line: string) => void,
  options: { readonly customers?: number } = {},
) =>
  Effect.gen(function* () {
    const db = yield* Database
    const staff = yield* StaffUsers
    const isEmpty = Effect.gen(function* () {
      const [row] = yield* db.query<{ n: number }>("SELECT COUNT(*) AS n FROM customers")
      return (row?.n ?? 0) === 0 && (yield* staff.count) === 0
    })
    if (!(yield* isEmpty)) return null
    const now = Date.now()
    const r = Demo.rng(20260301)
    const audit = yield* AuditLog
    const brands = yield* Brands
    const channels = yield* Channels
    const touchpoints = yield* Touchpoints
    const templates = yield* Templates
    const settings = yield* Settings
    const customers = yield* Customers
    const store = yield* ActionStore
    const note = (action: string, targetType: string, targetId: string | null, changes: unknown) =>
      audit.append({ actor: seedActor, ip: null, action, targetType, targetId, changes })

    // The emptiness check is repeated inside the write transaction, so two servers starting
    // on one empty database seed it once (the second sees the first's demo admin).
    const configured = yield* db.transaction(
      Effect.gen(function* () {
        if (!(yield* isEmpty)) return false
        log("Empty database: loading demo data…")
        for (const b of Demo.brands) {
          yield* brands.create(b as never)
          yield* note("brands.create", "brand", b.id, { after: b })
        }
        const channelIds = new Map<string, string>()
        for (const [externalId, name, parent] of Demo.channels) {
          const parentId = parent === null ? undefined : channelIds.get(parent)
          const c = yield* channels.create({
            externalId,
            name,
            ...(parentId === undefined ? {} : { parentId: parentId as never }),
          })
          channelIds.set(externalId, c.id)
          yield* note("channels.create", "channel", c.id, { after: c })
        }
        for (const [externalId, name, kind, channel, brand] of Demo.touchpoints) {
          const tp = yield* touchpoints.create({
            externalId,
            name,
            kind,
            channelId: channelIds.get(channel)! as never,
            ...(brand === undefined ? {} : { brandId: brand as never }),
          })
          yield* note("touchpoints.create", "touchpoint", tp.id, { after: tp })
        }
        const template = yield* templates.create(Demo.customTemplate as never)
        yield* note("templates.create", "template", template.systemName, { after: template })
        const web = yield* touchpoints.getByExternalId("northwind-web")
        const before = yield* settings.get
        const after = yield* settings.update({
          defaultBrandId: "northwind" as never,
          defaultTouchpointId: web.id,
        })
        yield* note("settings.update", "settings", null, { before, after })
        const user = yield* staff.create({ ...demoAdmin, name: "Demo Admin", role: "admin" })
        yield* note("staff.create", "staff", user.id, { email: user.email, role: user.role })
        return true
      }),
    )
    if (!configured) return null

    const people = Demo.makeCustomers(options.customers ?? 40, r)
    const created: Array<{ id: string; email: string }> = []
    yield* db.transaction(
      Effect.forEach(people, (p) =>
        customers
          .create({
            identifiers: [
              { kind: "email", value: p.email },
              { kind: "phone", value: p.phone },
              { kind: "websiteId", value: p.websiteId },
            ],
            personal: { firstName: p.firstName, lastName: p.lastName, city: p.city },
            tags: p.tags,
          })
          .pipe(Effect.tap((c) => Effect.sync(() => created.push({ id: c.id, email: p.email })))),
      ),
    )

    // Browsing, sign-ins and store visits: actions with no state of their own behind them.
    // Orders, messages, codes, bonus points, notes, tags and merges come from the producers
    // below, so each of those actions has its order / message / code behind it.
    const items: Array<Input> = created.flatMap((c, i) => history(r, c, i, now))
    let recorded = 0
    let rejected = 0
    const by = { recordedBy: { kind: "system", id: "seed" } as const }
    // Recorded times like a real project's: each action recorded (under the seed's clock) a
    // little after its event time, a few late, and the first customers' older history by
    // one import two months ago.
    const recording = settableClock(yield* Clock.Clock)
    const delay = recordingDelays(20260301)
    const importDay = now - IMPORT_AGE_MS
    const imported = new Set(created.slice(0, 3).map((c) => c.id))
    const importBy = { recordedBy: { kind: "import", id: "legacy-crm-export" } as const }
    const recordOne = (item: Input) => {
      const occurred = Date.parse(String(item.occurredAt))
      const old = imported.has((item.customer as { id: string }).id) && occurred < importDay
      recording.set(old ? importDay + 3_600_000 : recordedAt(occurred, delay(), now))
      return store.recordBatch([item], old ? importBy : by).pipe(
        Effect.tap((results) =>
          Effect.sync(() => {
            for (const res of results) {
              if (res.status === "rejected") {
                rejected++
                if (rejected <= 5)
                  log(`  seed: rejected ${item.template}: ${res.tag} ${res.message}`)
              } else recorded++
            }
          }),
        ),
      )
    }
    const recordAll = (batch: ReadonlyArray<Input>) =>
      db
        .transaction(Effect.forEach(batch, recordOne, { discard: true }))
        .pipe(
          Effect.provideService(Clock.Clock, recording.clock),
          Effect.ensuring(Effect.sync(() => recording.set(undefined))),
        )
    yield* recordAll(items)
    // Orders, campaigns, promo codes, bonus points, notes and a merge, through the producers;
    // each producer call runs at the recording time of the action it makes.
    const produced = yield* producerDemo(created, r, now, (ms) =>
      recording.set(recordedAt(ms, delay(), now)),
    ).pipe(
      Effect.provideService(Clock.Clock, recording.clock),
      Effect.ensuring(Effect.sync(() => recording.set(undefined))),
    )
    log(
      `Producers: ${produced.orders} orders, ${produced.messageEvents} message events, ${produced.codesIssued} codes issued, ${produced.codesRedeemed} redeemed.`,
    )
    // Every built-in template appears at least once: whatever neither the histories nor the
    // producers made is recorded once from the catalog's example payload.
    const stored = yield* db.query<{ template: string }>("SELECT DISTINCT template FROM actions")
    const used = new Set(stored.map((row) => row.template))
    const extras: Array<Input> = []
    for (const t of Catalog.listBuiltInTemplates()) {
      const name = t.definition.systemName as string
      if (used.has(name)) continue
      const c = created[Math.floor(r() * created.length)]!
      extras.push({
        customer: { id: c.id },
        template: name,
        occurredAt: new Date(now - Math.floor(r() * 20 * DAY) - 60_000).toISOString(),
        touchpoint: {
          externalId:
            name.startsWith("Message") || name === "UnsubscribeRequested" ? "esp" : "admin-panel",
        },
        transactionId: `seed-extra-${name}`,
        payload: Demo.example(name),
      } as unknown as Input)
    }
    yield* recordAll(extras)
    const [total] = yield* db.query<{ n: number }>("SELECT COUNT(*) AS n FROM actions")
    log(
      `Demo data: ${created.length} customers, ${total?.n ?? recorded} actions, ${Demo.brands.length} brands, ${Demo.touchpoints.length} touchpoints.`,
    )
    return {
      email: demoAdmin.email,
      password: demoAdmin.password,
      customers: created.length,
      actions: total?.n ?? recorded,
      rejected,
    } satisfies SeedResult
  })
