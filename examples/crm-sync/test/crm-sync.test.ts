import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startServer, type RunningServer } from "@actionlog/server/start"
import { ApiKeys } from "@actionlog/store"
import { CrmSync, type CrmEvent } from "../src/index"

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
