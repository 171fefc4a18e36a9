// Pure mapping rules of the tracking API (domain `Tracking`): times, sources, names, payloads.
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { Catalog, Errors, Tracking, Validation, type Template } from "../src/index"

const ms = (s: string) => Date.parse(s)

describe("eventTime", () => {
  const received = ms("2026-05-01T12:00:00.000Z")

  it("uses timestamp as given", () => {
    const r = Tracking.eventTime(
      { timestamp: "2026-04-01T00:00:00Z", sentAt: "2030-01-01T00:00:00Z" },
      received,
    )
    expect(r).toEqual(Result.succeed(ms("2026-04-01T00:00:00Z")))
  })

  it("corrects the device clock: receivedAt - (sentAt - originalTimestamp)", () => {
    // Device clock 2 hours behind; the event happened 10 s before it was sent.
    const r = Tracking.eventTime(
      { originalTimestamp: "2026-05-01T09:59:50.000Z", sentAt: "2026-05-01T10:00:00.000Z" },
      received,
    )
    expect(r).toEqual(Result.succeed(received - 10_000))
  })

  it("takes sentAt from the batch envelope", () => {
    const r = Tracking.eventTime(
      { originalTimestamp: "2026-05-01T09:59:59.000Z" },
      received,
      "2026-05-01T10:00:00.000Z",
    )
    expect(r).toEqual(Result.succeed(received - 1000))
  })

  it("falls back to originalTimestamp, then to receipt", () => {
    expect(Tracking.eventTime({ originalTimestamp: "2026-01-01T00:00:00Z" }, received)).toEqual(
      Result.succeed(ms("2026-01-01T00:00:00Z")),
    )
    expect(Tracking.eventTime({}, received)).toEqual(Result.succeed(received))
  })

  it("rejects a time that is not ISO 8601, naming the field", () => {
    const r = Tracking.eventTime({ timestamp: "yesterday" }, received)
    expect(Result.isFailure(r) && r.failure.path).toEqual(["timestamp"])
    const s = Tracking.eventTime({ originalTimestamp: "2026-01-01T00:00:00Z", sentAt: 5 }, received)
    expect(Result.isFailure(s) && s.failure.path).toEqual(["sentAt"])
  })
})

describe("sourceOf", () => {
  it.each([
    [{ channel: "browser" }, "website"],
    [{ channel: "mobile" }, "mobileApp"],
    [{ channel: "server" }, "server"],
    [{ library: { name: "analytics.js" } }, "website"],
    [{ library: { name: "analytics-ios" } }, "mobileApp"],
    [{ library: { name: "analytics-react-native" } }, "mobileApp"],
    [{ library: { name: "@segment/analytics-node" } }, "server"],
    [{ library: { name: "analytics-python" } }, "server"],
    [{ page: { url: "https://x.example/" } }, "website"],
    [{ app: { name: "Shop" } }, "mobileApp"],
    [undefined, "server"],
  ])("%j → %s", (context, source) => {
    expect(Tracking.sourceOf(context)).toBe(source)
  })
})

