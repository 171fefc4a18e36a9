import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Database } from "@actionlog/store"
import { client, failure, startTestServer, type TestServer } from "./helpers"

// The data capabilities through the real HTTP server: the NDJSON export endpoint, erasure, live actions
// over SSE, segments and statistics.

let t: TestServer
let ingest: ReturnType<typeof client>
let reader: ReturnType<typeof client>
let admin: ReturnType<typeof client>

beforeAll(async () => {
  t = await startTestServer()
  ingest = client(t.url, { apiKey: t.keys.ingest })
  reader = client(t.url, { apiKey: t.keys.read })
  admin = client(t.url, { cookie: t.cookies.admin })
})
afterAll(() => t.close())

const viewed = (email: string, productId: string, extra: Record<string, unknown> = {}) => ({
  customer: { identifier: { kind: "email", value: email } },
  createCustomer: true,
  template: "ProductViewed" as never,
  payload: { product: { productId, name: "Shirt", price: 10 } },
  ...extra,
})
const signedIn = (email: string) => ({
  customer: { identifier: { kind: "email", value: email } },
  createCustomer: true,
  template: "CustomerSignedIn" as never,
  payload: { method: "password" },
})

const exportActions = (query: string, headers: Record<string, string>) =>
  fetch(`${t.url}/api/export/actions?${query}`, { headers })

const ndjson = async (res: Response) =>
  (await res.text())
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as { id: string; recordedAt: number; template: string })

describe("GET /api/export/actions", () => {
  it("needs read scope or the export permission", async () => {
    const q = "since=0&till=1"
    expect((await exportActions(q, {})).status).toBe(401)
    expect((await exportActions(q, { authorization: `Bearer ${t.keys.revoked}` })).status).toBe(401)
    expect((await exportActions(q, { authorization: `Bearer ${t.keys.ingest}` })).status).toBe(403)
    expect((await exportActions(q, { cookie: t.cookies.nobody })).status).toBe(403)
    expect((await exportActions(q, { authorization: `Bearer ${t.keys.read}` })).status).toBe(200)
    expect((await exportActions(q, { cookie: t.cookies.admin })).status).toBe(200)
    const bad = await exportActions("since=yesterday&till=1", {
      authorization: `Bearer ${t.keys.read}`,
    })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { data: { tag: string } } }).error.data.tag).toBe(
      "InvalidFilter",
    )
  })

  it("streams the recorded-time window [since, till) in recorded order, filtered", async () => {
    const ids: Array<string> = []
    const times: Array<number> = []
    for (let i = 0; i < 5; i++) {
      const r = await ingest.actions.record.mutate(
        i % 2 === 0 ? viewed("window@example.com", `w-${i}`) : signedIn("window@example.com"),
      )
      ids.push(r.id)
      times.push((await reader.actions.get.query({ id: r.id })).action.recordedAt)
      // Distinct recorded times: the next action is recorded only once the clock has moved on.
      while (Date.now() <= times.at(-1)!) await new Promise((r) => setImmediate(r))
    }
    const h = { authorization: `Bearer ${t.keys.read}` }
    // ISO since (inclusive) … epoch-ms till (exclusive): exactly actions 1, 2.
    const got = await ndjson(
      await exportActions(`since=${new Date(times[1]!).toISOString()}&till=${times[3]}`, h),
    )
    expect(got.map((a) => a.id)).toEqual(ids.slice(1, 3))
    const res = await exportActions(
      `since=${times[0]}&till=${times[4]! + 1}&template=ProductViewed`,
      h,
    )
    expect(res.headers.get("content-type")).toContain("application/x-ndjson")
    expect((await ndjson(res)).map((a) => a.id)).toEqual([ids[0], ids[2], ids[4]])
    expect(
      await ndjson(await exportActions(`since=${times[0]}&till=${times[4]! + 1}&brand=nope`, h)),
    ).toEqual([])
  })

  it("streams more than one page (2,500 actions) completely and in order", async () => {
    const since = Date.now()
    for (let b = 0; b < 5; b++) {
      await ingest.actions.recordBatch.mutate({
        items: Array.from({ length: 500 }, (_, i) =>
          viewed(`bulk${i % 50}@example.com`, `b-${b}-${i}`),
        ),
      })
    }
    const got = await ndjson(
      await exportActions(`since=${since}&till=${Date.now() + 1}&template=ProductViewed`, {
        authorization: `Bearer ${t.keys.read}`,
      }),
    )
    expect(got.length).toBe(2500)
    expect(new Set(got.map((a) => a.id)).size).toBe(2500)
    for (let i = 1; i < got.length; i++) {
      expect(got[i]!.recordedAt).toBeGreaterThanOrEqual(got[i - 1]!.recordedAt)
    }
  })
})

