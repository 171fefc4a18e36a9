import { Result, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Catalog, Customer, Payloads, ProfileDiff, Validation } from "../src/index"
import type { Ids } from "../src/index"

const profile: Customer.CustomerProfile = {
  id: "c1" as Ids.CustomerId,
  identifiers: [
    { kind: "email", value: "ann@example.com" },
    { kind: "phone", value: "+491511" },
  ],
  personal: { firstName: "Ann", lastName: "Lee", birthDate: "1990-12-01" },
  subscriptions: [
    { channel: "email", brandId: "main" as Ids.BrandId, subscribed: true },
    { channel: "sms", brandId: "main" as Ids.BrandId, subscribed: false },
  ],
  tags: ["vip", "newcomer"],
  customFields: { loyalty: { level: "gold", since: 2020 } },
  createdAt: 1,
  updatedAt: 2,
}

describe("diffProfiles", () => {
  it("is empty when nothing changed (order of lists and timestamps do not count)", () => {
    expect(ProfileDiff.diffProfiles(profile, profile)).toEqual([])
    const reordered = {
      ...profile,
      identifiers: profile.identifiers.toReversed(),
      tags: ["newcomer", "vip"],
      subscriptions: profile.subscriptions.toReversed(),
      updatedAt: 99,
    }
    expect(ProfileDiff.diffProfiles(profile, reordered)).toEqual([])
  })

  it("reports personal fields, added and removed", () => {
    const after = {
      ...profile,
      personal: { firstName: "Anna", birthDate: "1990-12-01", city: "Berlin" },
    }
    expect(ProfileDiff.diffProfiles(profile, after)).toEqual([
      { field: "personal.city", before: null, after: "Berlin" },
      { field: "personal.firstName", before: "Ann", after: "Anna" },
      { field: "personal.lastName", before: "Lee", after: null },
    ])
  })

  it("reports nested custom fields by dotted path", () => {
    const after = {
      ...profile,
      customFields: { loyalty: { level: "platinum", since: 2020 }, pet: "cat" },
    }
    expect(ProfileDiff.diffProfiles(profile, after)).toEqual([
      { field: "customFields.loyalty.level", before: "gold", after: "platinum" },
      { field: "customFields.pet", before: null, after: "cat" },
    ])
  })

  it("reports identifier, subscription and tag changes", () => {
    const after = {
      ...profile,
      identifiers: [
        { kind: "email", value: "ann@new.example.com" },
        { kind: "email", value: "ann@example.com" },
        { kind: "loyaltyCard", value: "L-1" },
      ],
      subscriptions: [
        { channel: "email" as const, brandId: "main" as Ids.BrandId, subscribed: false },
        { channel: "sms" as const, brandId: "main" as Ids.BrandId, subscribed: false },
      ],
      tags: ["vip"],
    }
    expect(ProfileDiff.diffProfiles(profile, after)).toEqual([
      {
        field: "identifiers.email",
        before: "ann@example.com",
        after: ["ann@example.com", "ann@new.example.com"],
      },
      { field: "identifiers.loyaltyCard", before: null, after: "L-1" },
      { field: "identifiers.phone", before: "+491511", after: null },
      { field: "subscriptions.main.email", before: true, after: false },
      { field: "tags", before: ["newcomer", "vip"], after: ["vip"] },
    ])
  })

  it("diffs against an empty profile (creation)", () => {
    const changes = ProfileDiff.diffProfiles({}, profile)
    expect(changes.map((c) => c.field)).toContain("personal.firstName")
    expect(changes.every((c) => c.before === null)).toBe(true)
  })

  it("produces valid ProfileEdited / ProfileCorrected payloads", () => {
    const after = { ...profile, personal: { ...profile.personal, firstName: "Anna" } }
    expect(ProfileDiff.profileEditedPayload(profile, profile)).toBeUndefined()
    const edited = ProfileDiff.profileEditedPayload(profile, after)!
    expect(Schema.is(Payloads.ProfileEdited)(edited)).toBe(true)
    const corrected = ProfileDiff.profileCorrectedPayload(profile, after, "typo")!
    expect(corrected.reason).toBe("typo")
    const template = Catalog.getBuiltInTemplate("ProfileCorrected")!.definition
    expect(Result.isSuccess(Validation.validatePayload(template, corrected, {}))).toBe(true)
    expect(ProfileDiff.profileCorrectedPayload(profile, profile, "typo")).toBeUndefined()
  })
})

describe("applyProfileChanges", () => {
  it("changes named fields, clears null ones, keeps the others; lists are replaced", () => {
    const after = Customer.applyProfileChanges(profile, {
      personal: { firstName: "Anna", birthDate: null },
      customFields: { plan: "basic", loyalty: null },
      tags: ["vip"],
    })
    expect(after.personal).toEqual({ firstName: "Anna", lastName: "Lee" })
    expect(after.customFields).toEqual({ plan: "basic" })
    expect(after.tags).toEqual(["vip"])
    expect(after.identifiers).toBe(profile.identifiers)
    expect(ProfileDiff.diffProfiles(profile, after).map((c) => c.field)).toEqual([
      "customFields.loyalty.level",
      "customFields.loyalty.since",
      "customFields.plan",
      "personal.birthDate",
      "personal.firstName",
      "tags",
    ])
    expect(Customer.applyProfileChanges(profile, {})).toEqual(profile)
  })
})
