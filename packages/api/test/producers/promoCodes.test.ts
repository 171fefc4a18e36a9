import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { client, snapshot, startFixture, tagOf, type ProducerFixture } from "./setup"

let f: ProducerFixture
beforeAll(async () => {
  f = await startFixture()
})
afterAll(() => f.t.close())

describe("promo codes", () => {
  it("issues a code (system action) and redeems it in an order (personal action), each once", async () => {
    const customerId = await f.newCustomer("saver@example.com")
    const customer = { id: customerId as never }
    await f.api.promoCodes.createPool.mutate({ id: "welcome", name: "Welcome 10%" })
    const pool = await f.api.promoCodes.importCodes.mutate({
      poolId: "welcome",
      codes: ["W-1", "W-2"],
    })
    expect(pool).toMatchObject({ available: 2, issued: 0, redeemed: 0 })

    const issued = await f.api.promoCodes.issue.mutate({ poolId: "welcome", customer })
    expect(issued.code).toMatchObject({ code: "W-1", status: "issued", customerId })
    await f.api.orders.create.mutate({
      orderId: "P-1",
      customer,
      currency: "EUR",
      lines: [{ productId: "hat", quantity: 1, unitPrice: 20 }],
      promoCodes: ["W-1"],
    })
    const redeemed = await f.api.promoCodes.redeem.mutate({ code: "W-1", customer, orderId: "P-1" })
    expect(redeemed.code).toMatchObject({
      status: "redeemed",
      orderId: "P-1",
      redeemActionId: redeemed.actionId,
    })

    const feed = await f.feed(customerId)
    const byTemplate = Object.fromEntries(feed.map((a) => [a.template, a]))
    expect(byTemplate["PromoCodeIssued"]).toMatchObject({
      id: issued.actionId,
      category: "system",
      brandId: "acme",
      touchpointId: f.touchpointId,
      payload: { code: "W-1", poolId: "welcome" },
    })
    expect(byTemplate["PromoCodeRedeemed"]).toMatchObject({
      id: redeemed.actionId,
      category: "personal",
      payload: { code: "W-1", poolId: "welcome", orderId: "P-1" },
    })

    const before = await snapshot(f.t.server)
    expect(await tagOf(f.api.promoCodes.redeem.mutate({ code: "W-1", customer }))).toMatchObject({
      tag: "PromoCodeConflict",
      status: 409,
    })
    const other = await f.newCustomer("other@example.com")
    const mid = await snapshot(f.t.server)
    expect(
      await tagOf(
        f.api.promoCodes.redeem.mutate({ code: "W-2", customer: { id: other as never } }),
      ),
    ).toMatchObject({
      tag: "PromoCodeNotRedeemable",
    })
    expect(await tagOf(f.api.promoCodes.redeem.mutate({ code: "nope", customer }))).toMatchObject({
      tag: "PromoCodeNotFound",
    })
    expect(await snapshot(f.t.server)).toBe(mid)
    expect(before).not.toBe(mid)
    expect(await f.api.promoCodes.pool.query({ id: "welcome" })).toMatchObject({
      available: 1,
      issued: 0,
      redeemed: 1,
    })
  })

  it("refuses an import with an existing code, changing nothing", async () => {
    await f.api.promoCodes.createPool.mutate({ id: "dup", name: "Dup" })
    const before = await snapshot(f.t.server)
    expect(
      await tagOf(f.api.promoCodes.importCodes.mutate({ poolId: "dup", codes: ["NEW-1", "W-2"] })),
    ).toMatchObject({
      tag: "PromoCodeAlreadyExists",
      status: 409,
    })
    expect(await snapshot(f.t.server)).toBe(before)
  })

  it("generates codes and is idempotent per transaction id", async () => {
    const customerId = await f.newCustomer("retry@example.com")
    await f.api.promoCodes.createPool.mutate({ id: "gen", name: "Generated" })
    const pool = await f.api.promoCodes.generateCodes.mutate({
      poolId: "gen",
      count: 20,
      prefix: "G-",
    })
    expect(pool.available).toBe(20)
    const a = await f.api.promoCodes.issue.mutate({
      poolId: "gen",
      customer: { id: customerId as never },
      transactionId: "t-1" as never,
    })
    const b = await f.api.promoCodes.issue.mutate({
      poolId: "gen",
      customer: { id: customerId as never },
      transactionId: "t-1" as never,
    })
    expect(a.status).toBe("recorded")
    expect(b).toMatchObject({
      status: "alreadyProcessed",
      actionId: a.actionId,
      code: { code: a.code.code },
    })
    expect(a.code.code).toMatch(/^G-[A-Z2-9]{10}$/)
    expect((await f.api.promoCodes.pool.query({ id: "gen" })).issued).toBe(1)
    // A key already used by another kind of action is refused and issues nothing.
    await f.api.actions.record.mutate({
      customer: { id: customerId },
      template: "CustomerSignedIn",
      payload: { method: "password" },
      transactionId: "t-2",
    } as never)
    const before = await snapshot(f.t.server)
    const clash = await tagOf(
      f.api.promoCodes.issue.mutate({
        poolId: "gen",
        customer: { id: customerId as never },
        transactionId: "t-2" as never,
      }),
    )
    expect(clash).toMatchObject({ tag: "InvalidPayload", status: 400 })
    expect(await snapshot(f.t.server)).toBe(before)
  })

  it("50 concurrent requests for the last code of a pool issue it exactly once", async () => {
    await f.api.promoCodes.createPool.mutate({ id: "last", name: "Last one" })
    await f.api.promoCodes.importCodes.mutate({ poolId: "last", codes: ["LAST-1"] })
    const ids = await Promise.all(
      Array.from({ length: 50 }, (_, i) => f.newCustomer(`rush${i}@example.com`)),
    )
    // Separate clients (connections), all at once.
    const results = await Promise.allSettled(
      ids.map((id) =>
        client(f.t.url, { apiKey: f.t.keys.ingest }).promoCodes.issue.mutate({
          poolId: "last",
          customer: { id: id as never },
        }),
      ),
    )
    const ok = results.filter((r) => r.status === "fulfilled")
    expect(ok).toHaveLength(1)
    const refusals = await Promise.all(
      results.filter((r) => r.status === "rejected").map((r) => tagOf(Promise.reject(r.reason))),
    )
    expect(new Set(refusals.map((x) => x.tag))).toEqual(new Set(["PromoPoolExhausted"]))
    expect(refusals).toHaveLength(49)
    const issuedActions = await f.api.actions.list.query({
      filter: { templates: ["PromoCodeIssued" as never] },
      limit: 500,
    })
    const forLast = issuedActions.items.filter(
      (a) => (a.payload as { code: string }).code === "LAST-1",
    )
    expect(forLast).toHaveLength(1)
    const code = await f.api.promoCodes.code.query({ code: "LAST-1" })
    expect(code.customerId).toBe(forLast[0]!.customerId)
    expect(code.issueActionId).toBe(forLast[0]!.id)
  })

  it("is atomic: when the action cannot be recorded, the code stays available", async () => {
    const customerId = await f.newCustomer("atomic@example.com")
    await f.api.promoCodes.createPool.mutate({ id: "atomic", name: "Atomic" })
    await f.api.promoCodes.importCodes.mutate({ poolId: "atomic", codes: ["A-1"] })
    const before = await snapshot(f.t.server)
    expect(
      await tagOf(
        f.api.promoCodes.issue.mutate({
          poolId: "atomic",
          customer: { id: customerId as never },
          touchpoint: { externalId: "no-such-touchpoint" },
        }),
      ),
    ).toMatchObject({ tag: "UnknownTouchpoint" })
    expect(await snapshot(f.t.server)).toBe(before)
    expect((await f.api.promoCodes.code.query({ code: "A-1" })).status).toBe("available")
    const ok = await f.api.promoCodes.issue.mutate({
      poolId: "atomic",
      customer: { id: customerId as never },
    })
    const mid = await snapshot(f.t.server)
    expect(
      await tagOf(
        f.api.promoCodes.redeem.mutate({
          code: ok.code.code,
          customer: { id: customerId as never },
          occurredAt: "2999-01-01T00:00:00Z",
        }),
      ),
    ).toMatchObject({ tag: "EventTimeInFuture" })
    expect(await snapshot(f.t.server)).toBe(mid)
    expect(
      (await f.api.promoCodes.ofCustomer.query({ customer: { id: customerId as never } }))[0],
    ).toMatchObject({
      status: "issued",
    })
  })
})
