/**
 * The remote write path against a real Hrana server (the testkit's stand-in for sqld): what a
 * batch costs in round trips, and that concurrent writers on two clients keep the rules
 * (one action per transaction id, one customer per identifier).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startHranaServer, type HranaServer } from "@actionlog/testkit"
import type { RecordActionInput } from "@actionlog/domain"
import { Effect, Layer, ManagedRuntime } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Store from "../src/index"
import { input } from "./support"

/** An item's answer without its status: the action id, or the rejection's tag. */
const answer = (r: Store.BatchItemResult) => (r.status === "rejected" ? r.tag : r.id)

const product = { product: { productId: "p-1", name: "Shirt", price: 10 } }

let dir: string
let server: HranaServer
const runtimes: Array<ManagedRuntime.ManagedRuntime<Store.StoreServices, unknown>> = []

/** A store over the server: one client, as one API server process would have. */
const openStore = async () => {
  const rt = ManagedRuntime.make(Store.layer({ url: server.url }))
  runtimes.push(rt)
  await rt.runPromise(Effect.void)
  return rt
}

/** Round trips `f` costs on the server. */
const roundTripsOf = async <A>(f: () => Promise<A>): Promise<{ value: A; roundTrips: number }> => {
  server.resetRoundTrips()
  const value = await f()
  return { value, roundTrips: server.roundTrips() }
}

const count = (rt: ManagedRuntime.ManagedRuntime<Store.StoreServices, unknown>, sql: string) =>
  rt.runPromise(
    Effect.flatMap(Effect.service(Store.Database), (db) =>
      Effect.map(db.query<{ n: number }>(sql), (rows) => rows[0]?.n ?? -1),
    ),
  )

const record = (
  rt: ManagedRuntime.ManagedRuntime<Store.StoreServices, unknown>,
  items: ReadonlyArray<RecordActionInput.RecordActionInput>,
) =>
  rt.runPromise(
    Effect.flatMap(Effect.service(Store.ActionStore), (s) =>
      s.recordBatch(items, { recordedBy: { kind: "apiKey", id: "test" } }),
    ),
  )

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "actionlog-remote-"))
  server = await startHranaServer({ dbPath: join(dir, "remote.db") })
})