/** Every table's rows as JSON text, to check that nothing anywhere still holds a value. */
const everyTableAsText = async (): Promise<Array<[string, string]>> => {
  const tables = await t.server.runtime.runPromise(
    Database.use((db) =>
      db.query<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
      ),
    ),
  )
  const out: Array<[string, string]> = []
  for (const { name } of tables) {
    const rows = await t.server.runtime.runPromise(
      Database.use((db) => db.query(`SELECT * FROM "${name}"`)),
    )
    out.push([name, JSON.stringify(rows)])
  }
  return out
}

describe("erasure", () => {
  it("erases through the API, audits without personal data, rejects late events", async () => {
    const email = "forget.me@example.com"
    const first = await ingest.actions.record.mutate(viewed(email, "e-1"))
    const customerId = (await reader.actions.get.query({ id: first.id })).action.customerId
    await ingest.actions.record.mutate(signedIn(email))
    await admin.customers.edit.mutate({
      id: customerId as never,
      changes: { personal: { firstName: "Forgetta" } },
      reason: "typo",
    })
    // Keys without admin, staff without `erase`: refused.
    expect(
      (await failure(reader.erasure.erase.mutate({ customerId: customerId as never }))).data.code,
    ).toBe("FORBIDDEN")
    const erased = await admin.erasure.erase.mutate({ customerId: customerId as never })
    expect(erased).toMatchObject({ alreadyErased: false, actions: 3, identifiers: 1 })

    for (const [name, text] of await everyTableAsText()) {
      expect(text.includes(customerId), `${name} mentions the id`).toBe(false)
      expect(text.includes(email), `${name} mentions the email`).toBe(false)
      expect(text.includes("Forgetta"), `${name} mentions the name`).toBe(false)
    }
    const audit = await admin.audit.list.query({ action: "customers.erase" })
    expect(audit.entries[0]).toMatchObject({
      targetId: erased.customerHash,
      targetType: "customer",
    })

    const late = await failure(ingest.actions.record.mutate(viewed(email, "e-2")))
    expect(late.data).toMatchObject({ tag: "CustomerSuppressed", code: "CONFLICT" })
    const batch = await ingest.actions.recordBatch.mutate({
      items: [{ ...viewed(email, "e-3"), customer: { id: customerId } }],
    })
    expect(batch.results[0]).toMatchObject({ status: "rejected", tag: "CustomerSuppressed" })
    expect(
      (await admin.erasure.erase.mutate({ customerId: customerId as never })).alreadyErased,
    ).toBe(true)
  })

  it("erasing a merge survivor also suppresses the merged-away id and identifiers", async () => {
    const survivorEmail = "survivor@example.com"
    const mergedEmail = "merged.away@example.com"
    const a = await ingest.actions.record.mutate(viewed(survivorEmail, "m-1"))
    const b = await ingest.actions.record.mutate(viewed(mergedEmail, "m-2"))
    const survivorId = (await reader.actions.get.query({ id: a.id })).action.customerId
    const mergedId = (await reader.actions.get.query({ id: b.id })).action.customerId
    await admin.profiles.merge.mutate({
      survivor: { id: survivorId as never },
      merged: { id: mergedId as never },
    })
    await admin.erasure.erase.mutate({ customerId: survivorId as never })

    for (const customer of [
      { id: mergedId },
      { identifier: { kind: "email", value: mergedEmail } },
    ]) {
      const late = await failure(
        ingest.actions.record.mutate({ ...viewed(mergedEmail, "m-3"), customer }),
      )
      expect(late.data).toMatchObject({ tag: "CustomerSuppressed" })
    }
    for (const [name, text] of await everyTableAsText()) {
      expect(text.includes(mergedId), `${name} mentions the merged-away id`).toBe(false)
      expect(text.includes(mergedEmail), `${name} mentions the merged-away email`).toBe(false)
    }
  })

  it("exports one customer's complete data (profile and every action)", async () => {
    const r = await ingest.actions.record.mutate(viewed("dsar@example.com", "d-1"))
    const customerId = (await reader.actions.get.query({ id: r.id })).action.customerId
    const data = await admin.exports.customer.query({ customerId: customerId as never })
    expect(data.profile.identifiers).toEqual([{ kind: "email", value: "dsar@example.com" }])
    expect(data.actions.map((a) => a.id)).toEqual([r.id])
    const page = await reader.exports.actions.query({
      since: new Date(0).toISOString(),
      till: new Date(Date.now() + 1000).toISOString(),
      templates: ["CustomerSignedIn" as never],
      limit: 2,
    })
    expect(page.items.length).toBe(2)
    expect(page.next).not.toBeNull()
  })
})

