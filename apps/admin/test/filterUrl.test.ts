import { describe, expect, it } from "vitest"
import { toApiFilter } from "../src/feed/apiFilter"
import { emptyFilter, filterIsEmpty, parseFilter, writeFilter } from "../src/feed/filterUrl"

describe("feed filters in the URL", () => {
  it("round-trips every filter field and leaves other params alone", () => {
    const filter = {
      templates: ["NoteAdded", "OrderPlaced"],
      tags: ["orders"],
      category: "system" as const,
      channels: ["ch_1"],
      touchpoints: ["tp_1", "tp_2"],
      brands: ["northwind"],
      occurredFrom: "2026-01-01T00:00:00.000Z",
      occurredTo: "2026-02-01T00:00:00.000Z",
      recordedFrom: "2026-01-05T00:00:00.000Z",
      recordedTo: undefined,
    }
    const params = writeFilter(new URLSearchParams("tab=profile&action=x"), filter)
    expect(params.get("tab")).toBe("profile")
    expect(params.get("action")).toBe("x")
    expect(parseFilter(new URLSearchParams(params.toString()))).toEqual(filter)
  })

  it("drops what it cannot read instead of sending it to the API", () => {
    const f = parseFilter(
      new URLSearchParams("category=bogus&from=not-a-date&template=&template=A&template=A"),
    )
    expect(f.category).toBeUndefined()
    expect(f.occurredFrom).toBeUndefined()
    expect(f.templates).toEqual(["A"])
    expect(filterIsEmpty(parseFilter(new URLSearchParams("tab=profile")))).toBe(true)
  })

  it("maps to the domain FeedFilter with epoch-millisecond times", () => {
    expect(toApiFilter(emptyFilter)).toEqual({})
    expect(
      toApiFilter({
        ...emptyFilter,
        category: "personal",
        occurredFrom: "2026-01-01T00:00:00.000Z",
      }),
    ).toEqual({ category: "personal", occurredFrom: Date.parse("2026-01-01T00:00:00.000Z") })
  })

  it("expands template tags to the templates that carry them", () => {
    const templates = [
      { systemName: "OrderPlaced", tags: ["orders"] },
      { systemName: "OrderPaid", tags: ["orders", "payments"] },
      { systemName: "NoteAdded", tags: ["staff"] },
    ]
    const f = { ...emptyFilter, tags: ["orders"], templates: ["NoteAdded"] }
    expect(toApiFilter(f, templates).templates).toEqual(["NoteAdded", "OrderPlaced", "OrderPaid"])
    expect(toApiFilter({ ...emptyFilter, tags: ["none"] }, templates).templates).toBeUndefined()
    expect(filterIsEmpty({ ...emptyFilter, tags: ["orders"] })).toBe(false)
  })
})
