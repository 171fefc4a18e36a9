import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { appRouter, type AuthRule } from "@actionlog/api"
import type { Scope } from "@actionlog/store"
import {
  failure,
  snapshot,
  startTestServer,
  untyped,
  type Credentials,
  type TestServer,
} from "./helpers"

// The authorization matrix, table-driven over the router: every procedure is refused without
// credentials, with a revoked key, with a key lacking its scope and to a staff role lacking its
// permission — and nothing changes. A procedure without a rule fails here.

/** The only procedures anonymous callers may reach. */
const publicProcedures = ["auth.signIn", "health.check"]

interface ProcedureInfo {
  readonly path: string
  readonly type: "query" | "mutation" | "subscription"
  readonly rule: AuthRule | undefined
}

const procedures: ReadonlyArray<ProcedureInfo> = Object.entries(
  appRouter["_def"].procedures as unknown as Record<
    string,
    { _def: { type: ProcedureInfo["type"]; meta?: { auth?: AuthRule } } }
  >,
).map(([path, p]) => ({ path, type: p["_def"].type, rule: p["_def"].meta?.auth }))

/** A key that lacks the required scope (admin implies the others). */
const keyLacking = (scope: Scope): "ingest" | "read" | "readIngest" =>
  scope === "ingest" ? "read" : scope === "read" ? "ingest" : "readIngest"

type Expected =
  { readonly code: "UNAUTHORIZED" } | { readonly code: "FORBIDDEN"; readonly tag?: string }

/** The refusals every procedure must give, from its rule. */
const casesFor = (p: ProcedureInfo): Array<[Credentials, Expected]> => {
  const unauthorized = { code: "UNAUTHORIZED" } as const
  const forbidden = { code: "FORBIDDEN", tag: "Forbidden" } as const
  const cases: Array<[Credentials, Expected]> = [
    [null, unauthorized],
    [{ apiKey: t.keys.revoked }, unauthorized],
    [{ apiKey: "al_live_" + "x".repeat(43) }, unauthorized],
    [{ cookie: "actionlog_session=forged" }, unauthorized],
  ]
  const rule = p.rule
  if (rule?.kind !== "rule") return cases
  // A key without the scope (an admin key when keys may not call it at all).
  cases.push([
    { apiKey: rule.scope === null ? t.keys.admin : t.keys[keyLacking(rule.scope)] },
    forbidden,
  ])
  // A role without the permission (the admin role when staff may not call it at all).
  cases.push([{ cookie: rule.permission === null ? t.cookies.admin : t.cookies.nobody }, forbidden])
  return cases
}

let t: TestServer
let before: string
beforeAll(async () => {
  t = await startTestServer()
  before = await snapshot(t.server)
})
afterAll(() => t.close())

const call = async (p: ProcedureInfo, credentials: Credentials) => {
  if (p.type === "subscription") {
    const headers: Record<string, string> = { accept: "text/event-stream" }
    if (credentials !== null && "apiKey" in credentials)
      headers.authorization = `Bearer ${credentials.apiKey}`
    if (credentials !== null && "cookie" in credentials) headers.cookie = credentials.cookie
    const controller = new AbortController()
    const res = await fetch(`${t.url}/trpc/${p.path}`, { headers, signal: controller.signal })
    const reader = res.body!.getReader()
    // Read events until the first data or error event (after `connected`).
    let text = ""
    for (let i = 0; i < 20 && !/serialized-error|\ndata: (?!\{\})/.test(text); i++) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    controller.abort()
    const code = /"code":"([A-Z_]+)"/.exec(text)?.[1] ?? "OK"
    const tag = /"tag":"(\w+)"/.exec(text)?.[1]
    return tag === undefined ? { code } : { code, tag }
  }
  const c = untyped(t.url, credentials)
  const f = await failure(
    p.type === "query" ? c.query(p.path, undefined) : c.mutation(p.path, undefined),
  )
  return { code: f.data.code, tag: f.data.tag }
}

describe("authorization matrix", () => {
  it("every procedure has a rule; only sign-in and health are public", () => {
    expect(procedures.length).toBeGreaterThan(30)
    expect(procedures.filter((p) => p.rule === undefined).map((p) => p.path)).toEqual([])
    expect(
      procedures
        .filter((p) => p.rule?.kind === "public")
        .map((p) => p.path)
        .sort(),
    ).toEqual(publicProcedures)
  })

  for (const p of procedures.filter((x) => x.rule?.kind !== "public")) {
    it(`${p.path}: 401 without credentials or with a revoked key; 403 without scope or permission`, async () => {
      for (const [credentials, expected] of casesFor(p)) {
        expect({ credentials, ...(await call(p, credentials)) }).toMatchObject({
          credentials,
          ...expected,
        })
      }
    })
  }

  it("a refused call changes nothing", async () => {
    expect(await snapshot(t.server)).toBe(before)
  })

  it("a batched HTTP request is authorized per procedure", async () => {
    // One request, two procedures: the read key may call templates.list, not apiKeys.list.
    const input = encodeURIComponent(JSON.stringify({ "0": {}, "1": undefined }))
    const res = await fetch(`${t.url}/trpc/templates.list,apiKeys.list?batch=1&input=${input}`, {
      headers: { authorization: `Bearer ${t.keys.read}` },
    })
    expect(res.status).toBe(207)
    const body = (await res.json()) as Array<{
      result?: unknown
      error?: { data: { code: string } }
    }>
    expect(body[0]!.result).toBeDefined()
    expect(body[1]!.error!.data.code).toBe("FORBIDDEN")
  })
})