describe("POST /api/import (upload)", () => {
  it("imports an uploaded NDJSON file; idempotent; needs ingest", async () => {
    const lines = [
      ...Array.from({ length: 30 }, (_, i) =>
        JSON.stringify(viewed(`upload${i % 5}@example.com`, `u-${i}`)),
      ),
      "not json",
    ].join("\n")
    const post = (headers: Record<string, string>) =>
      fetch(`${t.url}/api/import?format=ndjson&name=upload.ndjson`, {
        method: "POST",
        headers,
        body: lines,
      })
    expect((await post({})).status).toBe(401)
    expect((await post({ authorization: `Bearer ${t.keys.read}` })).status).toBe(403)
    const res = await post({ authorization: `Bearer ${t.keys.ingest}` })
    expect(res.status).toBe(200)
    const body = (await res.json()) as {
      recorded: number
      rejected: number
      rejectedLines: Array<{ line: number; tag: string }>
    }
    expect(body).toMatchObject({ recorded: 30, rejected: 1 })
    expect(body.rejectedLines).toEqual([expect.objectContaining({ line: 31, tag: "InvalidLine" })])
    const again = (await (await post({ cookie: t.cookies.admin })).json()) as { recorded: number }
    expect(again.recorded).toBe(0)
  })
})

// ---- live actions over SSE ---------------------------------------------------------------

interface SseMessage {
  readonly id: string | undefined
  readonly data: { type: string; action?: { id: string; template: string; customerId: string } }
}

/** Opens the subscription with fetch and parses the event stream (what EventSource does). */
const subscribe = (input: Record<string, unknown>) => {
  const controller = new AbortController()
  const messages: Array<SseMessage> = []
  const waiters: Array<() => void> = []
  const done = (async () => {
    const res = await fetch(
      `${t.url}/trpc/live.actions?input=${encodeURIComponent(JSON.stringify(input))}`,
      {
        headers: { accept: "text/event-stream", authorization: `Bearer ${t.keys.read}` },
        signal: controller.signal,
      },
    )
    const body = res.body!.getReader()
    const decoder = new TextDecoder()
    let buffer = ""
    try {
      for (;;) {
        const { value, done } = await body.read()
        if (done) return
        buffer += decoder.decode(value, { stream: true })
        let end: number
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          let id: string | undefined
          let data = ""
          let event = "message"
          for (const line of block.split("\n")) {
            if (line.startsWith("id:")) id = line.slice(3).trim()
            else if (line.startsWith("data:")) data += line.slice(5).trim()
            else if (line.startsWith("event:")) event = line.slice(6).trim()
          }
          if (event !== "message" || data === "") continue
          messages.push({ id, data: JSON.parse(data) })
          for (const w of waiters.splice(0)) w()
        }
      }
    } catch {
      // aborted
    }
  })()
  const until = async (pred: () => boolean, what: string) => {
    const deadline = Date.now() + 10_000
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await new Promise<void>((r) => {
        waiters.push(r)
        setTimeout(r, 100)
      })
    }
  }
  return {
    messages,
    actions: () => messages.filter((m) => m.data.type === "action"),
    until,
    close: async () => {
      controller.abort()
      await done
    },
  }
}