afterAll(async () => {
  for (const rt of runtimes) await rt.dispose()
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe("remote recordBatch", () => {
  it("records 1,000 mixed items in ≤ 3 round trips, and answers their replay in ≤ 3", async () => {
    const rt = await openStore()
    // 300 known customers by email, 100 of them also referenced by id.
    const known = await record(
      rt,
      Array.from({ length: 300 }, (_, i) =>
        input({
          customer: { identifier: { kind: "email", value: `known${i}@example.com` } },
          template: "ProductViewed",
          payload: product,
          createCustomer: true,
        }),
      ),
    )
    expect(known.every((r) => r.status === "recorded")).toBe(true)
    const ids = await rt.runPromise(
      Effect.flatMap(Effect.service(Store.Database), (db) =>
        db.query<{ id: string }>("SELECT id FROM customers ORDER BY id LIMIT 100"),
      ),
    )
    const items = Array.from({ length: 1000 }, (_, i) => {
      const tx = { transactionId: `mixed-${i}` }
      if (i % 100 === 7)
        return input({
          customer: { id: "c_nobody" },
          template: "ProductViewed",
          payload: product,
          ...tx,
        })
      if (i % 100 === 13)
        return input({ customer: { id: ids[0]!.id }, template: "NoSuchTemplate", ...tx })
      if (i % 100 === 29)
        return input({
          customer: { id: ids[1]!.id },
          template: "ProductViewed",
          payload: { product: 5 },
          ...tx,
        })
      const customer =
        i % 4 === 0
          ? { id: ids[i % 100]!.id }
          : i % 4 === 1
            ? { identifier: { kind: "email", value: `known${i % 300}@example.com` } }
            : { identifier: { kind: "email", value: `new${i % 400}@example.com` } }
      return input({
        customer,
        template: "ProductViewed",
        payload: product,
        createCustomer: true,
        ...tx,
      })
    })
    const first = await roundTripsOf(() => record(rt, items))
    expect(first.roundTrips).toBeLessThanOrEqual(3)
    const statuses = first.value.map((r) => (r.status === "rejected" ? r.tag : r.status))
    expect(statuses.filter((s) => s === "recorded")).toHaveLength(970)
    expect(statuses.filter((s) => s === "CustomerNotFound")).toHaveLength(10)
    expect(statuses.filter((s) => s === "UnknownTemplate")).toHaveLength(10)
    expect(statuses.filter((s) => s === "InvalidPayload")).toHaveLength(10)
    // Each new email became one customer, though several items name it.
    const newEmails = new Set(
      items.flatMap((x) =>
        "identifier" in x.customer && x.customer.identifier.value.startsWith("new")
          ? [x.customer.identifier.value]
          : [],
      ),
    )
    expect(newEmails.size).toBe(196)
    expect(await count(rt, "SELECT count(*) AS n FROM customers")).toBe(300 + 196)
    expect(await count(rt, "SELECT count(*) AS n FROM actions")).toBe(1270)

    const replay = await roundTripsOf(() => record(rt, items))
    expect(replay.roundTrips).toBeLessThanOrEqual(3)
    // Recorded before → alreadyProcessed with the same id; rejected before → rejected again.
    expect(replay.value.map(answer)).toEqual(first.value.map(answer))
    expect(replay.value.map((r) => r.status)).toEqual(
      first.value.map((r) => (r.status === "recorded" ? "alreadyProcessed" : "rejected")),
    )
    expect(await count(rt, "SELECT count(*) AS n FROM actions")).toBe(1270)
    expect(await count(rt, "SELECT count(*) AS n FROM customers")).toBe(300 + 196)
  })

  it("reads a feed page, a list page and an action in one round trip each", async () => {
    const rt = await openStore()
    const [r] = await record(rt, [
      input({
        customer: { identifier: { kind: "email", value: "feed@example.com" } },
        template: "ProductViewed",
        payload: product,
        createCustomer: true,
      }),
    ])
    if (r?.status !== "recorded") throw new Error("not recorded")
    const actions = await rt.runPromise(Effect.service(Store.ActionStore))
    const detail = await roundTripsOf(() => rt.runPromise(actions.get(r.id)))
    expect(detail.roundTrips).toBe(1)
    const customerId = detail.value.action.customerId
    const feed = await roundTripsOf(() => rt.runPromise(actions.feed(customerId, { limit: 10 })))
    expect(feed.roundTrips).toBe(1)
    expect(feed.value.items.map((a) => a.id)).toEqual([r.id])
    const list = await roundTripsOf(() =>
      rt.runPromise(actions.list({ limit: 5, filter: { category: "personal" } })),
    )
    expect(list.roundTrips).toBe(1)
    expect(list.value.items).toHaveLength(5)
  })

  it("two clients racing one transaction id record one action; racing one new identifier make one customer", async () => {
    const a = await openStore()
    const b = await openStore()
    for (let round = 0; round < 5; round++) {
      const same = input({
        customer: { identifier: { kind: "email", value: `race${round}@example.com` } },
        template: "ProductViewed",
        payload: product,
        createCustomer: true,
        transactionId: `race-${round}`,
      })
      const [ra, rb] = await Promise.all([record(a, [same]), record(b, [same])])
      const answers = [ra![0]!, rb![0]!]
      const ids = answers.map((x) => (x.status === "rejected" ? x.tag : x.id))
      expect(ids[0]).toBe(ids[1])
      expect(answers.map((x) => x.status).sort()).toEqual(["alreadyProcessed", "recorded"])
      expect(
        await count(a, `SELECT count(*) AS n FROM actions WHERE transaction_id = 'race-${round}'`),
      ).toBe(1)

      // Different transaction ids, one new identifier: both recorded, on one customer.
      const email = `twin${round}@example.com`
      const item = (tx: string) =>
        input({
          customer: { identifier: { kind: "email", value: email } },
          template: "ProductViewed",
          payload: product,
          createCustomer: true,
          transactionId: tx,
        })
      const [ta, tb] = await Promise.all([
        record(a, [item(`twin-a-${round}`)]),
        record(b, [item(`twin-b-${round}`)]),
      ])
      expect([ta![0]!.status, tb![0]!.status]).toEqual(["recorded", "recorded"])
      expect(
        await count(
          a,
          `SELECT count(DISTINCT a.customer_id) AS n FROM actions a WHERE a.transaction_id IN ('twin-a-${round}', 'twin-b-${round}')`,
        ),
      ).toBe(1)
      expect(
        await count(
          a,
          `SELECT count(*) AS n FROM customer_identifiers WHERE kind = 'email' AND value = '${email}'`,
        ),
      ).toBe(1)
    }
  })
})

describe("remote auth", () => {
  it("authenticates an API key and a staff session in one round trip each, and sees a revocation at once", async () => {
    const rt = ManagedRuntime.make(
      Store.AuthLayer.pipe(Layer.provideMerge(Store.Database.layer({ url: server.url }))),
    )
    try {
      const { key, info } = await rt.runPromise(
        Effect.flatMap(Effect.service(Store.ApiKeys), (k) =>
          k.create({ name: "crm", scopes: ["read"], createdBy: "test" }),
        ),
      )
      const auth = await rt.runPromise(Effect.service(Store.Auth))
      const byKey = await roundTripsOf(() =>
        rt.runPromise(auth.authenticate({ bearer: key, sessionToken: undefined })),
      )
      expect(byKey.roundTrips).toBe(1)
      expect(byKey.value.kind).toBe("apiKey")

      await rt.runPromise(
        Effect.flatMap(Effect.service(Store.StaffUsers), (s) =>
          s.create({
            email: "ops@example.com",
            name: "Ops",
            role: "admin",
            password: "pw-123456789",
          }),
        ),
      )
      const { token } = await rt.runPromise(
        auth.signIn({
          email: "ops@example.com",
          password: "pw-123456789",
          ip: null,
          userAgent: null,
          ttlSeconds: 3600,
        }),
      )
      const bySession = await roundTripsOf(() =>
        rt.runPromise(auth.authenticate({ bearer: undefined, sessionToken: token })),
      )
      expect(bySession.roundTrips).toBe(1)
      expect(bySession.value.kind).toBe("staff")

      await rt.runPromise(
        Effect.flatMap(Effect.service(Store.ApiKeys), (k) => k.revoke(info.id, "test")),
      )
      const revoked = await rt.runPromiseExit(
        auth.authenticate({ bearer: key, sessionToken: undefined }),
      )
      expect(revoked._tag).toBe("Failure")
    } finally {
      await rt.dispose()
    }
  })
})

describe("remote producers", () => {
  it("an order's status change and its action cost ≤ 3 round trips; two clients racing one change make one", async () => {
    const a = await openStore()
    const b = await openStore()
    const customer = await a.runPromise(
      Effect.flatMap(Effect.service(Store.Customers), (c) =>
        c.create({ identifiers: [{ kind: "email", value: "buyer@example.com" }] }),
      ),
    )
    const orders = await a.runPromise(Effect.service(Store.Orders))
    const ordersB = await b.runPromise(Effect.service(Store.Orders))
    const create = (orderId: string) =>
      a.runPromise(
        orders.create({
          orderId,
          customer: { id: customer.id },
          currency: "EUR",
          lines: [{ productId: "p-1", quantity: 1, unitPrice: 10 }],
        }),
      )
    await create("o-1")
    const paid = await roundTripsOf(() =>
      a.runPromise(orders.changeStatus({ orderId: "o-1", status: "paid" })),
    )
    expect(paid.roundTrips).toBeLessThanOrEqual(3)
    expect(paid.value.order.status).toBe("paid")
    const stored = await a.runPromise(orders.get("o-1"))
    expect(stored).toEqual(paid.value.order)
    const history = await a.runPromise(orders.history("o-1"))
    expect(history.map((e) => [e.template, e.actionId])).toEqual([
      ["OrderPlaced", history[0]!.actionId],
      ["OrderPaid", paid.value.actionId],
    ])
    const action = await a.runPromise(
      Effect.flatMap(Effect.service(Store.ActionStore), (s) => s.get(paid.value.actionId)),
    )
    expect(history[1]!.occurredAt).toBe(action.action.occurredAt)

    for (let round = 0; round < 4; round++) {
      const orderId = `o-race-${round}`
      await create(orderId)
      const [x, y] = await Promise.all([
        a.runPromiseExit(orders.changeStatus({ orderId, status: "paid" })),
        b.runPromiseExit(ordersB.changeStatus({ orderId, status: "paid" })),
      ])
      const outcomes = [x, y].map((e) =>
        e._tag === "Success"
          ? "changed"
          : String(
              (e.cause as unknown as { reasons?: Array<{ error?: { _tag?: string } }> })
                .reasons?.[0]?.error?._tag,
            ),
      )
      expect(outcomes.sort()).toEqual(["IllegalOrderTransition", "changed"])
      const events = await a.runPromise(orders.history(orderId))
      expect(events.map((e) => e.template)).toEqual(["OrderPlaced", "OrderPaid"])
      expect(
        await count(
          a,
          `SELECT count(*) AS n FROM actions WHERE template = 'OrderPaid' AND payload ->> '$.order.orderId' = '${orderId}'`,
        ),
      ).toBe(1)
    }
  })
})
