// The Segment-compatible tracking API (/v1/*) against a real server, driven by Segment's own
// Node library where it can be, and by raw HTTP for what the library never sends.
import { createServer, request, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { gzipSync } from "node:zlib"
import { Analytics } from "@segment/analytics-node"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Tracking } from "@actionlog/api"
import type { Ids } from "@actionlog/domain"
import {
  ActionStore,
  ApiKeys,
  Brands,
  Customers,
  Database,
  Settings,
  Templates,
} from "@actionlog/store"
import type { AppServices } from "../src/AppLayer"
import { client, startTestServer, type TestServer } from "./helpers"

let t: TestServer

beforeAll(async () => {
  t = await startTestServer()
})
afterAll(async () => {
  await t?.close()
})

const run = <A, E>(effect: Effect.Effect<A, E, AppServices>) => t.server.runtime.runPromise(effect)

const customerOf = (kind: string, value: string) =>
  run(Customers.use((c) => c.findByIdentifier({ kind, value })))

const feedOf = async (kind: string, value: string) => {
  const customer = await customerOf(kind, value)
  const page = await run(ActionStore.use((a) => a.feed(customer.id, { limit: 500 })))
  return page.items
}

const countActions = () =>
  run(
    Database.use((db) => db.query<{ n: number }>("SELECT COUNT(*) AS n FROM actions")).pipe(
      Effect.map(([r]) => Number(r!.n)),
    ),
  )

const touchpointKindOf = async (touchpointId: string) => {
  const rows = await run(
    Database.use((db) =>
      db.query<{ kind: string; external_id: string }>(
        "SELECT kind, external_id FROM touchpoints WHERE id = ?",
        [touchpointId],
      ),
    ),
  )
  return rows[0]
}

const at = (s: string) => new Date(`2026-03-01T10:00:${s}.000Z`)

interface ErrorBody {
  readonly success: boolean
  readonly code?: string
  readonly message: string
  readonly errors: ReadonlyArray<{
    readonly index: number
    readonly tag: string
    readonly messageId?: string
    readonly path?: ReadonlyArray<string | number>
  }>
}
const bodyOf = async (res: Response) => (await res.json()) as ErrorBody

const concurrentBatch = (n: number) => ({
  batch: Array.from({ length: 10 }, (_, i) => ({
    type: "track",
    userId: `conc-u-${i}`,
    anonymousId: `conc-a-${i}`,
    event: "Concurrent Thing Happened",
    properties: { n, i },
    messageId: `conc-${n}-${i}`,
  })),
})

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`

const post = (
  path: string,
  body: unknown,
  init: { key?: string; headers?: Record<string, string> } = {},
) =>
  fetch(`${t.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(init.key === undefined ? {} : { authorization: basic(init.key) }),
      ...init.headers,
    },
    body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
  })

const newAnalytics = (
  host: string,
  extra: Partial<ConstructorParameters<typeof Analytics>[0]> = {},
) => {
  const analytics = new Analytics({
    writeKey: t.keys.ingest,
    host,
    flushInterval: 50,
    maxRetries: 3,
    ...extra,
  })
  const errors: Array<unknown> = []
  analytics.on("error", (e) => errors.push(e))
  return { analytics, errors }
}

