import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { Errors, Template, Validation } from "../src/index"
import type { Ids, Registry } from "../src/index"
import { failureOf } from "./util"

const base: Template.TemplateDefinition = {
  systemName: "StoreVisit" as Ids.TemplateName,
  displayName: "Store visit",
  category: "personal",
  description: "",
  tags: [],
  allowedBrands: [],
  builtIn: false,
  customFields: [
    { name: "store", type: "string", required: true },
    { name: "minutes", type: "integer", required: false },
    { name: "mood", type: "enum", values: ["happy", "neutral", "sad"], required: false },
  ],
  version: 3,
}

const withFields = (customFields: ReadonlyArray<Template.CustomFieldDefinition>) => ({
  ...base,
  customFields,
  version: base.version + 1,
})
const [store, minutes, mood] = base.customFields as [
  Template.CustomFieldDefinition,
  Template.CustomFieldDefinition,
  Template.EnumFieldDefinition,
]

describe("checkTemplateEvolution", () => {
  const inUse = { inUse: true }

  it("allows an optional new field, new enum values, and cosmetic changes", () => {
    const after = {
      ...withFields([
        store,
        minutes,
        { ...mood, values: [...mood.values, "excited"], description: "How it went" },
        { name: "note", type: "string", required: false } as const,
      ]),
      displayName: "Visit to a store",
      description: "Walked in",
      tags: ["offline"],
      allowedBrands: ["b1" as Ids.BrandId],
    }
    expect(Template.checkTemplateEvolution(base, after, inUse)).toEqual([])
    expect(Result.isSuccess(Template.ensureTemplateEvolution(base, after, inUse))).toBe(true)
  })

  it("a required field may become optional", () => {
    const after = withFields([{ ...store, required: false }, minutes, mood])
    expect(Template.checkTemplateEvolution(base, after, inUse)).toEqual([])
  })

  it("rejects every unsafe change of a template in use, with one reason per field", () => {
    const after = withFields([
      { name: "store", type: "integer", required: true },
      { ...minutes, required: true },
      { ...mood, values: ["happy"] },
      { name: "receipt", type: "externalIdentity", required: true },
    ])
    const reasons = Template.checkTemplateEvolution(base, after, inUse)
    expect(reasons.map((r) => r.field)).toEqual(["store", "minutes", "mood", "receipt"])
    expect(reasons[0]!.message).toContain("from string to integer")
    expect(reasons[1]!.message).toContain("required")
    expect(reasons[2]!.message).toContain("neutral, sad")
    expect(reasons[3]!.message).toContain("optional")
  })

  it("rejects removing a field, and changing an enum field to a string", () => {
    const reasons = Template.checkTemplateEvolution(
      base,
      withFields([store, { name: "mood", type: "string", required: false }]),
      inUse,
    )
    expect(reasons).toEqual([
      { field: "minutes", message: "a field of a template in use cannot be removed" },
      {
        field: "mood",
        message: "the type cannot change from enum to string while the template is in use",
      },
    ])
  })

  it("a template not in use may change its fields freely, never its name or category", () => {
    const after = withFields([{ name: "store", type: "integer", required: true }])
    expect(Template.checkTemplateEvolution(base, after, { inUse: false })).toEqual([])
    const renamed = {
      ...after,
      systemName: "Other" as Ids.TemplateName,
      category: "system" as const,
    }
    expect(
      Template.checkTemplateEvolution(base, renamed, { inUse: false }).map((r) => r.field),
    ).toEqual(["systemName", "category"])
  })

  it("ensureTemplateEvolution fails with TemplateEvolutionRejected carrying the reasons", () => {
    const e = failureOf(Template.ensureTemplateEvolution(base, withFields([store]), inUse))
    expect(e).toBeInstanceOf(Errors.TemplateEvolutionRejected)
    expect(e.reasons).toHaveLength(2)
    expect(e.message).toContain("minutes")
  })
})

describe("checkEventTime", () => {
  const now = Date.parse("2026-11-28T12:00:00Z")

  it("defaults to now", () => {
    expect(Validation.checkEventTime(undefined, now)).toEqual(Result.succeed(now))
  })

  it("accepts the past and up to 5 minutes ahead", () => {
    expect(Validation.checkEventTime("2001-01-01T00:00:00Z", now)).toEqual(
      Result.succeed(Date.parse("2001-01-01T00:00:00Z")),
    )
    expect(Validation.checkEventTime("2026-11-28T12:05:00Z", now)).toEqual(
      Result.succeed(now + 5 * 60_000),
    )
    expect(Validation.checkEventTime("2026-11-28T15:04:59+03:00", now)).toEqual(
      Result.succeed(now + 4 * 60_000 + 59_000),
    )
  })

  it("rejects more than 5 minutes in the future", () => {
    const e = failureOf(Validation.checkEventTime("2026-11-28T12:05:00.001Z", now))
    expect(e).toBeInstanceOf(Errors.EventTimeInFuture)
    expect(e.message).toContain("5 minutes")
  })

  it("rejects what is not an ISO date-time with zone, at occurredAt", () => {
    for (const s of [
      "",
      "yesterday",
      "2026-11-28",
      "2026-11-28T12:00:00",
      "1732790000000",
      "2026-13-01T00:00:00Z",
    ]) {
      const e = failureOf(Validation.checkEventTime(s, now))
      expect(e).toBeInstanceOf(Errors.InvalidPayload)
      expect(e).toMatchObject({ path: ["occurredAt"] })
    }
  })
})

