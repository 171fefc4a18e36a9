import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { EventSource } from "eventsource"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startServer, type RunningServer } from "@actionlog/server/start"
import { ApiKeys } from "@actionlog/store"
import { createActionlogClient, TRPCClientError, type ActionlogClient } from "../src/index"

// Subscriptions on Node 20 (no global EventSource) against the real server.
let server: RunningServer
let dir: string
let key: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "actionlog-client-live-"))
  server = await startServer({ dbUrl: `file:${join(dir, "live.db")}` })
  const created = await server.runtime.runPromise(
    ApiKeys.use((k) => k.create({ name: "live-test", scopes: ["read"], createdBy: "test" })),
  )
  key = created.key
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Subscribes to all live actions and resolves with the first event or the error. */
const firstEvent = (api: ActionlogClient) =>
  new Promise<{ data?: unknown; error?: unknown }>((resolve) => {
    const sub = api.live.actions.subscribe(
      { templates: ["NoteAdded"] },
      {
        onData: ({ data }) => {
          sub.unsubscribe()
          resolve({ data })
        },
        onError: (error) => {
          sub.unsubscribe()
          resolve({ error })
        },
      },
    )
  })

describe("live subscriptions", () => {
  it("work without a global EventSource and send the key in a header, not in the URL", async () => {
    // Our fetch sees the request: the ponyfill is used, not a (Node 22+) global EventSource.
    const seen: Array<{ url: string; authorization: string | null }> = []
    const api = createActionlogClient({
      url: server.url,
      apiKey: key,
      fetch: (input, init) => {
        seen.push({
          url: String(input),
          authorization: new Headers(init?.headers).get("authorization"),
        })
        return fetch(input, init)
      },
    })
    expect(await firstEvent(api)).toEqual({ data: { type: "ready" } })
    expect(seen).toHaveLength(1)
    expect(seen[0]!.url).toContain("/trpc/live.actions")
    expect(seen[0]!.url).not.toContain(key)
    expect(seen[0]!.authorization).toBe(`Bearer ${key}`)
  })

  it("reports a wrong key to onError as UNAUTHORIZED", async () => {
    const api = createActionlogClient({ url: server.url, apiKey: "al_live_wrong" })
    const { error } = await firstEvent(api)
    expect(error).toBeInstanceOf(TRPCClientError)
    expect((error as TRPCClientError<never>).data).toMatchObject({
      code: "UNAUTHORIZED",
      tag: "Unauthenticated",
    })
  })

  it("with a custom EventSource, passes the key as the connection parameter", async () => {
    const api = createActionlogClient({ url: server.url, apiKey: key, EventSource })
    expect(await firstEvent(api)).toEqual({ data: { type: "ready" } })
  })
})
