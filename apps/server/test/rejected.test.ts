// A rejected call changes nothing: every table (schema, row counts, contents) is compared
// before and after, through the real HTTP server, for the tracking API and for tRPC.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Database } from "@actionlog/store"
import { client, snapshot, startTestServer, untyped, type TestServer } from "./helpers"

let t: TestServer

beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.close())

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`

const post = (path: string, body: unknown) =>
  fetch(`${t.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: basic(t.keys.ingest) },
    body: JSON.stringify(body),
  })

const registryVersion = async () => {
  const [row] = await t.server.runtime.runPromise(
    Database.use((db) =>
      db.query<{ value: number }>("SELECT value FROM meta WHERE key = 'registry_version'"),
    ),
  )
  return row?.value
}

interface TrackingBody {
  readonly success: boolean
  readonly errors?: ReadonlyArray<{
    readonly index: number
    readonly tag: string
    readonly path?: ReadonlyArray<string | number>
  }>
}

const expectUnchanged = async (call: () => Promise<void>) => {
  const before = await snapshot(t.server)
  const version = await registryVersion()
  await call()
  expect(await snapshot(t.server)).toBe(before)
  expect(await registryVersion()).toBe(version)
}

/** Events the store refuses after the tracking API has resolved their customer and touchpoint. */
const invalidEvents = (tag: string) => [
  {
    type: "track",
    userId: `${tag}-u1`,
    anonymousId: `${tag}-a1`,
    event: "Product Viewed",
    messageId: `${tag}-m1`,
    properties: { product_id: { x: 1 } },
  },
  {
    // A browser call: would create the website touchpoint.
    type: "track",
    userId: `${tag}-u2`,
    anonymousId: `${tag}-a2`,
    event: "Product Viewed",
    messageId: `${tag}-m2`,
    properties: { product_id: [] },
    context: { library: { name: "analytics.js" }, page: { url: "https://shop.example/x" } },
  },
  {
    // An unknown event with a future time: would create its template.
    type: "track",
    userId: `${tag}-u3`,
    event: `${tag} Teleported`,
    messageId: `${tag}-m3`,
    timestamp: "2999-01-01T00:00:00Z",
  },
  { type: "track", anonymousId: `${tag}-a4`, messageId: `${tag}-m4` },
  { type: "page", userId: `${tag}-u5`, messageId: `${tag}-m5`, properties: "nope" },
]

describe("a rejected tracking call writes nothing", () => {
  it("the single /v1/track call of the report: 400, no customer, channel, touchpoint or registry change", async () => {
    await expectUnchanged(async () => {
      const res = await post("/v1/track", {
        userId: "rp-u1",
        anonymousId: "rp-a1",
        event: "Product Viewed",
        messageId: "rp-m1",
        properties: { product_id: { x: 1 } },
      })
      expect(res.status).toBe(400)
      const body = (await res.json()) as TrackingBody
      expect(body.errors?.map((e) => [e.tag, e.path])).toEqual([
        ["InvalidPayload", ["payload", "product", "productId"]],
      ])
    })
  })

  it("a /v1/batch of only invalid events", async () => {
    await expectUnchanged(async () => {
      const res = await post("/v1/batch", { batch: invalidEvents("only") })
      expect(res.status).toBe(400)
      const body = (await res.json()) as TrackingBody
      expect(body.errors?.map((e) => e.index)).toEqual([0, 1, 2, 3, 4])
    })
  })

  it("a mixed /v1/batch: the valid events are recorded, the rejected ones leave no trace", async () => {
    const before = await snapshot(t.server)
    const res = await post("/v1/batch", {
      batch: [
        ...invalidEvents("mix"),
        {
          type: "track",
          userId: "ok-u1",
          anonymousId: "ok-a1",
          event: "Product Viewed",
          messageId: "ok-m1",
          properties: { product_id: "sku-1" },
        },
        { type: "identify", userId: "ok-u1", messageId: "ok-m2", traits: { firstName: "Ann" } },
      ],
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as TrackingBody
    expect(body.errors?.map((e) => e.index)).toEqual([0, 1, 2, 3, 4])
    const after = await snapshot(t.server)
    expect(after).not.toBe(before)
    // Nothing anywhere in the database names a rejected event's ids, event or message.
    expect(after).not.toContain("mix-")
    expect(after).not.toContain("mix Teleported")
    expect(after).toContain("ok-u1")
    expect(after).toContain("ok-a1")
    // Only the server touchpoint the accepted calls used was created, not the website one.
    expect(after).toContain("tracking-server")
    expect(after).not.toContain("tracking-website")
    const reader = client(t.url, { apiKey: t.keys.readIngest })
    const customer = await reader.customers.findByIdentifier.query({
      kind: "userId",
      value: "ok-u1",
    })
    expect(customer.identifiers).toEqual(
      expect.arrayContaining([
        { kind: "userId", value: "ok-u1" },
        { kind: "anonymousId", value: "ok-a1" },
      ]),
    )
    const feed = await reader.actions.feed.query({ customer: { id: customer.id } })
    expect(feed.items.map((a) => a.template).sort()).toEqual(["ProductViewed", "ProfileEdited"])
    const count = (table: string) => after.split("\n").find((l) => l.startsWith(`${table}: `)) ?? ""
    expect(count("customers")).toBe("customers: 1 rows")
    expect(count("customer_identifiers")).toBe("customer_identifiers: 2 rows")
    expect(count("actions")).toBe("actions: 2 rows")
  })
})

const fresh = (n: number) => ({ identifier: { kind: "email", value: `fresh-${n}@example.com` } })

describe("a rejected actions.record / recordBatch writes nothing", () => {
  it("recordBatch of only invalid items (API key and staff)", async () => {
    const items = [
      { customer: fresh(1), createCustomer: true, template: "Teleported" },
      {
        customer: fresh(2),
        createCustomer: true,
        template: "ProductViewed",
        payload: { product: { productId: 42 } },
      },
      {
        customer: fresh(3),
        createCustomer: true,
        template: "NoteAdded",
        payload: { text: "later" },
        occurredAt: "2999-01-01T00:00:00Z",
      },
      {
        customer: fresh(4),
        createCustomer: true,
        template: "NoteAdded",
        payload: { text: "nowhere" },
        touchpoint: { externalId: "no-such-touchpoint" },
      },
      { customer: fresh(5), template: "NoteAdded", payload: { text: "nobody" } },
      { customer: { id: 7 }, template: "NoteAdded" },
      "not an action",
    ]
    for (const credentials of [{ apiKey: t.keys.ingest }, { cookie: t.cookies.admin }]) {
      await expectUnchanged(async () => {
        const r = (await untyped(t.url, credentials).mutation("actions.recordBatch", {
          items,
        })) as { recorded: number; rejected: number }
        expect(r).toMatchObject({ recorded: 0, rejected: items.length })
      })
    }
  })

  it("record of an invalid item (API key and staff)", async () => {
    for (const credentials of [{ apiKey: t.keys.ingest }, { cookie: t.cookies.admin }]) {
      await expectUnchanged(async () => {
        await expect(
          client(t.url, credentials).actions.record.mutate({
            customer: fresh(6),
            createCustomer: true,
            template: "ProductViewed" as never,
            payload: { product: { productId: 42 } },
          }),
        ).rejects.toThrow(/productId/)
      })
    }
  })
})
