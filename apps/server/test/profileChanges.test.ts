// A profile change is partial at field level: named fields change, `null` clears one, the
// others stay; the recorded diff lists only what changed. Through the real HTTP server for a
// customer's own edit (API key), a staff correction (session) and a tracked identify call.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { client, failure, startTestServer, type TestServer } from "./helpers"

let t: TestServer

beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.close())

const api = () => client(t.url, { apiKey: t.keys.readIngest })
const staff = () => client(t.url, { cookie: t.cookies.admin })

const newCustomer = (email: string) =>
  api().customers.create.mutate({
    identifiers: [{ kind: "email", value: email }],
    personal: { firstName: "Ann", lastName: "Lee", city: "Berlin" },
    customFields: { plan: "gold", score: 3 },
  })

/** The payload of the customer's newest action of a template. */
const latest = async (id: string, template: string) => {
  const page = await api().actions.feed.query({
    customer: { id },
    filter: { templates: [template] },
  })
  return page.items[0]?.payload as { changes: ReadonlyArray<unknown>; reason?: string } | undefined
}

describe("customers.edit changes only the fields it names", () => {
  it("a customer's own edit (API key): one field changes, the diff lists only it", async () => {
    const c = await newCustomer("own-edit@example.com")
    const r = await api().customers.edit.mutate({
      id: c.id,
      changes: { personal: { firstName: "Anna" }, customFields: { score: 4 } },
    })
    expect(r.profile.personal).toEqual({ firstName: "Anna", lastName: "Lee", city: "Berlin" })
    expect(r.profile.customFields).toEqual({ plan: "gold", score: 4 })
    expect((await latest(c.id, "ProfileEdited"))?.changes).toEqual([
      { field: "customFields.score", before: 3, after: 4 },
      { field: "personal.firstName", before: "Ann", after: "Anna" },
    ])
  })

  it("an explicit null clears a field; nothing else moves", async () => {
    const c = await newCustomer("clear@example.com")
    const r = await api().customers.edit.mutate({
      id: c.id,
      changes: { personal: { city: null }, customFields: { plan: null } },
    })
    expect(r.profile.personal).toEqual({ firstName: "Ann", lastName: "Lee" })
    expect(r.profile.customFields).toEqual({ score: 3 })
    expect((await latest(c.id, "ProfileEdited"))?.changes).toEqual([
      { field: "customFields.plan", before: "gold", after: null },
      { field: "personal.city", before: "Berlin", after: null },
    ])
  })

  it("a staff correction (session) is partial too, with its reason", async () => {
    const c = await newCustomer("correct@example.com")
    const r = await staff().customers.edit.mutate({
      id: c.id,
      changes: { personal: { lastName: "Leigh" } },
      reason: "typo",
    })
    expect(r.profile.personal).toEqual({ firstName: "Ann", lastName: "Leigh", city: "Berlin" })
    expect(await latest(c.id, "ProfileCorrected")).toEqual({
      changes: [{ field: "personal.lastName", before: "Lee", after: "Leigh" }],
      reason: "typo",
    })
    // Unchanged values and empty changes record nothing.
    const same = await staff().customers.edit.mutate({
      id: c.id,
      changes: { personal: { lastName: "Leigh" } },
    })
    expect(same.actionId).toBeUndefined()
  })

  it("a bad field value is refused with its path and changes nothing", async () => {
    const c = await newCustomer("bad@example.com")
    const f = await failure(
      api().customers.edit.mutate({
        id: c.id,
        changes: { personal: { birthDate: "31.12.1990", city: "Paris" } },
      }),
    )
    expect(f.data).toMatchObject({
      tag: "InputInvalid",
      fieldPath: ["changes", "personal", "birthDate"],
    })
    expect((await api().customers.get.query({ id: c.id })).personal.city).toBe("Berlin")
  })
})

const identify = (body: unknown) =>
  fetch(`${t.url}/v1/identify`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Basic ${Buffer.from(`${t.keys.ingest}:`).toString("base64")}`,
    },
    body: JSON.stringify(body),
  })

describe("identify traits change only the fields they name", () => {
  it("a later identify keeps the traits it does not send, and null clears one", async () => {
    expect(
      (
        await identify({
          userId: "traits-1",
          messageId: "traits-m1",
          traits: { firstName: "Ann", lastName: "Lee", address: { city: "Berlin" }, plan: "gold" },
        })
      ).status,
    ).toBe(200)
    expect(
      (
        await identify({
          userId: "traits-1",
          messageId: "traits-m2",
          traits: { firstName: "Anna", plan: null },
        })
      ).status,
    ).toBe(200)
    const c = await api().customers.findByIdentifier.query({ kind: "userId", value: "traits-1" })
    expect(c.personal).toEqual({ firstName: "Anna", lastName: "Lee", city: "Berlin" })
    // The address trait is kept whole as a custom field too (docs/tracking.md).
    expect(c.customFields).toEqual({ address: { city: "Berlin" } })
    expect((await latest(c.id, "ProfileEdited"))?.changes).toEqual([
      { field: "customFields.plan", before: "gold", after: null },
      { field: "personal.firstName", before: "Ann", after: "Anna" },
    ])
  })
})
