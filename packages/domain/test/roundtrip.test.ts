import { Arbitrary, Effect, Result, Schema } from "effect"
import { isDeepStrictEqual } from "node:util"
import { describe, expect, it } from "vitest"
import { Action, Catalog, Errors, Validation } from "../src/index"
import { failureOf } from "./util"

const classes = [...Action.builtInActions, Action.CustomAction] as const
const equivalent = Schema.toEquivalence(Action.Action)

// Same JSON value, whatever the key order (JSON text normalises -0 to 0 on both sides).
const sameJson = (x: unknown, y: unknown) =>
  isDeepStrictEqual(JSON.parse(JSON.stringify(x)), JSON.parse(JSON.stringify(y)))

// The failure report of a property (undefined when it passed all runs).
const check = async <A>(arb: Arbitrary.Arbitrary<A>, property: (a: A) => boolean) => {
  const result = await Effect.runPromise(
    Arbitrary.checkEffect(arb, property, { runs: 60, seed: 20261128 }),
  )
  return Arbitrary.formatCheckFailure(result)
}

describe.each(classes.map((c) => [c.identifier, c] as const))("%s", (_, cls) => {
  const arb = Arbitrary.schema(cls as Schema.Codec<Action.Action, Action.Encoded>)

  it("encode → decode gives the same value", async () => {
    expect(
      await check(arb, (a) => {
        const decoded = Action.decodeAction(Action.encodeAction(a))
        return (
          Result.isSuccess(decoded) &&
          decoded.success.constructor === a.constructor &&
          equivalent(decoded.success, a)
        )
      }),
    ).toBeUndefined()
  })

  it("the fast encoder equals the schema encoder", async () => {
    expect(
      await check(arb, (a) => sameJson(Action.encodeAction(a), Action.encodeActionWithSchema(a))),
    ).toBeUndefined()
  })

  it("survives JSON text (what the store and the API carry)", async () => {
    expect(
      await check(arb, (a) => {
        const json = JSON.stringify(Action.encodeAction(a))
        const decoded = Action.decodeAction(JSON.parse(json))
        return (
          Result.isSuccess(decoded) &&
          sameJson(Action.encodeAction(decoded.success), Action.encodeAction(a))
        )
      }),
    ).toBeUndefined()
  })

  it("decodes rows without _tag (derived from template)", async () => {
    expect(
      await check(arb, (a) => {
        const row: Record<string, unknown> = { ...Action.encodeAction(a) }
        delete row["_tag"]
        const decoded = Action.decodeAction(row)
        return (
          Result.isSuccess(decoded) &&
          decoded.success.constructor === a.constructor &&
          equivalent(decoded.success, a)
        )
      }),
    ).toBeUndefined()
  })
})

describe.each(classes.map((c) => [c.identifier, c] as const))("%s from a trusted row", (_, cls) => {
  it("fromTrusted gives the same value as decoding", async () => {
    const arb = Arbitrary.schema(cls as Schema.Codec<Action.Action, Action.Encoded>)
    expect(
      await check(arb, (a) => {
        const row: Record<string, unknown> = { ...Action.encodeAction(a) }
        delete row["_tag"]
        const trusted = Action.fromTrusted(row as Omit<Action.Encoded, "_tag">)
        return trusted.constructor === a.constructor && equivalent(trusted, a)
      }),
    ).toBeUndefined()
  })
})

describe.each(Catalog.listBuiltInTemplates().map((t) => [t.definition.systemName, t] as const))(
  "%s payload",
  (_, t) => {
    it("validates generated payloads to the same JSON (schemas check, never transform)", async () => {
      expect(
        await check(Arbitrary.schema(t.payload as Schema.Codec<object, unknown>), (payload) => {
          const r = Validation.validatePayload(t.definition, payload, {})
          return Result.isSuccess(r) && sameJson(r.success.payload, payload)
        }),
      ).toBeUndefined()
    })
  },
)

describe("fromTrusted", () => {
  const note = Catalog.getBuiltInTemplate("NoteAdded")!
  const row = {
    id: "0190a1a2-0000-7000-8000-000000000000",
    customerId: "c1",
    occurredAt: 1,
    recordedAt: 2,
    touchpointId: "web",
    channelId: "online",
    brandId: "main",
    customFields: {},
    recordedBy: { kind: "system", id: "test" },
    template: "NoteAdded",
    category: note.definition.category,
    payload: note.example,
  } as unknown as Omit<Action.Encoded, "_tag">

  it("builds the built-in class its template names, with _tag derived from the template", () => {
    const a = Action.fromTrusted(row)
    expect(a).toBeInstanceOf(Action.NoteAdded)
    expect(a._tag).toBe("NoteAdded")
    expect(Action.encodeAction(a)).toEqual({ ...row, _tag: "NoteAdded" })
  })

  it("builds a CustomAction for a template that is not built in", () => {
    const a = Action.fromTrusted({ ...row, template: "Visit", payload: { where: "shop" } })
    expect(a).toBeInstanceOf(Action.CustomAction)
    expect(a._tag).toBe("CustomAction")
    expect(a.payload).toEqual({ where: "shop" })
  })

  it("does not validate again: a row that decoding refuses is taken as it is", () => {
    const unchecked = { ...row, id: "not-a-uuid", payload: { text: 42 } } as typeof row
    expect(Result.isFailure(Action.decodeAction({ ...unchecked, _tag: "NoteAdded" }))).toBe(true)
    const a = Action.fromTrusted(unchecked)
    expect(a).toBeInstanceOf(Action.NoteAdded)
    expect(a.id).toBe("not-a-uuid")
    expect(a.payload).toEqual({ text: 42 })
  })
})

describe("decodeAction", () => {
  it("rejects garbage with a path", () => {
    const e = failureOf(Action.decodeAction({ _tag: "NoteAdded", id: "nope" }))
    expect(e).toBeInstanceOf(Errors.InvalidPayload)
    expect(e.path).toEqual(["id"])
    expect(Result.isFailure(Action.decodeAction(null))).toBe(true)
    const note = Catalog.getBuiltInTemplate("NoteAdded")!
    const row = {
      _tag: "CustomAction",
      id: "0190a1a2-0000-7000-8000-000000000000",
      customerId: "c1",
      occurredAt: 1,
      recordedAt: 2,
      touchpointId: "web",
      channelId: "online",
      brandId: "main",
      customFields: {},
      recordedBy: { kind: "system", id: "test" },
      template: "NoteAdded",
      category: "system",
      payload: note.example,
    }
    expect(failureOf(Action.decodeAction(row)).path).toEqual(["template"])
    expect(Action.decodeAction({ ...row, template: "Visit" })).toMatchObject({
      success: { template: "Visit" },
    })
    expect(Result.isFailure(Action.decodeAction("x"))).toBe(true)
  })
})

describe("the round-trip property is not vacuous", () => {
  it("equivalence tells different actions apart", async () => {
    const [a] = await Effect.runPromise(
      Arbitrary.sampleEffect(Arbitrary.schema(Action.NoteAdded), { count: 1, seed: 7 }),
    )
    const b = new Action.NoteAdded({ ...a!, payload: { text: `${a!.payload.text}!` } })
    expect(equivalent(a!, a!)).toBe(true)
    expect(equivalent(a!, b)).toBe(false)
  })
})
