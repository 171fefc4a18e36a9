import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startServer, type RunningServer } from "@actionlog/server/start"
import { ApiKeys } from "@actionlog/store"
import { CrmSync, type CrmEvent, type IssuedAction } from "../src/index"

// Against the real product: startServer on a random port over a temp database file.
let server: RunningServer
let dir: string
let key: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "actionlog-crm-"))
  server = await startServer({ dbUrl: `file:${join(dir, "crm.db")}` })
  // The actionlog admins hand the CRM team a key (as `pnpm actionlog api-key create` would).
  key = (
    await server.runtime.runPromise(
      ApiKeys.use((k) =>
        k.create({ name: "crm-sync", scopes: ["ingest", "read"], createdBy: "test" }),
      ),
    )
  ).key
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

const hour = 3600_000
const events: ReadonlyArray<CrmEvent> = [
  {
    crmId: "1",
    email: "Lena@Example.com",
    kind: "call",
    at: new Date(Date.now() - 3 * hour),
    text: "Asked about sizes",
  },
  {
    crmId: "2",
    email: "lena@example.com",
    kind: "order",
    at: new Date(Date.now() - 2 * hour),
    orderId: "CRM-77",
    total: 59,
  },
  {
    crmId: "3",
    email: "lena@example.com",
    kind: "tag",
    at: new Date(Date.now() - hour),
    tag: "vip",
  },
]

describe("the CRM team's sync through @actionlog/client", () => {
  it("records CRM events and reads the customer's timeline", async () => {
    const sync = new CrmSync({ url: server.url, apiKey: key })
    expect(await sync.push(events)).toEqual({ recorded: 3, alreadyProcessed: 0, rejected: [] })
    const timeline = await sync.timeline("lena@example.com")
    expect(timeline.map((a) => a.template)).toEqual(["TagAdded", "OrderPlaced", "NoteAdded"])
  })

  it("is idempotent: a re-run is answered alreadyProcessed", async () => {
    const sync = new CrmSync({ url: server.url, apiKey: key })
    expect(await sync.push(events)).toEqual({ recorded: 0, alreadyProcessed: 3, rejected: [] })
  })

  it("reports rejected items with their tag and an empty timeline for unknown customers", async () => {
    const sync = new CrmSync({ url: server.url, apiKey: key })
    const future = await sync.push([
      { crmId: "4", email: "lena@example.com", kind: "call", at: new Date(Date.now() + 24 * hour) },
    ])
    expect(future.rejected).toEqual([
      { crmId: "4", tag: "EventTimeInFuture", message: expect.stringContaining("future") },
    ])
    expect(await sync.timeline("nobody@example.com")).toEqual([])
  })

  it("a wrong key is refused", async () => {
    const sync = new CrmSync({ url: server.url, apiKey: "al_live_wrong" })
    await expect(sync.timeline("lena@example.com")).rejects.toThrow(/invalid or revoked/)
  })
})

const waitFor = async (condition: () => boolean) => {
  const deadline = Date.now() + 10_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for live actions")
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe("reacting to actions issued, over the live subscription", () => {
  const email = "max@example.com"
  // Strictly increasing times, so the newest-first timeline reversed is the recorded order.
  const start = Date.now() - hour
  let n = 0
  const note = (crmId: string): CrmEvent => ({
    crmId,
    email,
    kind: "call",
    at: new Date(start + n++ * 1000),
    text: `note ${crmId}`,
  })
  const recordedIds = async (sync: CrmSync, crmIds: ReadonlyArray<string>) => {
    const report = await sync.push(crmIds.map(note))
    expect(report).toEqual({ recorded: crmIds.length, alreadyProcessed: 0, rejected: [] })
    // The newest-first timeline gives the ids the server gave these actions.
    return (await sync.timeline(email, crmIds.length)).map((a) => a.id).toReversed()
  }

  it("delivers exactly the new actions in order and resumes from the last id without gaps or repeats", async () => {
    const sync = new CrmSync({ url: server.url, apiKey: key })
    // Recorded before the subscription: never delivered.
    await recordedIds(sync, ["m0"])

    const received: Array<IssuedAction> = []
    const errors: Array<unknown> = []
    const first = sync.onActionIssued(
      { email },
      (a) => received.push(a),
      (e) => errors.push(e),
    )
    await first.ready
    const firstIds = await recordedIds(sync, ["m1", "m2", "m3"])
    await waitFor(() => received.length >= 3)
    expect(received.map((a) => a.id)).toEqual(firstIds)
    expect(received.map((a) => a.template)).toEqual(["NoteAdded", "NoteAdded", "NoteAdded"])
    const lastSeen = first.lastEventId()
    expect(lastSeen).toBe(received[2]!.eventId)
    first.close()

    // Recorded while nobody listens: delivered on resume.
    const missedIds = await recordedIds(sync, ["m4", "m5"])
    received.length = 0
    const second = sync.onActionIssued(
      { email, lastEventId: lastSeen },
      (a) => received.push(a),
      (e) => errors.push(e),
    )
    await second.ready
    await waitFor(() => received.length >= 2)
    // One more after the resume: it must come right after the two, proving nothing else
    // (a repeat of m1–m3) slipped in between.
    const [sentinel] = await recordedIds(sync, ["m6"])
    await waitFor(() => received.length >= 3)
    second.close()
    expect(received.map((a) => a.id)).toEqual([...missedIds, sentinel])
    expect(errors).toEqual([])
  })

  it("reports a wrong key to onError", async () => {
    const sync = new CrmSync({ url: server.url, apiKey: "al_live_wrong" })
    const errors: Array<unknown> = []
    const watch = sync.onActionIssued(
      { email },
      () => {},
      (e) => errors.push(e),
    )
    await expect(watch.ready).rejects.toThrow(/invalid or revoked/)
    watch.close()
    expect(errors).toHaveLength(1)
  })
})
