import { Effect, Exit, Schema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { Customer, Errors, Ids } from "../src/index"

describe("ids", () => {
  it("makes UUIDv7 action ids that carry their time and sort by it", () => {
    const t0 = Date.parse("2026-11-28T12:00:00Z")
    const ids = Array.from({ length: 50 }, (_, i) => Ids.makeActionId(t0 + i * 1000))
    for (const [i, id] of ids.entries()) {
      expect(Schema.is(Ids.ActionId)(id)).toBe(true)
      expect(Ids.actionIdTime(id)).toBe(t0 + i * 1000)
    }
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(Array.from({ length: 1000 }, () => Ids.makeActionId(t0))).size).toBe(1000)
  })

  it("validates template names", () => {
    const ok = Schema.is(Ids.TemplateName)
    expect(ok("OrderPlaced")).toBe(true)
    expect(ok("store_visit.v2-beta")).toBe(true)
    expect(ok("")).toBe(false)
    expect(ok("1st")).toBe(false)
    expect(ok("has space")).toBe(false)
    expect(ok("x".repeat(101))).toBe(false)
  })

  it("normalises identifiers", () => {
    expect(Customer.normalizeIdentifier({ kind: "email", value: " Ann@Example.COM " })).toEqual({
      kind: "email",
      value: "ann@example.com",
    })
    expect(Customer.normalizeIdentifier({ kind: "phone", value: "+49 (151) 123-45" })).toEqual({
      kind: "phone",
      value: "+4915112345",
    })
    expect(Customer.formatCustomerRef({ id: "c1" as Ids.CustomerId })).toBe("id:c1")
  })
})

describe("errors", () => {
  const all: ReadonlyArray<Errors.DomainError> = [
    new Errors.UnknownTemplate({ template: "X" }),
    new Errors.UnknownTouchpoint({ touchpoint: "web", by: "externalId" }),
    new Errors.TouchpointDeleted({ touchpoint: "web" }),
    new Errors.TouchpointRequired({}),
    new Errors.UnknownChannel({ channel: "c" }),
    new Errors.UnknownBrand({ brand: "b" }),
    new Errors.BrandRequired({ template: "X" }),
    new Errors.TemplateNotAllowedForBrand({ template: "X", brand: "b" }),
    new Errors.BrandConflict({ requested: "a", touchpointBrand: "b", touchpoint: "t" }),
    new Errors.CustomerNotFound({ customer: "email:a@b.c" }),
    new Errors.CustomerSuppressed({ customer: "id:c1" }),
    new Errors.IdentifierTaken({ kind: "email", value: "a@b.c" }),
    Errors.InvalidPayload.at(["payload", "lines", 0, "sku"], "is required"),
    new Errors.EventTimeInFuture({ occurredAt: 10 ** 12 + 600_000, now: 10 ** 12 }),
    new Errors.InvalidCursor({ reason: "not a cursor" }),
    new Errors.InvalidFilter({ field: "occurredFrom", reason: "after occurredTo" }),
    new Errors.TemplateEvolutionRejected({
      template: "X",
      reasons: [{ field: "a", message: "m" }],
    }),
    new Errors.InvalidTemplate({ field: "customFields[0]", reason: "dup" }),
    new Errors.TemplateAlreadyExists({ template: "OrderPlaced" }),
    new Errors.AlreadyExists({ entity: "touchpoint", key: "web" }),
    new Errors.ExternalIdentityTaken({ template: "X", field: "ticket", value: "T-1" }),
    new Errors.PayloadTooLarge({ bytes: 40_000, limit: Errors.MAX_PAYLOAD_BYTES }),
    new Errors.BatchTooLarge({ items: 1001, bytes: 10 }),
    new Errors.ActionNotFound({ id: "a1" }),
  ]

  it("every error has a stable tag, a human message, and is recognised", () => {
    expect(new Set(all.map((e) => e.constructor)).size).toBe(Errors.DomainError.members.length)
    expect(all.map((e) => e.name).toSorted()).toEqual(
      Errors.DomainError.members.map((m) => m.identifier).toSorted(),
    )
    for (const e of all) {
      expect(e).toBeInstanceOf(Error)
      expect(e.message.length).toBeGreaterThan(10)
      expect(e.message).not.toContain("undefined")
      expect(Errors.isDomainError(e)).toBe(true)
    }
    expect(Errors.isDomainError(new Error("x"))).toBe(false)
    expect(Errors.isDomainError({ _tag: "UnknownTemplate" })).toBe(false)
  })

  it("InvalidPayload carries the path both ways", () => {
    const e = Errors.InvalidPayload.at(["payload", "lines", 0, "sku"], "is required")
    expect(e.field).toBe("payload.lines[0].sku")
    expect(e.message).toBe("payload.lines[0].sku: is required")
    expect(Errors.errorPath(e)).toEqual(["payload", "lines", 0, "sku"])
    expect(Errors.errorPath(new Errors.ActionNotFound({ id: "x" }))).toBeUndefined()
  })

  it("errors are yieldable and survive encoding (for transport)", () => {
    const exit = Effect.runSyncExit(
      Effect.gen(function* () {
        return yield* new Errors.UnknownTemplate({ template: "X" })
      }),
    )
    expect(Exit.isFailure(exit)).toBe(true)
    const encode = Schema.encodeSync(Errors.DomainError)
    const decode = Schema.decodeUnknownSync(Errors.DomainError)
    for (const e of all) {
      const back = decode(JSON.parse(JSON.stringify(encode(e))))
      expect(back).toBeInstanceOf(e.constructor)
      expect(back.message).toBe(e.message)
    }
  })

  it("rejection tags are a subset of domain error tags", () => {
    const domain = new Set(Errors.DomainError.members.map((m) => m.identifier))
    for (const m of Errors.ActionRejection.members) expect(domain.has(m.identifier)).toBe(true)
  })
})

describe("package purity", () => {
  it("src imports nothing but effect and itself (no node:, no other packages)", () => {
    const dir = path.resolve(import.meta.dirname, "../src")
    const files = fs
      .readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"))
    expect(files.length).toBeGreaterThan(10)
    for (const f of files) {
      // Comments may mention other packages; only code counts.
      const text = fs
        .readFileSync(path.join(dir, f), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, "")
      for (const m of text.matchAll(/(?:import|export)[^"']*?from\s+["']([^"']+)["']/g)) {
        const spec = m[1]!
        expect(
          spec === "effect" || spec.startsWith("effect/") || spec.startsWith("."),
          `${f}: ${spec}`,
        ).toBe(true)
      }
      expect(text).not.toMatch(/\bprocess\.|\bBuffer\b|require\(/)
    }
  })
})
