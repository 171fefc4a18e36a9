import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { createHTTPHandler } from "@trpc/server/adapters/standalone"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { appRouter, makeCreateContext, makeTrpcHttpHandler } from "@actionlog/api"
import { ActionStore, Customers } from "@actionlog/store"
import { startTestServer, type TestServer } from "./helpers"

// Our handler answers plain GET queries itself; tRPC's adapter answers everything else. The
// two must be indistinguishable to a client: same status, body and protocol headers.
let t: TestServer
let customerId: string
const servers: Array<Server> = []
let direct: string
let reference: string

const listen = async (handler: (req: IncomingMessage, res: never) => void) => {
  const server = createServer(handler as never)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

beforeAll(async () => {
  t = await startTestServer()
  const rt = t.server.runtime
  const customer = await rt.runPromise(
    Customers.use((c) => c.create({ identifiers: [{ kind: "email", value: "t@example.com" }] })),
  )
  customerId = customer.id
  await rt.runPromise(
    ActionStore.use((s) =>
      s.recordBatch(
        Array.from({ length: 5 }, (_, i) => ({
          customer: { id: customer.id },
          template: "ProductViewed",
          payload: { product: { productId: `p-${i}`, name: "Shirt", price: 10 + i } },
          transactionId: `tx-${i}`,
        })) as never,
      ),
    ),
  )
  const createContext = makeCreateContext({ runtime: rt })
  const options = {
    router: appRouter,
    basePath: "/trpc/",
    maxBodySize: 4096,
    createContext: ({ req }: { req: IncomingMessage }) =>
      createContext({
        header: (name) => {
          const v = req.headers[name]
          return Array.isArray(v) ? v.join(", ") : v
        },
        ip: "127.0.0.1",
        setHeader: () => {},
      }),
  }
  direct = await listen(makeTrpcHttpHandler(options))
  reference = await listen(createHTTPHandler(options))
})

afterAll(async () => {
  for (const s of servers) s.close()
  await t?.close()
})

const q = (input: unknown) => `input=${encodeURIComponent(JSON.stringify(input))}`

const cases = (): Array<{ name: string; path: string; key?: keyof TestServer["keys"] }> => [
  { name: "public query", path: "health.check" },
  { name: "authenticated query", path: "auth.me", key: "read" },
  { name: "no credentials", path: "auth.me" },
  { name: "revoked key", path: "auth.me", key: "revoked" },
  {
    name: "missing scope",
    path: `actions.feed?${q({ customer: { id: customerId } })}`,
    key: "ingest",
  },
  {
    name: "feed page",
    path: `actions.feed?${q({ customer: { id: customerId }, limit: 3 })}`,
    key: "read",
  },
  {
    name: "feed by identifier",
    path: `actions.feed?${q({ customer: { identifier: { kind: "email", value: "t@example.com" } } })}`,
    key: "read",
  },
  {
    name: "unknown customer",
    path: `actions.feed?${q({ customer: { id: "c_nobody" } })}`,
    key: "read",
  },
  {
    name: "invalid input",
    path: `actions.feed?${q({ customer: { id: 5 }, limit: "x" })}`,
    key: "read",
  },
  { name: "no input where one is required", path: "actions.feed", key: "read" },
  { name: "batch", path: `health.check,auth.me?batch=1&${q({})}`, key: "read" },
  { name: "batch of mixed outcomes (207)", path: `health.check,auth.me?batch=1&${q({})}` },
  {
    name: "batch with inputs by index",
    path: `actions.feed,actions.list?batch=1&${q({ 0: { customer: { id: customerId } }, 1: { limit: 2 } })}`,
    key: "read",
  },
  { name: "batch input not an object", path: `health.check?batch=1&${q(5)}` },
  { name: "unparsable input", path: "actions.list?input=%7Bnope", key: "read" },
  { name: "unknown procedure", path: "nothing.here" },
  { name: "mutation over GET", path: `actions.record?${q({})}`, key: "ingest" },
]

const get = async (base: string, path: string, key: string | undefined) => {
  const res = await fetch(`${base}/trpc/${path}`, {
    headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
  })
  const text = await res.text()
  return {
    status: res.status,
    contentType: res.headers.get("content-type"),
    vary: res.headers.get("vary"),
    body: text === "" ? null : (JSON.parse(text) as unknown),
    contentLength: res.headers.get("content-length"),
  }
}

const record = (i: number) => ({
  customer: { id: customerId },
  template: "ProductViewed",
  payload: { product: { productId: `p-${i}`, name: "Shirt", price: 10 + i } },
  transactionId: `tx-${i}`,
})

// Mutations that change nothing, so both servers can answer the same request in turn.
const posts = (): Array<{
  name: string
  path: string
  body: string
  key?: keyof TestServer["keys"]
  contentType?: string
}> => [
  {
    name: "repeat of a recorded action",
    path: "actions.record",
    body: JSON.stringify(record(1)),
    key: "ingest",
  },
  {
    name: "batch of mutations",
    path: "actions.record,actions.recordBatch?batch=1",
    body: JSON.stringify({
      0: record(2),
      1: { items: [record(3), { ...record(9), template: "Nope" }] },
    }),
    key: "ingest",
  },
  { name: "no credentials", path: "actions.record", body: JSON.stringify(record(1)) },
  {
    name: "invalid input",
    path: "actions.record",
    body: JSON.stringify({ customer: 1 }),
    key: "ingest",
  },
  { name: "unparsable body", path: "actions.record", body: "{nope", key: "ingest" },
  { name: "empty body", path: "actions.record", body: "", key: "ingest" },
  { name: "batch body not an object", path: "actions.record?batch=1", body: "[1]", key: "ingest" },
  {
    name: "body over the limit",
    path: "actions.record",
    body: JSON.stringify({ x: "a".repeat(5000) }),
    key: "ingest",
  },
  {
    name: "JSON with a charset",
    path: "actions.record",
    body: JSON.stringify(record(4)),
    key: "ingest",
    contentType: "Application/JSON; charset=utf-8",
  },
  {
    name: "another content type",
    path: "actions.record",
    body: "x=1",
    key: "ingest",
    contentType: "text/plain",
  },
  { name: "query over POST", path: "auth.me", body: "{}", key: "read" },
  {
    name: "sign-in with a wrong password",
    path: "auth.signIn",
    body: JSON.stringify({ email: "root@example.com", password: "wrong-password" }),
  },
]

const post = async (base: string, c: ReturnType<typeof posts>[number], key: string | undefined) => {
  const res = await fetch(`${base}/trpc/${c.path}`, {
    method: "POST",
    headers: {
      "content-type": c.contentType ?? "application/json",
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
    },
    body: c.body,
  })
  const text = await res.text()
  return {
    status: res.status,
    contentType: res.headers.get("content-type"),
    vary: res.headers.get("vary"),
    body: text === "" ? null : (JSON.parse(text) as unknown),
  }
}

describe("the tRPC HTTP handler", () => {
  it("answers every kind of POST exactly as tRPC's own adapter does", async () => {
    for (const c of posts()) {
      const key = c.key === undefined ? undefined : t.keys[c.key]
      const ours = await post(direct, c, key)
      const theirs = await post(reference, c, key)
      expect({ case: c.name, ...ours }).toEqual({ case: c.name, ...theirs })
    }
  })

  it("answers every kind of GET exactly as tRPC's own adapter does", async () => {
    for (const c of cases()) {
      const key = c.key === undefined ? undefined : t.keys[c.key]
      const [ours, theirs] = [await get(direct, c.path, key), await get(reference, c.path, key)]
      expect({ case: c.name, ...ours, contentLength: null }).toEqual({
        case: c.name,
        ...theirs,
        contentLength: null,
      })
    }
  })

  it("answers plain queries itself, with a Content-Length", async () => {
    const feed = await get(
      direct,
      `actions.feed?${q({ customer: { id: customerId } })}`,
      t.keys.read,
    )
    expect(feed.status).toBe(200)
    expect(
      (feed.body as { result: { data: { items: Array<unknown> } } }).result.data.items,
    ).toHaveLength(5)
    expect(Number(feed.contentLength)).toBe(JSON.stringify(feed.body).length)
    // The adapter streams its answer without a length.
    expect((await get(reference, "health.check", undefined)).contentLength).toBeNull()
  })

  it("is what the product server mounts at /trpc", async () => {
    const res = await get(t.url, "health.check", undefined)
    expect(res.body).toEqual({ result: { data: { ok: true } } })
    expect(res.contentLength).not.toBeNull()
  })
})
