// Every time input of the API takes the same two forms, an ISO 8601 date-time with zone or
// epoch milliseconds, and refuses anything else with InputInvalid and the field's path.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { client, failure, snapshot, startTestServer, untyped, type TestServer } from "./helpers"

let t: TestServer
let customerId = ""
const start = Date.UTC(2026, 0, 10, 12)
const iso = (ms: number) => new Date(ms).toISOString()

beforeAll(async () => {
  t = await startTestServer({ seed: true })
  const writer = client(t.url, { apiKey: t.keys.readIngest })
  const c = await writer.customers.create.mutate({
    identifiers: [{ kind: "email", value: "times@example.com" }],
  })
  customerId = c.id
  // Event times as epoch ms and as ISO strings (with and without an offset).
  await writer.actions.record.mutate({
    customer: { id: c.id },
    template: "NoteAdded",
    payload: { text: "as ms" },
    occurredAt: start,
  })
  await writer.actions.record.mutate({
    customer: { id: c.id },
    template: "NoteAdded",
    payload: { text: "as iso" },
    occurredAt: "2026-01-10T14:00:00+01:00",
  })
})
afterAll(() => t.close())

const reader = () => client(t.url, { apiKey: t.keys.readIngest })
const textOf = (a: { readonly payload: unknown }) => (a.payload as { text?: string }).text
const raw = () => untyped(t.url, { apiKey: t.keys.admin })

describe("time inputs", () => {
  it("occurredAt as epoch ms or ISO 8601 records the same instant", async () => {
    const feed = await reader().actions.feed.query({ customer: { id: customerId } })
    expect(feed.items.map((a) => [textOf(a), a.occurredAt])).toEqual([
      ["as iso", start + 3_600_000],
      ["as ms", start],
    ])
  })

  it("exports.actions takes since / till as epoch ms, ISO 8601, or one of each", async () => {
    const now = Date.now()
    const forms = [
      { since: 0, till: now + 60_000 },
      { since: iso(0), till: iso(now + 60_000) },
      { since: 0, till: iso(now + 60_000) },
    ]
    const pages = await Promise.all(
      forms.map((f) => reader().exports.actions.query({ ...f, templates: ["NoteAdded" as never] })),
    )
    const ids = pages.map((p) => p.items.map((a) => a.id))
    expect(ids[0]!.length).toBeGreaterThanOrEqual(2)
    expect(ids[1]).toEqual(ids[0])
    expect(ids[2]).toEqual(ids[0])
    // A window that ended before anything was recorded.
    const empty = await reader().exports.actions.query({ since: 0, till: 1 })
    expect(empty.items).toEqual([])
  })

  it("feed filters and stats ranges take both forms", async () => {
    const byMs = await reader().actions.feed.query({
      customer: { id: customerId },
      filter: { occurredFrom: start + 1, occurredTo: start + 7_200_000 },
    })
    const byIso = await reader().actions.feed.query({
      customer: { id: customerId },
      filter: { occurredFrom: iso(start + 1), occurredTo: "2026-01-10T16:00:00+02:00" },
    })
    expect(byMs.items.map((a) => textOf(a))).toEqual(["as iso"])
    expect(byIso.items.map((a) => a.id)).toEqual(byMs.items.map((a) => a.id))
    const list = await reader().actions.list.query({
      filter: { occurredFrom: iso(start), occurredTo: start + 1 },
    })
    expect(list.items.map((a) => textOf(a))).toEqual(["as ms"])
    const stats = await reader().stats.actionsPerDay.query({
      by: "template",
      from: iso(start - 86_400_000),
      to: start + 86_400_000,
    })
    expect(stats.series.find((s) => s.key === "NoteAdded")?.total).toBe(2)
    // A segment window's bounds too.
    const inWindow = (from: string | number, to: string | number) =>
      reader().segments.count.query({
        segment: {
          _tag: "HasActions",
          templates: ["NoteAdded"],
          window: { from, to },
        } as never,
      })
    expect(await inWindow(iso(start), start + 1)).toBe(1)
    expect(await inWindow(start + 7_200_000, iso(start + 7_200_001))).toBe(0)
  })

  it("anything else is InputInvalid with the field path, and changes nothing", async () => {
    const before = await snapshot(t.server)
    const cases: ReadonlyArray<[string, unknown, ReadonlyArray<string | number>]> = [
      ["exports.actions", { since: "yesterday", till: 5 }, ["since"]],
      ["exports.actions", { since: 0, till: -1 }, ["till"]],
      ["exports.actions", { since: 1.5, till: 5 }, ["since"]],
      ["exports.actions", { since: "2026-01-10", till: 5 }, ["since"]],
      ["exports.actions", { since: true, till: 5 }, ["since"]],
      ["actions.list", { filter: { recordedFrom: "soon" } }, ["filter", "recordedFrom"]],
      ["stats.actionsPerDay", { by: "template", from: "x", to: 5 }, ["from"]],
    ]
    for (const [path, input, fieldPath] of cases) {
      const f = await failure(raw().query(path, input))
      expect({ path, ...f.data }).toMatchObject({
        path,
        httpStatus: 400,
        tag: "InputInvalid",
        fieldPath,
      })
      expect(f.message).toContain("ISO 8601 date-time with zone")
      expect(f.message).toContain("epoch milliseconds")
    }
    const record = await failure(
      raw().mutation("actions.record", {
        customer: { id: customerId },
        template: "NoteAdded",
        payload: { text: "when?" },
        occurredAt: "next tuesday",
      }),
    )
    expect(record.data).toMatchObject({ tag: "InputInvalid", fieldPath: ["occurredAt"] })
    expect(await snapshot(t.server)).toBe(before)
  })
})