describe("Segment analytics-node → actionlog", () => {
  it("records track, identify, page, screen, group and alias calls in the right feeds", async () => {
    const { analytics, errors } = newAnalytics(t.url, { flushAt: 20 })
    analytics.identify({
      userId: "u-1",
      anonymousId: "anon-1",
      traits: { email: "Ann@Example.com", firstName: "Ann", lastName: "Lee", plan: "pro" },
      timestamp: at("00"),
    })
    analytics.track({
      userId: "u-1",
      event: "Product Viewed",
      properties: { product_id: "p-1", sku: "SKU1", name: "Mug", price: 12.5, category: "kitchen" },
      timestamp: at("01"),
    })
    analytics.track({
      userId: "u-1",
      event: "Product Added",
      properties: { product_id: "p-1", quantity: 2, price: 12.5 },
      timestamp: at("02"),
    })
    analytics.track({
      userId: "u-1",
      event: "Order Completed",
      properties: {
        order_id: "o-1",
        total: 27,
        shipping: 2,
        currency: "eur",
        coupon: "SPRING",
        products: [{ product_id: "p-1", sku: "SKU1", name: "Mug", price: 12.5, quantity: 2 }],
      },
      timestamp: at("03"),
    })
    analytics.track({
      userId: "u-1",
      event: "Video Played",
      properties: { title: "Intro", seconds: 42, muted: false, tags: ["a", "b"] },
      timestamp: at("04"),
    })
    analytics.page({
      anonymousId: "anon-1",
      name: "Pricing",
      properties: { url: "https://shop.example/pricing", path: "/pricing" },
      timestamp: at("05"),
    })
    analytics.screen({ userId: "u-1", name: "Home", timestamp: at("06") })
    analytics.group({
      userId: "u-1",
      groupId: "acme",
      traits: { plan: "enterprise" },
      timestamp: at("07"),
    })
    analytics.alias({ userId: "u-2", previousId: "anon-2", timestamp: at("08") })
    await analytics.closeAndFlush({ timeout: 20_000 })
    expect(errors).toEqual([])

    const feed = await feedOf("userId", "u-1")
    // The page call came with the anonymousId only: the identify linked it to u-1.
    const byTemplate = new Map(feed.map((a) => [a.template, a]))
    expect([...byTemplate.keys()].sort()).toEqual(
      [
        "GroupAssociated",
        "OrderPlaced",
        "PageViewed",
        "ProductListChanged",
        "ProductViewed",
        "ProfileEdited",
        "ScreenViewed",
        "VideoPlayed",
      ].sort(),
    )
    const viewed = byTemplate.get("ProductViewed")!
    expect(viewed.payload).toEqual({
      product: { productId: "p-1", sku: "SKU1", name: "Mug", categoryId: "kitchen", price: 12.5 },
    })
    expect(viewed.occurredAt).toBe(at("01").getTime())
    expect(viewed.transactionId).toMatch(/^segment:/)
    expect(viewed.recordedBy.kind).toBe("apiKey")
    expect((await touchpointKindOf(viewed.touchpointId))?.external_id).toBe("tracking-server")

    expect(byTemplate.get("ProductListChanged")!.payload).toEqual({
      list: "cart",
      op: "add",
      items: [{ productId: "p-1", quantity: 2, price: 12.5 }],
    })
    const order = byTemplate.get("OrderPlaced")!.payload as { order: Record<string, unknown> }
    expect(order.order).toMatchObject({
      orderId: "o-1",
      status: "placed",
      currency: "EUR",
      totals: { subtotal: 25, discount: 0, shipping: 2, tax: 0, total: 27 },
      promoCodes: ["SPRING"],
    })
    expect(order.order["lines"]).toEqual([
      {
        lineId: "1",
        productId: "p-1",
        sku: "SKU1",
        name: "Mug",
        quantity: 2,
        unitPrice: 12.5,
        total: 25,
        status: "placed",
      },
    ])

    // A custom template was made for the unknown event; scalars became optional fields.
    const video = byTemplate.get("VideoPlayed")!
    expect(video.customFields).toEqual({ title: "Intro", seconds: 42, muted: false })
    expect(video.payload).toEqual({ tags: ["a", "b"] })
    const template = await run(Templates.use((ts) => ts.get("VideoPlayed")))
    expect(template).toMatchObject({
      displayName: "Video Played",
      category: "personal",
      builtIn: false,
    })
    expect(template.customFields.map((f) => [f.name, f.type, f.required])).toEqual([
      ["title", "string", false],
      ["seconds", "decimal", false],
      ["muted", "boolean", false],
    ])

    const page = byTemplate.get("PageViewed")!
    expect(page.customFields).toMatchObject({
      name: "Pricing",
      url: "https://shop.example/pricing",
    })
    expect(byTemplate.get("GroupAssociated")!.customFields).toMatchObject({
      groupId: "acme",
      plan: "enterprise",
    })

    // identify: the traits are on the profile, the diff is in ProfileEdited.
    const profile = await customerOf("userId", "u-1")
    expect(profile.personal).toMatchObject({ firstName: "Ann", lastName: "Lee" })
    expect(profile.customFields).toMatchObject({ plan: "pro" })
    expect(profile.identifiers).toEqual(
      expect.arrayContaining([
        { kind: "userId", value: "u-1" },
        { kind: "anonymousId", value: "anon-1" },
        { kind: "email", value: "ann@example.com" },
      ]),
    )
    const edited = byTemplate.get("ProfileEdited")!.payload as { changes: Array<{ field: string }> }
    expect(edited.changes.map((c) => c.field)).toEqual(
      expect.arrayContaining(["personal.firstName", "personal.lastName"]),
    )

    // alias: one customer with both ids.
    const aliased = await customerOf("anonymousId", "anon-2")
    expect(aliased.identifiers).toEqual(
      expect.arrayContaining([
        { kind: "userId", value: "u-2" },
        { kind: "anonymousId", value: "anon-2" },
      ]),
    )
  })

  it("never duplicates a batch the library resends after a dropped connection", async () => {
    // A proxy that forwards the first batch, lets the server record it, then drops the
    // connection instead of answering: the library sees a network error and retries.
    let requests = 0
    const proxy: Server = createServer((req, res) => {
      requests++
      const drop = requests === 1
      const upstream = request(
        `${t.url}${req.url}`,
        { method: req.method, headers: req.headers },
        (up) => {
          if (drop) {
            up.resume()
            up.on("end", () => req.socket.destroy())
            return
          }
          res.writeHead(up.statusCode ?? 502, up.headers)
          up.pipe(res)
        },
      )
      req.pipe(upstream)
    })
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r))
    const host = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
    try {
      const before = await countActions()
      const { analytics, errors } = newAnalytics(host, { flushAt: 5 })
      for (let i = 0; i < 5; i++) {
        analytics.track({
          userId: "retry-user",
          event: "Product Viewed",
          properties: { product_id: `p-${i}` },
        })
      }
      await analytics.closeAndFlush({ timeout: 30_000 })
      expect(errors).toEqual([])
      expect(requests).toBe(2)
      expect(await countActions()).toBe(before + 5)
      const feed = await feedOf("userId", "retry-user")
      expect(
        feed.map((a) => (a.payload as { product: { productId: string } }).product.productId).sort(),
      ).toEqual(["p-0", "p-1", "p-2", "p-3", "p-4"])
    } finally {
      await new Promise((r) => proxy.close(r))
    }
  })
})