describe("event names → templates", () => {
  const templates: ReadonlyArray<Template.TemplateDefinition> = Catalog.listBuiltInTemplates().map(
    (t) => t.definition,
  )

  it("matches system and display names, ignoring case, spaces and punctuation", () => {
    expect(Tracking.findTemplate("ProductViewed", templates)?.systemName).toBe("ProductViewed")
    expect(Tracking.findTemplate("Product viewed", templates)?.systemName).toBe("ProductViewed")
    expect(Tracking.findTemplate("order_placed", templates)?.systemName).toBe("OrderPlaced")
    expect(Tracking.findTemplate("Video Played", templates)).toBeUndefined()
    expect(Tracking.findTemplate("!!!", templates)).toBeUndefined()
  })

  it("knows Segment's spec events and which template each maps to", () => {
    expect(Tracking.specMappingFor("Order Completed")?.template).toBe("OrderPlaced")
    expect(Tracking.specMappingFor("order completed")?.template).toBe("OrderPlaced")
    expect(Tracking.specMappingFor("Signed Up")?.template).toBe("CustomerRegistered")
    expect(Tracking.specMappingFor("Video Played")).toBeUndefined()
    for (const m of Tracking.specMappings) expect(Catalog.isBuiltIn(m.template)).toBe(true)
  })

  // Every spec mapping of a full spec example yields a payload the built-in template accepts.
  const examples: Record<string, Record<string, unknown>> = {
    "Product Viewed": { product_id: "p1", sku: "S1", name: "Mug", price: 3, category: "kitchen" },
    "Product Clicked": { product_id: "p1" },
    "Product List Viewed": { list_id: "hot", category: "Deals", products: [{ product_id: "p1" }] },
    "Product Added": { product_id: "p1", quantity: 2, price: 3 },
    "Product Removed": { product_id: "p1" },
    "Product Added to Wishlist": { product_id: "p1", wishlist_id: "w" },
    "Product Removed from Wishlist": { product_id: "p1" },
    "Order Completed": {
      order_id: "o1",
      total: 10,
      tax: 1,
      discount: 1,
      currency: "usd",
      products: [{ product_id: "p1", price: 5, quantity: 2 }],
    },
    "Signed Up": { email: "a@example.com" },
    "Signed In": { method: "sso" },
  }
  it.each(Tracking.specMappings.map((m) => [m.event, m] as const))(
    "%s maps to a valid payload",
    (event, mapping) => {
      const payload = mapping.payload({ properties: examples[event]!, userId: "u1" })
      const def = Catalog.getBuiltInTemplate(mapping.template)!.definition
      const checked = Validation.validatePayload(def, payload, {})
      expect(Result.isSuccess(checked) ? "valid" : checked.failure.message).toBe("valid")
    },
  )

  it("builds the order snapshot from Segment's order properties", () => {
    const payload = Tracking.specMappingFor("Order Completed")!.payload({
      properties: examples["Order Completed"]!,
    }) as { order: Record<string, unknown> }
    expect(payload.order).toEqual({
      orderId: "o1",
      status: "placed",
      currency: "USD",
      lines: [
        { lineId: "1", productId: "p1", quantity: 2, unitPrice: 5, total: 10, status: "placed" },
      ],
      totals: { subtotal: 10, discount: 1, shipping: 0, tax: 1, total: 10 },
    })
  })

  it("an incomplete spec event fails validation with the field path", () => {
    const payload = Tracking.specMappingFor("Product Viewed")!.payload({ properties: {} })
    const def = Catalog.getBuiltInTemplate("ProductViewed")!.definition
    const checked = Validation.validatePayload(def, payload, {})
    expect(Result.isFailure(checked) && Errors.errorPath(checked.failure)).toEqual([
      "payload",
      "product",
      "productId",
    ])
  })
})

describe("custom fields", () => {
  it("infers optional fields for new scalar properties only", () => {
    const fields = Tracking.inferNewFields(
      {
        title: "x",
        seconds: 3,
        muted: true,
        tags: ["a"],
        nested: { a: 1 },
        "bad name": 1,
        none: null,
      },
      [{ name: "title", type: "string", required: false }],
    )
    expect(fields).toEqual([
      { name: "seconds", type: "decimal", required: false },
      { name: "muted", type: "boolean", required: false },
    ])
  })

  it("splits properties between matching custom fields and the payload", () => {
    const split = Tracking.splitProperties(
      { title: "x", seconds: "not a number", tags: ["a"], order_id: "o" },
      [
        { name: "title", type: "string", required: false },
        { name: "seconds", type: "decimal", required: false },
      ],
      ["order_id"],
    )
    expect(split).toEqual({
      customFields: { title: "x" },
      rest: { seconds: "not a number", tags: ["a"] },
    })
  })
})

describe("traitsToProfile", () => {
  it("maps Segment's reserved traits onto the profile and keeps the others", () => {
    const p = Tracking.traitsToProfile(
      {
        name: "Ann Marie Lee",
        email: "ann@example.com",
        phone: "+1 555 0100",
        birthday: "1990-02-03T00:00:00.000Z",
        gender: "F",
        address: { city: "Berlin", street: "Main 1" },
        plan: "pro",
      },
      { locale: "de-DE", timezone: "Europe/Berlin" },
    )
    expect(p.personal).toEqual({
      firstName: "Ann",
      lastName: "Marie Lee",
      birthDate: "1990-02-03",
      gender: "female",
      city: "Berlin",
      locale: "de-DE",
      timeZone: "Europe/Berlin",
    })
    expect(p.identifiers).toEqual([
      { kind: "email", value: "ann@example.com" },
      { kind: "phone", value: "+1 555 0100" },
    ])
    expect(p.customFields).toEqual({ address: { city: "Berlin", street: "Main 1" }, plan: "pro" })
  })

  it("prefers explicit first and last names over name", () => {
    const p = Tracking.traitsToProfile({ name: "X Y", firstName: "Ann", last_name: "Lee" })
    expect(p.personal).toEqual({ firstName: "Ann", lastName: "Lee" })
  })
})

