import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { client, failure, snapshot, startFixture, tagOf, type ProducerFixture } from "./setup"

let f: ProducerFixture
beforeAll(async () => {
  f = await startFixture()
})
afterAll(() => f.t.close())

const email = (value: string) => ({ identifier: { kind: "email", value } })

describe("notes and tags", () => {
  it("staff add notes; tags are added and removed; each is an action, no-ops record nothing", async () => {
    const customerId = await f.newCustomer("tagged@example.com")
    const customer = { id: customerId as never }
    const note = await f.staff.notes.add.mutate({ customer, text: "Prefers phone calls." })
    expect(note).toMatchObject({
      customerId,
      text: "Prefers phone calls.",
      author: expect.stringMatching(/^staff:/),
    })
    expect((await f.api.notes.list.query({ customer })).map((n) => n.id)).toEqual([note.id])

    const added = await f.staff.tags.add.mutate({ customer, tag: "vip" })
    expect(added).toMatchObject({ changed: true, tags: ["vip"] })
    const before = await snapshot(f.t.server)
    expect(await f.staff.tags.add.mutate({ customer, tag: "vip" })).toMatchObject({
      changed: false,
    })
    expect(await f.staff.tags.remove.mutate({ customer, tag: "absent" })).toMatchObject({
      changed: false,
    })
    expect(await snapshot(f.t.server)).toBe(before)
    const removed = await f.api.tags.remove.mutate({ customer, tag: "vip" })
    expect(removed).toMatchObject({ changed: true, tags: [] })

    const feed = await f.feed(customerId)
    expect(feed.map((a) => [a.template, a.category, a.payload])).toEqual([
      ["TagRemoved", "system", { tag: "vip" }],
      ["TagAdded", "system", { tag: "vip" }],
      ["NoteAdded", "system", { text: "Prefers phone calls." }],
    ])
    expect(feed[2]!.recordedBy.kind).toBe("staff")
    // Staff changes are audited with the change.
    const audit = await f.staff.audit.list.query({})
    expect(JSON.stringify(audit)).toContain("notes.add")
  })

  it("is atomic: a tag change whose action fails is not applied", async () => {
    const customerId = await f.newCustomer("atomic-tag@example.com")
    const before = await snapshot(f.t.server)
    expect(
      await tagOf(
        f.api.tags.add.mutate({
          customer: { id: customerId as never },
          tag: "x",
          touchpoint: { id: "tp_nope" as never },
        }),
      ),
    ).toMatchObject({ tag: "UnknownTouchpoint" })
    expect(await snapshot(f.t.server)).toBe(before)
  })
})

describe("profile edits and subscriptions", () => {
  it("customer edits are ProfileEdited, staff corrections ProfileCorrected, no change records nothing", async () => {
    const customerId = await f.newCustomer("editor@example.com")
    await f.api.customers.edit.mutate({
      id: customerId as never,
      changes: { personal: { firstName: "Ann" } },
    })
    await f.staff.customers.edit.mutate({
      id: customerId as never,
      changes: { personal: { firstName: "Anna" } },
      reason: "typo",
    })
    const unchanged = await f.staff.customers.edit.mutate({
      id: customerId as never,
      changes: { personal: { firstName: "Anna" } },
    })
    expect(unchanged.actionId).toBeUndefined()
    const feed = await f.feed(customerId)
    expect(feed.map((a) => [a.template, a.category])).toEqual([
      ["ProfileCorrected", "system"],
      ["ProfileEdited", "personal"],
    ])
    expect(feed[0]!.payload).toEqual({
      changes: [{ field: "personal.firstName", before: "Ann", after: "Anna" }],
      reason: "typo",
    })
  })

  it("subscriptions per channel and brand record only the entries that change", async () => {
    const customerId = await f.newCustomer("subs@example.com")
    const customer = { id: customerId as never }
    const r = await f.api.profiles.setSubscriptions.mutate({
      customer,
      subscriptions: [
        { channel: "email", brandId: "acme" as never, subscribed: true },
        { channel: "sms", brandId: "beta" as never, subscribed: true },
      ],
    })
    expect(r.changes).toHaveLength(2)
    const again = await f.api.profiles.setSubscriptions.mutate({
      customer,
      subscriptions: [
        { channel: "email", brandId: "acme" as never, subscribed: true },
        { channel: "sms", brandId: "beta" as never, subscribed: false },
      ],
    })
    expect(again.changes).toEqual([{ channel: "sms", brandId: "beta", subscribed: false }])
    const feed = await f.feed(customerId)
    expect(feed.map((a) => a.template)).toEqual(["SubscriptionChanged", "SubscriptionChanged"])
    expect(feed[0]!.payload).toEqual({
      changes: [{ channel: "sms", brandId: "beta", subscribed: false }],
    })
    expect(
      await tagOf(
        f.api.profiles.setSubscriptions.mutate({
          customer,
          subscriptions: [
            { channel: "sms", brandId: "beta" as never, subscribed: true },
            { channel: "sms", brandId: "beta" as never, subscribed: false },
          ],
        }),
      ),
    ).toMatchObject({ tag: "InvalidPayload" })
    const unknown = await failure(
      f.api.profiles.setSubscriptions.mutate({
        customer,
        subscriptions: [{ channel: "viber", brandId: "nope" as never, subscribed: true }],
      }),
    )
    expect(unknown.data).toMatchObject({
      tag: "InvalidPayload",
      fieldPath: ["subscriptions", 0, "brandId"],
    })
  })
})