const tp = (brandId?: string) =>
  brandId === undefined
    ? { id: "tp1" as Ids.TouchpointId }
    : { id: "tp1" as Ids.TouchpointId, brandId: brandId as Ids.BrandId }
const b = (s: string) => s as Ids.BrandId

describe("resolveBrand", () => {
  const single: Registry.ProjectSettings = {
    multiBrand: false,
    defaultBrandId: "main" as Ids.BrandId,
  }
  const multi: Registry.ProjectSettings = { ...single, multiBrand: true }
  const template = { systemName: "StoreVisit" as Ids.TemplateName, allowedBrands: [] }
  const restricted = { ...template, allowedBrands: ["kids" as Ids.BrandId] }

  it("single-brand projects always use the default brand", () => {
    expect(Validation.resolveBrand({ settings: single, template })).toEqual(Result.succeed("main"))
    expect(
      Validation.resolveBrand({
        settings: single,
        template: restricted,
        touchpoint: tp("kids"),
        requested: b("x"),
      }),
    ).toEqual(Result.succeed("main"))
  })

  it("multi-brand: requested, else the touchpoint's brand, else BrandRequired", () => {
    expect(Validation.resolveBrand({ settings: multi, template, requested: b("kids") })).toEqual(
      Result.succeed("kids"),
    )
    expect(
      Validation.resolveBrand({ settings: multi, template, touchpoint: tp("adults") }),
    ).toEqual(Result.succeed("adults"))
    expect(
      Validation.resolveBrand({
        settings: multi,
        template,
        touchpoint: tp("adults"),
        requested: b("adults"),
      }),
    ).toEqual(Result.succeed("adults"))
    const r = Validation.resolveBrand({ settings: multi, template, touchpoint: tp() })
    expect(failureOf(r)).toBeInstanceOf(Errors.BrandRequired)
  })

  it("a requested brand conflicting with the touchpoint's is BrandConflict", () => {
    const r = Validation.resolveBrand({
      settings: multi,
      template,
      touchpoint: tp("adults"),
      requested: b("kids"),
    })
    expect(failureOf(r)).toMatchObject({
      _tag: "BrandConflict",
      requested: "kids",
      touchpointBrand: "adults",
      touchpoint: "tp1",
    })
  })

  it("templates restricted to brands reject other brands", () => {
    expect(
      Validation.resolveBrand({ settings: multi, template: restricted, requested: b("kids") }),
    ).toEqual(Result.succeed("kids"))
    const r = Validation.resolveBrand({
      settings: multi,
      template: restricted,
      touchpoint: tp("adults"),
    })
    expect(failureOf(r)).toMatchObject({
      _tag: "TemplateNotAllowedForBrand",
      template: "StoreVisit",
      brand: "adults",
    })
  })
})

describe("size limits", () => {
  it("counts UTF-8 bytes", () => {
    expect(Validation.utf8Length("abc")).toBe(3)
    expect(Validation.utf8Length("é")).toBe(2)
    expect(Validation.utf8Length("€")).toBe(3)
    expect(Validation.utf8Length("😀")).toBe(4)
  })

  it("payload + custom fields may be at most 32 KiB", () => {
    const overhead = Validation.payloadBytes({ t: "" }, {})
    const fits = { t: "x".repeat(Errors.MAX_PAYLOAD_BYTES - overhead) }
    expect(Validation.checkPayloadSize(fits, {})).toEqual(Result.succeed(Errors.MAX_PAYLOAD_BYTES))
    const r = Validation.checkPayloadSize(fits, { a: 1 })
    expect(failureOf(r)).toMatchObject({
      _tag: "PayloadTooLarge",
      limit: 32768,
    })
    const multibyte = Validation.checkPayloadSize({ t: "€".repeat(11_000) }, {})
    expect(Result.isFailure(multibyte)).toBe(true)
  })

  it("a batch may hold 1,000 items and 1 MiB", () => {
    expect(Result.isSuccess(Validation.checkBatch(Array.from({ length: 1000 }, () => ({}))))).toBe(
      true,
    )
    const many = Validation.checkBatch(Array.from({ length: 1001 }, () => ({})))
    expect(failureOf(many)).toMatchObject({
      _tag: "BatchTooLarge",
      items: 1001,
    })
    const big = Validation.checkBatch([{ t: "x".repeat(Errors.MAX_BATCH_BYTES) }])
    expect(failureOf(big)).toBeInstanceOf(Errors.BatchTooLarge)
    expect(Result.isFailure(Validation.checkBatch([{}], Errors.MAX_BATCH_BYTES + 1))).toBe(true)
  })
})