describe("live.actions (SSE)", () => {
  it("a subscriber sees every action recorded after it subscribed, in order; resumes without gaps", async () => {
    // Recorded before subscribing: never delivered.
    await ingest.actions.record.mutate(viewed("live-before@example.com", "l-0"))
    const sub = subscribe({ templates: ["ProductViewed"] })
    await sub.until(() => sub.messages.some((m) => m.data.type === "ready"), "ready")

    const expected: Array<string> = []
    const recordSome = async (n: number, tag: string) => {
      for (let b = 0; b < n; b++) {
        const r = await ingest.actions.recordBatch.mutate({
          items: [
            viewed(`live${b % 3}@example.com`, `${tag}-${b}-a`),
            signedIn(`live${b % 3}@example.com`),
            viewed(`live${b % 4}@example.com`, `${tag}-${b}-b`),
          ],
        })
        expected.push(
          r.results[0]!.status === "recorded" ? (r.results[0] as { id: string }).id : "?",
        )
        expected.push((r.results[2] as { id: string }).id)
      }
    }
    await recordSome(10, "first")
    await sub.until(() => sub.actions().length >= 20, "20 actions")
    expect(sub.actions().map((m) => m.data.action!.id)).toEqual(expected)
    expect(sub.actions().every((m) => m.data.action!.template === "ProductViewed")).toBe(true)

    // Disconnect, record while away, reconnect from the last id seen: no gaps, no repeats.
    const lastId = sub.actions().at(-1)!.id!
    await sub.close()
    await recordSome(5, "away")
    const again = subscribe({ templates: ["ProductViewed"], lastEventId: lastId })
    await recordSome(3, "back")
    // Actions arrive in order, so once a last marker is in, nothing before it can still come.
    const marker = await ingest.actions.record.mutate(viewed("live-marker@example.com", "l-end"))
    await again.until(() => again.actions().some((m) => m.data.action!.id === marker.id), "marker")
    expect(again.actions().map((m) => m.data.action!.id)).toEqual([
      ...expected.slice(20),
      marker.id,
    ])
    await again.close()
  })

  it("filters by customer", async () => {
    const r0 = await ingest.actions.record.mutate(viewed("live-one@example.com", "c-0"))
    const customerId = (await reader.actions.get.query({ id: r0.id })).action.customerId
    const sub = subscribe({ customer: { id: customerId } })
    await sub.until(() => sub.messages.some((m) => m.data.type === "ready"), "ready")
    await ingest.actions.record.mutate(viewed("live-other@example.com", "c-1"))
    const mine = await ingest.actions.record.mutate(signedIn("live-one@example.com"))
    // The other customer's action came first; a last one of ours proves it was never sent.
    const last = await ingest.actions.record.mutate(signedIn("live-one@example.com"))
    await sub.until(() => sub.actions().some((m) => m.data.action!.id === last.id), "last action")
    expect(sub.actions().map((m) => m.data.action!.id)).toEqual([mine.id, last.id])
    await sub.close()
  })
})

const segEmail = (who: string) => `seg-${who}@example.com`

