import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { failure, snapshot, startFixture, tagOf, type ProducerFixture } from "./setup"

let f: ProducerFixture
beforeAll(async () => {
  f = await startFixture()
  await f.api.campaigns.create.mutate({
    id: "spring",
    name: "Spring sale",
    brandId: "acme" as never,
  })
  await f.api.campaigns.createMessage.mutate({
    id: "spring-email",
    campaignId: "spring",
    name: "Spring sale email",
    channel: "email",
    subject: "Spring is here",
  })
})
afterAll(() => f.t.close())

const message = { campaignId: "spring", messageId: "spring-email", channel: "email" }

describe("campaigns and messages", () => {
  it("creating a message makes its templates exist", async () => {
    const m = await f.api.campaigns.message.query({ id: "spring-email" })
    expect(m.templates).toMatchObject({
      composed: "MessageComposed",
      sent: "MessageSent",
      opened: "MessageOpened",
    })
    for (const name of Object.values(m.templates)) {
      const def = await f.api.templates.get.query({ systemName: name as never })
      expect(def.systemName).toBe(name)
    }
    expect(
      await tagOf(
        f.api.campaigns.createMessage.mutate({ campaignId: "nope", name: "x", channel: "sms" }),
      ),
    ).toMatchObject({
      tag: "CampaignNotFound",
      status: 404,
    })
  })

  it("records a message's events as actions that name the message, and counts them", async () => {
    const customerId = await f.newCustomer("reader@example.com")
    const customer = { id: customerId as never }
    for (const event of ["composed", "sent", "delivered", "opened"] as const) {
      const r = await f.api.campaigns.recordEvent.mutate({
        messageId: "spring-email",
        customer,
        event,
      })
      expect(r.status).toBe("recorded")
    }
    await f.api.campaigns.recordEvent.mutate({
      messageId: "spring-email",
      customer,
      event: "clicked",
      url: "https://acme.example.com/sale",
      eventId: "click-1",
    })
    const feed = await f.feed(customerId)
    expect(feed.map((a) => [a.template, a.category])).toEqual([
      ["MessageClicked", "personal"],
      ["MessageOpened", "personal"],
      ["MessageDelivered", "system"],
      ["MessageSent", "system"],
      ["MessageComposed", "system"],
    ])
    for (const a of feed) {
      expect(a.payload["message"]).toEqual(message)
      expect(a.brandId).toBe("acme")
      expect(a.touchpointId).toBe(f.touchpointId)
    }
    expect(feed[0]!.payload).toMatchObject({ url: "https://acme.example.com/sale" })
    const m = await f.api.campaigns.message.query({ id: "spring-email" })
    expect(m.stats).toMatchObject({ composed: 1, sent: 1, delivered: 1, opened: 1, clicked: 1 })
  })

  it("is idempotent: a repeated event is already processed and counts once", async () => {
    const customerId = await f.newCustomer("repeat@example.com")
    const customer = { id: customerId as never }
    const before = (await f.api.campaigns.message.query({ id: "spring-email" })).stats
    const first = await f.api.campaigns.recordEvent.mutate({
      messageId: "spring-email",
      customer,
      event: "sent",
    })
    const again = await f.api.campaigns.recordEvent.mutate({
      messageId: "spring-email",
      customer,
      event: "sent",
    })
    expect(again).toEqual({ status: "alreadyProcessed", actionId: first.actionId })
    const batch = await f.api.campaigns.recordEvents.mutate({
      events: [
        { messageId: "spring-email", customer, event: "opened", eventId: "o-1" },
        { messageId: "spring-email", customer, event: "opened", eventId: "o-1" },
        { messageId: "spring-email", customer, event: "opened", eventId: "o-2" },
        { messageId: "no-such-message", customer, event: "opened" },
        { messageId: "spring-email", customer: { id: "c_nobody" as never }, event: "sent" },
        { messageId: "spring-email", customer, event: "deliveryFailed", reason: "mailboxFull" },
      ],
    })
    expect(batch.results.map((r) => r.status)).toEqual([
      "recorded",
      "alreadyProcessed",
      "recorded",
      "rejected",
      "rejected",
      "recorded",
    ])
    expect(batch.results[3]).toMatchObject({ tag: "CampaignMessageNotFound" })
    expect(batch.results[4]).toMatchObject({ tag: "CustomerNotFound" })
    const after = (await f.api.campaigns.message.query({ id: "spring-email" })).stats
    expect(after.sent - before.sent).toBe(1)
    expect(after.opened - before.opened).toBe(2)
    expect(after.deliveryFailed - before.deliveryFailed).toBe(1)
    const feed = await f.feed(customerId)
    expect(feed.map((a) => a.template).sort()).toEqual(
      ["MessageDeliveryFailed", "MessageOpened", "MessageOpened", "MessageSent"].sort(),
    )
    expect(feed.find((a) => a.template === "MessageDeliveryFailed")!.payload).toMatchObject({
      reason: "mailboxFull",
      message,
    })
  })

  it("an unsubscribe request also switches the subscription off (and records that)", async () => {
    const customerId = await f.newCustomer("leaver@example.com")
    await f.api.profiles.setSubscriptions.mutate({
      customer: { id: customerId as never },
      subscriptions: [{ channel: "email", brandId: "acme" as never, subscribed: true }],
    })
    const r = await f.api.campaigns.recordEvent.mutate({
      messageId: "spring-email",
      customer: { identifier: { kind: "email", value: "leaver@example.com" } },
      event: "unsubscribeRequested",
      eventId: "u-1",
    })
    expect(r).toMatchObject({ status: "recorded" })
    expect("subscriptionActionId" in r && r.subscriptionActionId).toBeTruthy()
    const profile = await f.api.customers.get.query({ id: customerId as never })
    expect(profile.subscriptions).toEqual([
      { channel: "email", brandId: "acme", subscribed: false },
    ])
    const [sub, unsub] = await f.feed(customerId)
    expect(unsub).toMatchObject({
      template: "UnsubscribeRequested",
      category: "personal",
      payload: { channel: "email", message },
    })
    expect(sub).toMatchObject({
      template: "SubscriptionChanged",
      category: "personal",
      payload: { changes: [{ channel: "email", brandId: "acme", subscribed: false }] },
    })
  })

  it("is atomic: a failing action leaves counters and subscriptions untouched", async () => {
    const customerId = await f.newCustomer("atomic@example.com")
    const before = await snapshot(f.t.server)
    expect(
      await tagOf(
        f.api.campaigns.recordEvent.mutate({
          messageId: "spring-email",
          customer: { id: customerId as never },
          event: "unsubscribeRequested",
          touchpoint: { externalId: "no-such-touchpoint" },
        }),
      ),
    ).toMatchObject({ tag: "UnknownTouchpoint" })
    expect(
      await tagOf(
        f.api.campaigns.recordEvent.mutate({
          messageId: "spring-email",
          customer: { id: customerId as never },
          event: "sent",
          brand: "beta" as never,
        }),
      ),
    ).toMatchObject({ tag: "BrandConflict" })
    expect(await snapshot(f.t.server)).toBe(before)
  })

  it("a click needs its url; unknown events are refused", async () => {
    const customerId = await f.newCustomer("clicker@example.com")
    const before = await snapshot(f.t.server)
    const noUrl = await failure(
      f.api.campaigns.recordEvent.mutate({
        messageId: "spring-email",
        customer: { id: customerId as never },
        event: "clicked",
      }),
    )
    expect(noUrl.data).toMatchObject({ tag: "InputInvalid", fieldPath: ["url"] })
    const unknown = await failure(
      f.api.campaigns.recordEvent.mutate({
        messageId: "spring-email",
        customer: { id: customerId as never },
        event: "forwarded" as never,
      }),
    )
    expect(unknown.data).toMatchObject({ tag: "InputInvalid", fieldPath: ["event"] })
    expect(await snapshot(f.t.server)).toBe(before)
  })

  it("lists campaigns with their messages", async () => {
    const list = await f.api.campaigns.list.query()
    expect(list.map((c) => c.id)).toContain("spring")
    const c = await f.api.campaigns.get.query({ id: "spring" })
    expect(c.messages.map((m) => m.id)).toEqual(["spring-email"])
  })
})