describe("the HTTP tracking API", () => {
  it("answers { success: true } and corrects the client's clock skew", async () => {
    const received = Date.now()
    // The device clock is 1 hour ahead: originalTimestamp and sentAt are both +1h.
    const skew = 3600_000
    const res = await post(
      "/v1/track",
      {
        userId: "skew-user",
        event: "Signed In",
        messageId: "m-skew",
        originalTimestamp: new Date(received + skew - 5000).toISOString(),
        sentAt: new Date(received + skew).toISOString(),
      },
      { key: t.keys.ingest },
    )
    expect(res.status).toBe(200)
    expect(await bodyOf(res)).toEqual({ success: true })
    const [action] = await feedOf("userId", "skew-user")
    expect(action!.template).toBe("CustomerSignedIn")
    expect(action!.payload).toEqual({ method: "other" })
    // receivedAt - (sentAt - originalTimestamp) = receivedAt - 5 s
    expect(Math.abs(action!.occurredAt - (received - 5000))).toBeLessThan(3000)
    expect(action!.recordedAt).toBeGreaterThanOrEqual(received)
  })

  it("takes analytics.js' short paths, the write key in a text/plain body, gzip, and browser touchpoints", async () => {
    const t1 = await post(
      "/v1/t",
      JSON.stringify({
        writeKey: t.keys.ingest,
        anonymousId: "browser-1",
        event: "Signed Up",
        properties: { email: "new@example.com" },
        context: {
          library: { name: "analytics.js", version: "next-1.0" },
          page: { url: "https://x.example/" },
        },
        messageId: "m-browser-1",
      }),
      { headers: { "content-type": "text/plain" } },
    )
    expect(t1.status).toBe(200)
    expect(t1.headers.get("access-control-allow-origin")).toBe("*")
    const zipped = gzipSync(
      JSON.stringify({
        batch: [
          {
            type: "page",
            anonymousId: "browser-1",
            name: "Home",
            messageId: "m-browser-2",
            context: { channel: "browser" },
          },
          {
            type: "track",
            anonymousId: "browser-1",
            event: "Product Viewed",
            properties: { product_id: "z" },
            messageId: "m-browser-3",
            context: { channel: "mobile" },
          },
        ],
      }),
    )
    const t2 = await post("/v1/b", zipped, {
      key: t.keys.ingest,
      headers: { "content-encoding": "gzip" },
    })
    expect(t2.status).toBe(200)
    const feed = await feedOf("anonymousId", "browser-1")
    const kinds = await Promise.all(
      feed.map(async (a) => [a.template, (await touchpointKindOf(a.touchpointId))?.kind] as const),
    )
    expect(new Map(kinds)).toEqual(
      new Map([
        ["CustomerRegistered", "website"],
        ["PageViewed", "website"],
        ["ProductViewed", "mobileApp"],
      ]),
    )
    const registered = feed.find((a) => a.template === "CustomerRegistered")!
    expect(registered.payload).toEqual({
      method: "email",
      identifiers: [{ kind: "email", value: "new@example.com" }],
    })
    const preflight = await fetch(`${t.url}/v1/t`, { method: "OPTIONS" })
    expect(preflight.status).toBe(204)
  })

  it("refuses bad write keys (401) and keys without the ingest scope (403)", async () => {
    const event = { userId: "x", event: "Signed In" }
    const none = await post("/v1/track", event)
    expect(none.status).toBe(401)
    const bad = await post("/v1/track", event, { key: "al_live_nope_nope" })
    expect(bad.status).toBe(401)
    expect((await bodyOf(bad)).message).toMatch(/invalid or revoked/)
    const revoked = await post("/v1/track", event, { key: t.keys.revoked })
    expect(revoked.status).toBe(401)
    const read = await post("/v1/track", event, { key: t.keys.read })
    expect(read.status).toBe(403)
    expect((await bodyOf(read)).message).toMatch(/ingest/)
    // Admin implies ingest.
    expect(
      (await post("/v1/track", { ...event, messageId: "m-admin" }, { key: t.keys.admin })).status,
    ).toBe(200)
  })

  it("answers 400 for oversize calls and batches and malformed JSON, recording nothing", async () => {
    const before = await countActions()
    const big = "x".repeat(33 * 1024)
    const oneBig = await post(
      "/v1/track",
      { userId: "big", event: "Big", properties: { big } },
      { key: t.keys.ingest },
    )
    expect(oneBig.status).toBe(400)
    expect((await bodyOf(oneBig)).message).toMatch(/limit is 32 KB/)

    const batch = Array.from({ length: 20 }, (_, i) => ({
      type: "track",
      userId: "big",
      event: "Big",
      messageId: `big-${i}`,
      properties: { chunk: "y".repeat(30 * 1024) },
    }))
    const bigBatch = await post("/v1/batch", { batch }, { key: t.keys.ingest })
    expect(bigBatch.status).toBe(400)
    expect((await bodyOf(bigBatch)).message).toMatch(/limit is 500 KB/)

    const gzBomb = gzipSync(JSON.stringify({ batch, pad: "z".repeat(600 * 1024) }))
    const bomb = await post("/v1/batch", gzBomb, {
      key: t.keys.ingest,
      headers: { "content-encoding": "gzip" },
    })
    expect(bomb.status).toBe(400)
    expect((await bodyOf(bomb)).message).toMatch(/decompresses to more than 500 KB/)

    const malformed = await post("/v1/batch", "{ not json", { key: t.keys.ingest })
    expect(malformed.status).toBe(400)
    expect((await bodyOf(malformed)).code).toBe("InvalidJson")
    expect(await countActions()).toBe(before)
  })

  it("records the valid calls of a batch and says which ones were rejected", async () => {
    const res = await post(
      "/v1/batch",
      {
        batch: [
          { type: "track", userId: "mixed", event: "Signed In", messageId: "mixed-1" },
          {
            type: "track",
            userId: "mixed",
            event: "Product Viewed",
            properties: {},
            messageId: "mixed-2",
          },
          { type: "track", event: "No One", messageId: "mixed-3" },
          {
            type: "track",
            userId: "mixed",
            event: "Later",
            messageId: "mixed-4",
            timestamp: "2999-01-01T00:00:00Z",
          },
          {
            type: "track",
            userId: "mixed",
            event: "Big",
            properties: { big: "x".repeat(33 * 1024) },
            messageId: "mixed-5",
          },
          { type: "nope", userId: "mixed", messageId: "mixed-6" },
        ],
      },
      { key: t.keys.ingest },
    )
    expect(res.status).toBe(400)
    const body = await bodyOf(res)
    expect(body.success).toBe(false)
    expect(body.errors.map((e) => [e.index, e.tag])).toEqual([
      [1, "InvalidPayload"],
      [2, "InvalidPayload"],
      [3, "EventTimeInFuture"],
      [4, "EventTooLarge"],
      [5, "InvalidPayload"],
    ])
    expect(body.errors[0]!.path).toEqual(["payload", "product", "productId"])
    expect(body.errors[0]!.messageId).toBe("mixed-2")
    const feed = await feedOf("userId", "mixed")
    expect(feed.map((a) => a.template)).toEqual(["CustomerSignedIn"])
    // The refused call named an unknown event: no template was made for it.
    await expect(run(Templates.use((ts) => ts.get("Later")))).rejects.toThrow(
      /Unknown action template/,
    )
  })

  it("alias merges two known customers, and moves an old userId to the new one", async () => {
    const key = { key: t.keys.ingest }
    await post(
      "/v1/batch",
      {
        batch: [
          { type: "track", anonymousId: "anon-m", event: "Signed In", messageId: "am-1" },
          {
            type: "track",
            userId: "u-m",
            event: "Product Viewed",
            properties: { product_id: "q" },
            messageId: "am-2",
          },
          { type: "track", userId: "old-id", event: "Signed In", messageId: "am-3" },
        ],
      },
      key,
    )
    const anon = await customerOf("anonymousId", "anon-m")
    const res = await post(
      "/v1/alias",
      { previousId: "anon-m", userId: "u-m", messageId: "am-4" },
      key,
    )
    expect(res.status).toBe(200)
    const survivor = await customerOf("userId", "u-m")
    expect(survivor.id).not.toBe(anon.id)
    expect((await customerOf("anonymousId", "anon-m")).id).toBe(survivor.id)
    const feed = await feedOf("userId", "u-m")
    expect(feed.map((a) => a.template).sort()).toEqual(
      ["CustomerSignedIn", "CustomersMerged", "ProductViewed"].sort(),
    )
    // A retried alias is not applied twice.
    const again = await post(
      "/v1/alias",
      { previousId: "anon-m", userId: "u-m", messageId: "am-4" },
      key,
    )
    expect(again.status).toBe(200)
    expect((await feedOf("userId", "u-m")).length).toBe(3)

    // previousId is an older userId: the new userId's customer takes over its feed.
    const renamed = await post(
      "/v1/alias",
      { previousId: "old-id", userId: "new-id", messageId: "am-5" },
      key,
    )
    expect(renamed.status).toBe(200)
    const renamedFeed = await feedOf("userId", "new-id")
    expect(renamedFeed.map((a) => a.template).sort()).toEqual([
      "CustomerSignedIn",
      "CustomersMerged",
    ])
    // Later calls for the old userId land on the same customer.
    await post("/v1/track", { userId: "old-id", event: "Signed In", messageId: "am-6" }, key)
    expect((await feedOf("userId", "new-id")).length).toBe(3)
  })

  it("links a known anonymous visitor to the userId it later signs in with", async () => {
    const key = { key: t.keys.ingest }
    const anon = {
      anonymousId: "anon-late",
      event: "Product Viewed",
      properties: { product_id: "l" },
    }
    expect((await post("/v1/track", { ...anon, messageId: "late-1" }, key)).status).toBe(200)
    const visitor = await customerOf("anonymousId", "anon-late")
    const signedIn = { userId: "u-late", anonymousId: "anon-late", event: "Signed In" }
    expect((await post("/v1/track", { ...signedIn, messageId: "late-2" }, key)).status).toBe(200)
    expect((await customerOf("userId", "u-late")).id).toBe(visitor.id)
    const feed = await feedOf("userId", "u-late")
    expect(feed.map((a) => a.template).sort()).toEqual(
      ["CustomerSignedIn", "ProductViewed", "ProfileEdited"].sort(),
    )
    // The link is the customer's own edit, at the tracking touchpoint, by the write key.
    const link = feed.find((a) => a.template === "ProfileEdited")!
    expect((await touchpointKindOf(link.touchpointId))?.external_id).toBe("tracking-server")
    expect(link.recordedBy.kind).toBe("apiKey")
  })

  it("applies an identify once per messageId, even when the retry's traits differ", async () => {
    const key = { key: t.keys.ingest }
    const first = { userId: "id-once", traits: { firstName: "Bo" }, messageId: "ident-1" }
    expect((await post("/v1/identify", first, key)).status).toBe(200)
    const retry = { ...first, traits: { firstName: "Changed" } }
    expect((await post("/v1/identify", retry, key)).status).toBe(200)
    expect((await customerOf("userId", "id-once")).personal.firstName).toBe("Bo")
    // Same traits under a new messageId: nothing changes, nothing is recorded.
    expect((await post("/v1/identify", { ...first, messageId: "ident-2" }, key)).status).toBe(200)
    const feed = await feedOf("userId", "id-once")
    expect(feed.map((a) => a.template)).toEqual(["ProfileEdited"])
  })

  it("dates an identify's ProfileEdited at the call's timestamp, not at its receipt", async () => {
    const timestamp = new Date(Date.now() - 3 * 3600_000).toISOString()
    const call = {
      userId: "id-dated",
      traits: { firstName: "Di" },
      timestamp,
      messageId: "dated-1",
    }
    expect((await post("/v1/identify", call, { key: t.keys.ingest })).status).toBe(200)
    const [edit] = await feedOf("userId", "id-dated")
    expect(edit?.template).toBe("ProfileEdited")
    expect(edit?.occurredAt).toBe(Date.parse(timestamp))
    expect(edit!.recordedAt - edit!.occurredAt).toBeGreaterThanOrEqual(3 * 3600_000)
  })

  it("concurrent batches creating the same template and customers all succeed, once", async () => {
    const answers = await Promise.all(
      [0, 1, 2, 3].map((n) => post("/v1/batch", concurrentBatch(n), { key: t.keys.ingest })),
    )
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200])
    for (let i = 0; i < 10; i++) {
      const byUser = await customerOf("userId", `conc-u-${i}`)
      expect((await customerOf("anonymousId", `conc-a-${i}`)).id).toBe(byUser.id)
      expect((await feedOf("userId", `conc-u-${i}`)).length).toBe(4)
    }
    const template = await run(Templates.use((ts) => ts.get("ConcurrentThingHappened")))
    expect(template.customFields.map((f) => f.name)).toEqual(["n", "i"])
  })

  it("rejects unknown events when the project says so", async () => {
    await run(Tracking.updateTrackingSettings({ unknownEvents: "reject" }))
    try {
      const res = await post(
        "/v1/track",
        { userId: "strict", event: "Never Seen Before" },
        { key: t.keys.ingest },
      )
      expect(res.status).toBe(400)
      const body = await bodyOf(res)
      expect(body.errors[0]!.tag).toBe("UnknownTemplate")
      const known = await post(
        "/v1/track",
        { userId: "strict", event: "Video Played", properties: { title: "x", extra: 1 } },
        { key: t.keys.ingest },
      )
      expect(known.status).toBe(200)
    } finally {
      await run(Tracking.updateTrackingSettings({ unknownEvents: "createTemplate" }))
    }
  })

  it("records a write key's calls with its brand (settings through tRPC)", async () => {
    const admin = client(t.url, { apiKey: t.keys.admin })
    const { key, info } = await run(
      ApiKeys.use((k) => k.create({ name: "shop-b", scopes: ["ingest"], createdBy: "test" })),
    )
    await run(Brands.use((b) => b.create({ id: "shopb" as Ids.BrandId, name: "Shop B" })))
    await admin.tracking.setSourceBrand.mutate({
      apiKeyId: info.id,
      brandId: "shopb" as Ids.BrandId,
    })
    await run(Settings.use((s) => s.update({ multiBrand: true })))
    try {
      const res = await post("/v1/track", { userId: "brand-user", event: "Signed In" }, { key })
      expect(res.status).toBe(200)
      const [action] = await feedOf("userId", "brand-user")
      expect(action!.brandId).toBe("shopb")
      const settings = await admin.tracking.settings.query()
      expect(settings.sources).toContainEqual({ apiKeyId: info.id, brandId: "shopb" })
      // A key without a brand in a multi-brand project: the store asks for one.
      const other = await post(
        "/v1/track",
        { userId: "brand-user", event: "Signed In" },
        { key: t.keys.ingest },
      )
      expect(other.status).toBe(400)
      expect((await bodyOf(other)).errors[0]!.tag).toBe("BrandRequired")
      // Only admins change tracking settings.
      const reader = client(t.url, { apiKey: t.keys.read })
      await expect(
        reader.tracking.updateSettings.mutate({ unknownEvents: "reject" }),
      ).rejects.toThrow(/admin/)
    } finally {
      await run(Settings.use((s) => s.update({ multiBrand: false })))
    }
  })

  it("counts tracked calls in /metrics", async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text()
    expect(text).toMatch(/actionlog_http_requests_total\{route="tracking",status="200"\} [1-9]/)
    expect(text).toMatch(/actionlog_actions_rejected_total [1-9]/)
  })
})
