import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { Catalog, CustomFields, Errors, Template, Validation } from "../src/index"
import type { Ids } from "../src/index"
import { failureOf, successOf } from "./util"

const template = (
  customFields: ReadonlyArray<Template.CustomFieldDefinition>,
  version = 1,
): Template.TemplateDefinition => ({
  systemName: `Custom${version}` as Ids.TemplateName,
  displayName: "Custom",
  category: "personal",
  description: "",
  tags: [],
  allowedBrands: [],
  builtIn: false,
  customFields,
  version,
})

const validate = (t: Template.TemplateDefinition, customFields: unknown, payload: unknown = {}) =>
  Validation.validatePayload(t, payload, customFields)

// The path of the InvalidPayload a validation fails with, checked against its dotted form.
const pathOf = (r: Result.Result<unknown, Errors.InvalidPayload | Errors.UnknownTemplate>) => {
  const e = failureOf(r)
  if (!(e instanceof Errors.InvalidPayload))
    throw new Error(`expected InvalidPayload: ${e.message}`)
  if (e.field !== Errors.formatPath(e.path)) throw new Error(`${e.field} does not match the path`)
  return e.path
}

type FieldCase = {
  readonly field: Template.CustomFieldDefinition
  readonly good: ReadonlyArray<unknown>
  readonly bad: ReadonlyArray<unknown>
}

const cases: ReadonlyArray<FieldCase> = [
  {
    field: { name: "qty", type: "integer", required: true },
    good: [0, -3, 42, Number.MAX_SAFE_INTEGER],
    bad: [1.5, "3", null, true, Number.NaN, 2 ** 60],
  },
  {
    field: { name: "amount", type: "decimal", required: true },
    good: [0, 12.5, -0.01, 1e9],
    bad: ["12.5", Number.POSITIVE_INFINITY, Number.NaN, null],
  },
  {
    field: { name: "comment", type: "string", required: true },
    good: ["", "hello", "x".repeat(10_000)],
    bad: [5, null, "x".repeat(10_001), ["a"]],
  },
  {
    field: { name: "gift", type: "boolean", required: true },
    good: [true, false],
    bad: ["true", 1, null],
  },
  {
    field: { name: "visitDay", type: "date", required: true },
    good: ["2026-02-28", "2024-02-29"],
    bad: ["2026-02-30", "2026-2-1", "2026-02-28T00:00:00Z", 20260228],
  },
  {
    field: { name: "visitAt", type: "datetime", required: true },
    good: ["2026-02-28T10:00:00Z", "2026-02-28T10:00:00.123+03:00", "2026-02-28T10:00Z"],
    bad: ["2026-02-28", "2026-02-28T10:00:00", "yesterday", 1_700_000_000_000],
  },
  {
    field: { name: "size", type: "enum", values: ["S", "M", "L"], required: true },
    good: ["S", "L"],
    bad: ["XL", "s", 1, null],
  },
  {
    field: { name: "ticket", type: "externalIdentity", required: true },
    good: ["T-1", "x".repeat(200)],
    bad: ["", "x".repeat(201), 7],
  },
]