describe("rewards and bonus points", () => {
  it("issues rewards and changes balances, each a system action; never negative unless allowed", async () => {
    const customerId = await f.newCustomer("loyal@example.com")
    const customer = { id: customerId as never }
    const reward = await f.api.rewards.issue.mutate({
      customer,
      reward: "birthday-gift",
      amount: 10,
    })
    await f.api.rewards.changeBonus.mutate({
      customer,
      delta: 100,
      reason: "order",
      orderId: "O-9" as never,
    })
    const spent = await f.api.rewards.changeBonus.mutate({ customer, delta: -60, reason: "spent" })
    expect(spent.change.balanceAfter).toBe(40)
    const before = await snapshot(f.t.server)
    expect(
      await tagOf(f.api.rewards.changeBonus.mutate({ customer, delta: -41, reason: "spent" })),
    ).toMatchObject({
      tag: "InsufficientBonusBalance",
      status: 400,
    })
    expect(
      await tagOf(
        f.api.rewards.changeBonus.mutate({ customer, kind: "gold", delta: 1, reason: "x" }),
      ),
    ).toMatchObject({
      tag: "UnknownBonusKind",
    })
    expect(
      await tagOf(
        f.api.rewards.changeBonus.mutate({
          customer,
          delta: 5,
          reason: "x",
          touchpoint: { externalId: "nope" },
        }),
      ),
    ).toMatchObject({ tag: "UnknownTouchpoint" })
    expect(await snapshot(f.t.server)).toBe(before)
    await f.api.rewards.changeBonus.mutate({
      customer,
      kind: "credit",
      delta: -30,
      reason: "advance",
    })
    expect(await f.api.rewards.balances.query({ customer })).toEqual([
      { kind: "credit", balance: -30 },
      { kind: "points", balance: 40 },
    ])
    const feed = await f.feed(customerId)
    expect(feed.map((a) => [a.template, a.category])).toEqual([
      ["BonusPointsChanged", "system"],
      ["BonusPointsChanged", "system"],
      ["BonusPointsChanged", "system"],
      ["RewardIssued", "system"],
    ])
    expect(feed[3]).toMatchObject({
      id: reward.actionId,
      payload: { reward: "birthday-gift", amount: 10 },
    })
    expect(feed[2]!.payload).toMatchObject({
      delta: 100,
      balanceAfter: 100,
      kind: "points",
      orderId: "O-9",
    })
    expect(typeof feed[2]!.payload["expiresAt"]).toBe("number")
    expect(feed[0]!.payload).toMatchObject({ delta: -30, balanceAfter: -30, kind: "credit" })
    expect((await f.api.rewards.bonusHistory.query({ customer })).map((c) => c.delta)).toEqual([
      -30, -60, 100,
    ])
  })
})

