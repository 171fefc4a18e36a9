import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startServer, type RunningServer } from "@actionlog/server/start"
import { ApiKeys } from "@actionlog/store"
import { createActionlogClient, TRPCClientError } from "../src/index"

let server: RunningServer
let dir: string
let key: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "actionlog-client-"))
  server = await startServer({ dbUrl: `file:${join(dir, "client.db")}` })
  const created = await server.runtime.runPromise(
    ApiKeys.use((k) => k.create({ name: "client-test", scopes: ["read"], createdBy: "test" })),
  )
  key = created.key
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

const trpcRequests = async () => {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  return [
    ...text.matchAll(/actionlog_http_requests_total\{route="trpc",status="\d+"\} (\d+)/g),
  ].reduce((s, m) => s + Number(m[1]), 0)
}

describe("createActionlogClient", () => {
  it("sends the key and batches concurrent calls into one HTTP request", async () => {
    const api = createActionlogClient({ url: `${server.url}/`, apiKey: key })
    const before = await trpcRequests()
    const [me, templates, settings] = await Promise.all([
      api.auth.me.query(),
      api.templates.list.query({}),
      api.settings.get.query(),
    ])
    expect(me).toMatchObject({ kind: "apiKey", name: "client-test", scopes: ["read"] })
    expect(templates.length).toBeGreaterThan(0)
    expect(settings.defaultBrandId).toBe("default")
    expect((await trpcRequests()) - before).toBe(1)
  })

  it("surfaces typed errors with the tag", async () => {
    const api = createActionlogClient({ url: server.url, apiKey: key })
    const error = await api.apiKeys.list.query().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TRPCClientError)
    expect((error as TRPCClientError<never>).data).toMatchObject({
      code: "FORBIDDEN",
      tag: "Forbidden",
    })
  })
})