describe("custom fields", () => {
  describe.each(cases.map((c) => [c.field.type, c] as const))("%s", (_, c) => {
    const t = template([c.field])
    it.each(c.good.map((v) => [JSON.stringify(v)?.slice(0, 30), v]))("accepts %s", (_, v) => {
      const r = successOf(validate(t, { [c.field.name]: v }))
      expect(r.customFields).toEqual({ [c.field.name]: v })
    })
    it.each(c.bad.map((v) => [String(v).slice(0, 30), v]))("rejects %s", (_, v) => {
      expect(pathOf(validate(t, { [c.field.name]: v }))).toEqual(["customFields", c.field.name])
    })
    it("is required when required, optional otherwise", () => {
      expect(pathOf(validate(t, {}))).toEqual(["customFields", c.field.name])
      const optional = template([{ ...c.field, required: false }], 2)
      expect(Result.isSuccess(validate(optional, {}))).toBe(true)
      expect(Result.isSuccess(validate(optional, undefined))).toBe(true)
    })
  })

  it("rejects unknown custom fields and non-objects", () => {
    const t = template([{ name: "a", type: "string", required: false }], 3)
    expect(pathOf(validate(t, { b: 1 }))).toEqual(["customFields", "b"])
    expect(pathOf(validate(t, "a=1"))).toEqual(["customFields"])
    expect(pathOf(validate(t, [1]))).toEqual(["customFields"])
  })

  it("custom templates accept any JSON object payload, nothing else", () => {
    const t = template([], 4)
    const ok = validate(t, {}, { nested: { list: [1, "a", null, true] } })
    expect(Result.isSuccess(ok)).toBe(true)
    expect(pathOf(validate(t, {}, [1, 2]))).toEqual(["payload"])
    expect(pathOf(validate(t, {}, "text"))).toEqual(["payload"])
    expect(pathOf(validate(t, {}, { f: () => 1 }))).toEqual(["payload", "f"])
  })

  it("built-in templates carry custom fields too", () => {
    const builtIn = Catalog.getBuiltInTemplate("OrderPlaced")!
    const t = {
      ...builtIn.definition,
      customFields: [{ name: "store", type: "string", required: true } as const],
      version: 2,
    }
    expect(Result.isSuccess(validate(t, { store: "Berlin" }, builtIn.example))).toBe(true)
    expect(pathOf(validate(t, {}, builtIn.example))).toEqual(["customFields", "store"])
  })

  it("caches compiled schemas per template version", () => {
    const v1 = template([{ name: "a", type: "integer", required: true }], 10)
    expect(CustomFields.customFieldsSchema(v1)).toBe(CustomFields.customFieldsSchema(v1))
    const v2 = {
      ...v1,
      version: 11,
      customFields: [{ name: "a", type: "string", required: true } as const],
    }
    expect(CustomFields.customFieldsSchema(v2)).not.toBe(CustomFields.customFieldsSchema(v1))
    expect(Result.isSuccess(validate(v2, { a: "x" }))).toBe(true)
    expect(Result.isFailure(validate(v1, { a: "x" }))).toBe(true)
  })

  it("lists externalIdentity values for the store's uniqueness check", () => {
    const t = template(
      [
        { name: "ticket", type: "externalIdentity", required: true },
        { name: "other", type: "externalIdentity", required: false },
        { name: "note", type: "string", required: false },
      ],
      12,
    )
    expect(CustomFields.externalIdentities(t, { ticket: "T-1", note: "n" })).toEqual([
      { field: "ticket", value: "T-1" },
    ])
  })

  it("an unknown built-in is UnknownTemplate", () => {
    const t = { ...template([], 13), builtIn: true }
    expect(failureOf(validate(t, {}))).toBeInstanceOf(Errors.UnknownTemplate)
  })
})

describe("template definitions", () => {
  it("derives system names from display names", () => {
    expect(Template.deriveSystemName("Visited store #3")).toBe("VisitedStore3")
    expect(Template.deriveSystemName("  café  visit ")).toBe("CafeVisit")
    expect(Template.deriveSystemName("3 wishes")).toBe("T3Wishes")
    const cyrillic = Template.deriveSystemName("Визит в магазин")
    expect(cyrillic).toMatch(/^Template_[0-9a-z]+$/)
    expect(Template.deriveSystemName("Визит в магазин")).toBe(cyrillic)
    expect(Template.deriveSystemName("Визит в офис")).not.toBe(cyrillic)
    for (const s of ["a", "Hello world", "!!!", "x".repeat(300), "Ünïcödé"]) {
      expect(Template.isValidSystemName(Template.deriveSystemName(s))).toBe(true)
    }
  })

  it("makes a definition from staff input", () => {
    const r = Template.makeTemplateDefinition({
      displayName: "Visited store",
      category: "personal",
    })
    expect(r).toEqual(
      Result.succeed({
        systemName: "VisitedStore",
        displayName: "Visited store",
        category: "personal",
        description: "",
        tags: [],
        allowedBrands: [],
        builtIn: false,
        customFields: [],
        version: 1,
      }),
    )
    const given = Template.makeTemplateDefinition({
      displayName: "Visited store",
      systemName: "store_visit" as Ids.TemplateName,
      category: "system",
    })
    expect(successOf(given).systemName).toBe("store_visit")
  })

  it("rejects duplicate field names", () => {
    const r = Template.makeTemplateDefinition({
      displayName: "X",
      category: "personal",
      customFields: [
        { name: "a", type: "string", required: false },
        { name: "a", type: "integer", required: false },
      ],
    })
    expect(failureOf(r)).toBeInstanceOf(Errors.InvalidTemplate)
    expect(failureOf(r).field).toBe("customFields[1].name")
  })

  it("applies updates and bumps the version", () => {
    const before = Result.getOrThrow(
      Template.makeTemplateDefinition({ displayName: "X", category: "personal" }),
    )
    const after = Result.getOrThrow(Template.applyTemplateUpdate(before, { description: "d" }))
    expect(after).toEqual({ ...before, description: "d", version: 2 })
  })
})