describe("bonus expiry", () => {
  it("takes away expired credits, counting spending against the earliest credits first", async () => {
    const customerId = await f.newCustomer("expiring@example.com")
    const customer = { id: customerId as never }
    const day = 24 * 3600 * 1000
    const now = Date.now()
    await f.api.rewards.changeBonus.mutate({
      customer,
      delta: 100,
      reason: "a",
      expiresAt: now + 10 * day,
    })
    await f.api.rewards.changeBonus.mutate({
      customer,
      delta: 50,
      reason: "b",
      expiresAt: now + 20 * day,
    })
    await f.api.rewards.changeBonus.mutate({ customer, delta: -30, reason: "spent" })
    expect(await f.api.rewards.expireCredits.mutate({ now: now + day })).toEqual([])
    const first = await f.api.rewards.expireCredits.mutate({ now: now + 11 * day })
    expect(
      first.filter((c) => c.customerId === customerId).map((c) => [c.delta, c.balanceAfter]),
    ).toEqual([[-70, 50]])
    // Running it again changes nothing; the second credit expires later.
    expect(
      (await f.api.rewards.expireCredits.mutate({ now: now + 11 * day })).filter(
        (c) => c.customerId === customerId,
      ),
    ).toEqual([])
    const second = await f.api.rewards.expireCredits.mutate({ now: now + 21 * day })
    expect(
      second.filter((c) => c.customerId === customerId).map((c) => [c.delta, c.balanceAfter]),
    ).toEqual([[-50, 0]])
    const [last] = await f.feed(customerId)
    expect(last).toMatchObject({
      template: "BonusPointsChanged",
      category: "system",
      payload: { delta: -50, balanceAfter: 0, reason: "expired", kind: "points" },
    })
  })
})