/** Every customer of a segment, paging through the list; the count must agree. */
const segmentMembers = async (segment: unknown) => {
  const found: Array<string> = []
  let after: string | undefined
  for (;;) {
    const page = await reader.segments.list.query({ segment: segment as never, after, limit: 2 })
    found.push(...page.items.map((i) => i.id))
    if (page.next === undefined) break
    after = page.next
  }
  const count = await reader.segments.count.query({ segment: segment as never })
  expect(count).toBe(found.length)
  return found
}
describe("segments and statistics", () => {
  // Customers of this test only, with event times in 2001 that nothing else in the database
  // has, so that every segment below (restricted to those dates) has an exact membership.
  const day = 86_400_000
  const t0 = Date.UTC(2001, 0, 1)
  const at = (days: number) => ({ occurredAt: new Date(t0 + days * day).toISOString() })
  const windowA = { from: t0, to: t0 + 10 * day }
  const windowB = { from: t0 + 20 * day, to: t0 + 30 * day }
  const all = { from: t0, to: t0 + 40 * day }
  const pv = (extra: Record<string, unknown> = {}) => ({
    _tag: "HasActions",
    templates: ["ProductViewed"],
    window: all,
    ...extra,
  })
  const signIn = { _tag: "HasActions", templates: ["CustomerSignedIn"], window: all }
  const ours = {
    _tag: "HasActions",
    templates: ["ProductViewed", "CustomerSignedIn"],
    window: all,
  }
  const ids = new Map<string, string>()
  const name = (id: string) => [...ids].find(([, v]) => v === id)?.[0] ?? "someone else"

  beforeAll(async () => {
    const plan: Record<string, Array<["pv" | "in", number]>> = {
      a: [
        ["pv", 1],
        ["pv", 2],
        ["pv", 3],
      ], // 3 views in A
      b: [
        ["pv", 4],
        ["in", 5],
      ], // 1 view in A, signed in
      c: [
        ["pv", 6],
        ["pv", 22],
        ["in", 23],
      ], // 1 view in A, 1 in B, signed in
      d: [["in", 7]], // signed in only
      e: [
        ["pv", 24],
        ["pv", 25],
      ], // 2 views in B
    }
    for (const [who, actions] of Object.entries(plan)) {
      for (const [kind, days] of actions) {
        const input =
          kind === "pv"
            ? viewed(segEmail(who), "seg-p", at(days))
            : { ...signedIn(segEmail(who)), ...at(days) }
        const r = await ingest.actions.record.mutate(input)
        ids.set(who, (await reader.actions.get.query({ id: r.id })).action.customerId)
      }
    }
  })

  const ofOurs = async (segment: unknown) =>
    (await segmentMembers({ _tag: "And", of: [ours, segment] })).map(name).sort()

  it.each([
    ["have", pv(), ["a", "b", "c", "e"]],
    ["have not", { _tag: "Not", of: pv() }, ["d"]],
    ["at least 2", pv({ minCount: 2 }), ["a", "c", "e"]],
    ["at least 3", pv({ minCount: 3 }), ["a"]],
    ["in a window", pv({ window: windowA }), ["a", "b", "c"]],
    ["at least 2 in a window", pv({ minCount: 2, window: windowB }), ["e"]],
    ["AND", { _tag: "And", of: [pv(), signIn] }, ["b", "c"]],
    ["OR", { _tag: "Or", of: [signIn, pv({ minCount: 3 })] }, ["a", "b", "c", "d"]],
    ["NOT of OR", { _tag: "Not", of: { _tag: "Or", of: [signIn, pv({ minCount: 3 })] } }, ["e"]],
    [
      "AND with NOT",
      { _tag: "And", of: [pv({ window: windowA }), { _tag: "Not", of: signIn }] },
      ["a"],
    ],
  ])("%s: exactly the customers who match", async (_, segment, expected) => {
    expect(await ofOurs(segment)).toEqual(expected)
  })

  it("segments without the restriction list each customer once; a bad definition is refused", async () => {
    const everyone = await segmentMembers(pv({ window: windowA }))
    expect(everyone.map(name).sort()).toEqual(["a", "b", "c"])
    // lastDays counts back from now: views in 2001 are outside the last 30 days.
    const recent = await segmentMembers({
      _tag: "HasActions",
      templates: ["ProductViewed"],
      window: { lastDays: 30 },
    })
    for (const who of ["a", "b", "c", "e"]) expect(recent).not.toContain(ids.get(who))
    const bad = await failure(
      reader.segments.count.query({ segment: { _tag: "And", of: [] } as never }),
    )
    expect(bad.data.code).toBe("BAD_REQUEST")
  })

  it("actionsPerDay counts this test's actions by day of event time", async () => {
    const stats = await reader.stats.actionsPerDay.query({ by: "template", ...windowA })
    expect(stats.buckets.length).toBe(10)
    const total = (key: string) => stats.series.find((s) => s.key === key)?.total
    expect(total("ProductViewed")).toBe(5) // a 3, b 1, c 1
    expect(total("CustomerSignedIn")).toBe(2) // b, d
  })
})