describe("parseCall", () => {
  const envelope = { receivedAt: ms("2026-05-01T12:00:00.000Z") }
  const parse = (type: string, raw: unknown, env: Tracking.CallEnvelope = envelope) =>
    Tracking.parseCall(3, type, raw, env)
  const refusal = (r: ReturnType<typeof parse>) =>
    "status" in r ? [r.tag, r.path] : ["accepted", undefined]

  it("accepts a call: ids, a 190-character message id, merged context, its source and time", () => {
    const r = parse(
      "track",
      {
        userId: 42,
        event: "Signed In",
        messageId: "m".repeat(300),
        context: { library: { name: "analytics.js" } },
      },
      { ...envelope, context: { locale: "de-DE", library: { name: "other" } } },
    )
    expect("status" in r).toBe(false)
    const p = r as Tracking.ParsedCall
    expect([p.index, p.type, p.userId, p.anonymousId, p.messageId?.length]).toEqual([
      3,
      "track",
      "42",
      undefined,
      190,
    ])
    expect(p.context).toEqual({ locale: "de-DE", library: { name: "analytics.js" } })
    expect(p.source).toBe("website")
    expect(p.occurredAt).toBe(envelope.receivedAt)
  })

  it("refuses a bad envelope with the field's path", () => {
    expect(refusal(parse("track", [1]))).toEqual(["InvalidPayload", []])
    expect(refusal(parse("nope", { userId: "u" }))).toEqual(["InvalidPayload", ["type"]])
    expect(refusal(parse("track", { event: "X" }))).toEqual(["InvalidPayload", ["userId"]])
    expect(refusal(parse("track", { userId: "", event: "X" }))).toEqual([
      "InvalidPayload",
      ["userId"],
    ])
    expect(refusal(parse("track", { userId: "u" }))).toEqual(["InvalidPayload", ["event"]])
    expect(refusal(parse("group", { userId: "u" }))).toEqual(["InvalidPayload", ["groupId"]])
    expect(refusal(parse("alias", { userId: "u" }))).toEqual(["InvalidPayload", ["previousId"]])
    expect(refusal(parse("track", { userId: "u", event: "X", properties: [] }))).toEqual([
      "InvalidPayload",
      ["properties"],
    ])
    expect(
      refusal(parse("track", { userId: "u", event: "X", timestamp: "2026-05-01T12:06:00Z" })),
    ).toEqual(["EventTimeInFuture", undefined])
    expect(refusal(parse("track", { userId: "u", event: "X", big: "x".repeat(33_000) }))[0]).toBe(
      "EventTooLarge",
    )
  })

  it("actionShape: page properties gain the page url; group keeps its id and traits", () => {
    const page = parse("page", {
      userId: "u",
      name: "Home",
      context: { page: { url: "https://x.example/" } },
    }) as Tracking.ParsedCall
    expect(Tracking.actionShape(page)).toEqual({
      event: "PageViewed",
      properties: { name: "Home", url: "https://x.example/" },
    })
    const group = parse("group", {
      anonymousId: "a",
      groupId: "g-1",
      traits: { plan: "pro" },
    }) as Tracking.ParsedCall
    expect(Tracking.actionShape(group)).toEqual({
      event: "GroupAssociated",
      properties: { groupId: "g-1", plan: "pro" },
    })
    expect(Tracking.customerIdentifierOf(group)).toEqual({ kind: "anonymousId", value: "a" })
  })
})

describe("traitsToProfile as a partial change", () => {
  it("names only the traits sent; a null trait clears its field", () => {
    expect(Tracking.traitsToProfile({ firstName: "Ann" }).personal).toEqual({ firstName: "Ann" })
    expect(
      Tracking.traitsToProfile({ firstName: null, address: { city: null }, gender: null }).personal,
    ).toEqual({ firstName: null, city: null, gender: null })
    expect(Tracking.traitsToProfile({ name: null }).personal).toEqual({
      firstName: null,
      lastName: null,
    })
    expect(Tracking.traitsToProfile({ name: "Ann" }).personal).toEqual({ firstName: "Ann" })
  })
})