describe("merging customers", () => {
  it("the survivor's feed has both histories; identifiers move; later actions for the old id land on the survivor", async () => {
    const a = await f.api.customers.create.mutate({
      identifiers: [
        { kind: "email", value: "anna@example.com" },
        { kind: "phone", value: "+1 555 0100" },
      ],
      personal: { firstName: "Anna" },
    })
    const b = await f.api.customers.create.mutate({
      identifiers: [
        { kind: "email", value: "anna.old@example.com" },
        { kind: "loyaltyCard", value: "LC-77" },
      ],
      personal: { firstName: "Ann", city: "Berlin" },
      tags: ["legacy"],
    })
    const rec = (customer: unknown, template: string, payload: Record<string, unknown>) =>
      f.api.actions.record.mutate({ customer, template, payload } as never)
    await rec({ id: a.id }, "CustomerSignedIn", { method: "password" })
    await rec({ id: b.id }, "CustomerSignedIn", { method: "oneTimeCode" })
    await rec({ id: b.id }, "ProductViewed", { product: { productId: "p1" } })
    await f.api.orders.create.mutate({
      orderId: "M-1",
      customer: { id: b.id },
      currency: "EUR",
      lines: [{ productId: "p1", quantity: 1, unitPrice: 1 }],
    })
    await f.api.rewards.changeBonus.mutate({ customer: { id: a.id }, delta: 10, reason: "a" })
    await f.api.rewards.changeBonus.mutate({ customer: { id: b.id }, delta: 15, reason: "b" })
    const idsA = (await f.feed(a.id)).map((x) => x.id)
    const idsB = (await f.feed(b.id)).map((x) => x.id)

    const merged = await f.staff.profiles.merge.mutate({
      survivor: email("anna@example.com"),
      merged: { id: b.id },
    })
    expect(merged.movedActions).toBe(idsB.length)
    const feed = await f.feed(a.id)
    expect(feed[0]).toMatchObject({
      id: merged.actionId,
      template: "CustomersMerged",
      category: "system",
      payload: {
        mergedId: b.id,
        mergedIdentifiers: [
          { kind: "email", value: "anna.old@example.com" },
          { kind: "loyaltyCard", value: "LC-77" },
        ],
      },
    })
    // Both histories, nothing lost or duplicated.
    const rest = feed.slice(1).map((x) => x.id)
    expect(rest.sort()).toEqual([...idsA, ...idsB].sort())
    expect(new Set(rest).size).toBe(rest.length)

    const survivor = merged.survivor
    expect(survivor.identifiers).toEqual(
      expect.arrayContaining([
        { kind: "email", value: "anna@example.com" },
        { kind: "loyaltyCard", value: "LC-77" },
      ]),
    )
    expect(survivor.personal).toEqual({ firstName: "Anna", city: "Berlin" })
    expect(survivor.tags).toEqual(["legacy"])
    expect(await f.api.rewards.balances.query({ customer: { id: a.id } })).toEqual([
      { kind: "points", balance: 25 },
    ])
    expect((await f.api.orders.get.query({ orderId: "M-1" })).customerId).toBe(a.id)

    // Later actions for the merged-away id, its moved identifier and its redirected email.
    const r1 = await rec({ id: b.id }, "CustomerSignedIn", { method: "password" })
    const r2 = await rec(
      { identifier: { kind: "loyaltyCard", value: "LC-77" } },
      "CustomerSignedIn",
      { method: "sso" },
    )
    const r3 = await f.api.actions.record.mutate({
      customer: email("ANNA.OLD@example.com"),
      template: "CustomerSignedIn",
      payload: { method: "social" },
      createCustomer: true,
    } as never)
    const after = await f.feed(a.id)
    for (const r of [r1, r2, r3]) expect(after.map((x) => x.id)).toContain(r.id)
    expect((await f.api.customers.get.query({ id: b.id })).id).toBe(a.id)
    expect(
      (
        await f.api.customers.findByIdentifier.query({
          kind: "email",
          value: "anna.old@example.com",
        })
      ).id,
    ).toBe(a.id)
    // Merging into itself (also through the redirect) is refused.
    expect(
      await tagOf(f.staff.profiles.merge.mutate({ survivor: { id: a.id }, merged: { id: b.id } })),
    ).toMatchObject({
      tag: "InvalidMerge",
    })
  })

  it("merge chains stay one hop, and a failed merge changes nothing", async () => {
    const x = await f.newCustomer("x@example.com")
    const y = await f.newCustomer("y@example.com")
    const z = await f.newCustomer("z@example.com")
    await f.api.profiles.merge.mutate({ survivor: { id: y as never }, merged: { id: x as never } })
    const before = await snapshot(f.t.server)
    expect(
      await tagOf(
        f.api.profiles.merge.mutate({
          survivor: { id: z as never },
          merged: { id: y as never },
          touchpoint: { externalId: "nope" },
        }),
      ),
    ).toMatchObject({ tag: "UnknownTouchpoint" })
    expect(await snapshot(f.t.server)).toBe(before)
    await f.api.profiles.merge.mutate({ survivor: { id: z as never }, merged: { id: y as never } })
    const r = await f.api.actions.record.mutate({
      customer: { id: x },
      template: "CustomerSignedIn",
      payload: { method: "password" },
    } as never)
    expect((await f.feed(z)).map((a) => a.id)).toContain(r.id)
    expect((await f.feed(z)).filter((a) => a.template === "CustomersMerged")).toHaveLength(2)
  })
})

describe("manual actions", () => {
  it("staff with actions.add assign an action of any template to one customer; others may not", async () => {
    const customerId = await f.newCustomer("manual@example.com")
    const r = await f.staff.actions.record.mutate({
      customer: { id: customerId },
      template: "RewardIssued",
      payload: { reward: "apology-voucher" },
      touchpoint: { externalId: "acme-web" },
    } as never)
    const [action] = await f.feed(customerId)
    expect(action).toMatchObject({
      id: r.id,
      template: "RewardIssued",
      category: "system",
      recordedBy: { kind: "staff" },
    })
    const nobody = client(f.t.url, { cookie: f.t.cookies.nobody })
    expect(
      await tagOf(
        nobody.actions.record.mutate({
          customer: { id: customerId },
          template: "NoteAdded",
          payload: { text: "x" },
        } as never),
      ),
    ).toMatchObject({ tag: "Forbidden", status: 403 })
  })
})