describe("saved segments and name lookups", () => {
  const t1 = Date.UTC(2002, 5, 1)
  const at = (days: number) => new Date(t1 + days * 86_400_000).toISOString()
  const segment = {
    _tag: "HasActions",
    templates: ["CustomerSignedIn"],
    window: { from: t1, to: t1 + 30 * 86_400_000 },
  }
  const signInAt = (email: string, days: number) =>
    ingest.actions.record.mutate({ ...signedIn(email), occurredAt: at(days) } as never)

  it("saves, evaluates (entered / left since), renames and removes; audited; refused when not allowed", async () => {
    await signInAt("saved.ada@example.com", 1)
    const saved = await admin.segments.save.mutate({ name: "June 2002 sign-ins", segment } as never)
    expect(saved).toMatchObject({ name: "June 2002 sign-ins", evaluatedAt: null })
    expect((await reader.segments.saved.query()).map((s) => s.id)).toContain(saved.id)
    expect((await reader.segments.savedGet.query({ id: saved.id })).name).toBe("June 2002 sign-ins")

    const first = await reader.segments.evaluate.mutate({ id: saved.id })
    expect(first).toMatchObject({
      count: 1,
      since: null,
      entered: { count: 0 },
      left: { count: 0 },
    })

    // Bea joins; Ada's sign-in moves out of the window by changing the definition's window.
    await signInAt("saved.bea@example.com", 2)
    const bea = await reader.customers.findByIdentifier.query({
      kind: "email",
      value: "saved.bea@example.com",
    } as never)
    const second = await reader.segments.evaluate.mutate({ id: saved.id })
    expect(second.count).toBe(2)
    expect(second.since).toBe(first.saved.evaluatedAt)
    expect(second.entered).toEqual({ count: 1, ids: [bea.id] })
    expect(second.left).toEqual({ count: 0, ids: [] })

    const renamed = await admin.segments.update.mutate({
      id: saved.id,
      name: "Early June 2002",
      segment: { ...segment, window: { from: t1 + 1.5 * 86_400_000, to: t1 + 30 * 86_400_000 } },
    } as never)
    expect(renamed.name).toBe("Early June 2002")
    const third = await reader.segments.evaluate.mutate({ id: saved.id })
    expect(third.count).toBe(1)
    expect(third.entered.count).toBe(0)
    expect(third.left.count).toBe(1)

    // A reader key cannot manage; a duplicate name changes nothing.
    expect(
      (await failure(reader.segments.save.mutate({ name: "x", segment } as never))).data.code,
    ).toBe("FORBIDDEN")
    await admin.segments.save.mutate({ name: "Second", segment } as never)
    const taken = await failure(
      admin.segments.update.mutate({ id: saved.id, name: "Second" } as never),
    )
    expect(taken.data).toMatchObject({ code: "CONFLICT", tag: "SavedSegmentNameTaken" })
    expect((await reader.segments.savedGet.query({ id: saved.id })).name).toBe("Early June 2002")

    await admin.segments.remove.mutate({ id: saved.id })
    expect((await failure(reader.segments.savedGet.query({ id: saved.id }))).data).toMatchObject({
      code: "NOT_FOUND",
      tag: "SavedSegmentNotFound",
    })
    const audit = await admin.audit.list.query({ targetId: saved.id, limit: 10 })
    expect(audit.entries.map((e) => e.action).sort()).toEqual([
      "segments.remove",
      "segments.save",
      "segments.update",
    ])
  })

  it("looks up names of customers, staff and API keys in one request", async () => {
    const c = await admin.customers.create.mutate({
      identifiers: [{ kind: "email", value: "named.one@example.com" }],
      personal: { firstName: "Named", lastName: "One" },
      registered: { method: "email" },
    } as never)
    const anonymous = await admin.customers.create.mutate({
      identifiers: [{ kind: "email", value: "no.name@example.com" }],
    } as never)
    const me = await admin.auth.me.query()
    const names = await reader.names.lookup.query({
      customers: [c.id, anonymous.id, "c_unknown"],
      staff: [(me as { id: string }).id],
    })
    expect(names.customers).toEqual({ [c.id]: "Named One", [anonymous.id]: "no.name@example.com" })
    expect(Object.values(names.staff)).toHaveLength(1)
    // Created with `registered`: the feed starts with CustomerRegistered, recorded by staff.
    const feed = await reader.actions.feed.query({ customer: { id: c.id }, limit: 5 } as never)
    expect(feed.items.map((a) => a.template)).toEqual(["CustomerRegistered"])
    const tooMany = await failure(
      reader.names.lookup.query({ customers: Array.from({ length: 501 }, (_, i) => `c_${i}`) }),
    )
    expect(tooMany.data.code).toBe("BAD_REQUEST")
  })
})
