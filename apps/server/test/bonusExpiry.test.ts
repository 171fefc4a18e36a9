import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { expireDueCredits } from "../src/BonusExpiry"
import { client, startTestServer, type TestServer } from "./helpers"

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls `check` until it answers true or `ms` pass (the schedule runs on its own clock). */
const eventually = async (check: () => Promise<boolean>, ms = 15_000) => {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await check()) return true
    await sleep(100)
  }
  return false
}

describe("bonus expiry schedule", () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer({ bonusExpiryIntervalMs: 200 })
  })
  afterAll(() => t.close())

  it("takes expired credits away without anyone calling the API, and audits it", async () => {
    const api = client(t.url, { cookie: t.cookies.admin })
    const c = await api.customers.create.mutate({
      identifiers: [{ kind: "email", value: "expiring@example.com" }],
    })
    const customer = { id: c.id }
    await api.rewards.changeBonus.mutate({ customer, delta: 100, reason: "lasting" })
    await api.rewards.changeBonus.mutate({
      customer,
      delta: 40,
      reason: "flash",
      expiresAt: Date.now() + 500,
    })
    const balance = async () =>
      (await api.rewards.balances.query({ customer })).find((b) => b.kind === "points")?.balance

    expect(await balance()).toBe(140)
    expect(await eventually(async () => (await balance()) === 100)).toBe(true)

    const history = await api.rewards.bonusHistory.query({ customer })
    expect(history.map((h) => h.delta)).toEqual([-40, 40, 100])
    const feed = await api.actions.feed.query({ customer })
    expect(feed.items.filter((a) => a.template === "BonusPointsChanged")).toHaveLength(3)
    const audit = await api.audit.list.query({ targetType: "bonus" })
    expect(audit.entries[0]).toMatchObject({
      action: "rewards.expireCredits",
      actor: { kind: "system", label: "bonus-expiry" },
      changes: { expired: 1, customers: 1 },
    })

    // A later run finds nothing due: the balance stays, no second entry.
    expect(await t.server.runtime.runPromise(expireDueCredits)).toBe(0)
    expect(await balance()).toBe(100)
    expect((await api.audit.list.query({ targetType: "bonus" })).entries).toHaveLength(1)
  })
})
