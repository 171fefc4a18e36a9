// What staff do in the admin app is recorded at the admin panel touchpoint (kind adminPanel),
// not at the project's default touchpoint (the demo's website), unless they name another.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { client, startTestServer, type TestServer } from "./helpers"

let t: TestServer
let ids: { admin: string; service: string; website: string; web: string; online: string }

beforeAll(async () => {
  t = await startTestServer({ seed: true })
  const reader = client(t.url, { apiKey: t.keys.read })
  const touchpoints = await reader.touchpoints.list.query({})
  const { channels } = await reader.channels.tree.query()
  const tp = (externalId: string) => touchpoints.find((x) => x.externalId === externalId)!
  const ch = (externalId: string) => channels.find((x) => x.externalId === externalId)!.id
  ids = {
    admin: tp("admin-panel").id,
    service: tp("admin-panel").channelId,
    website: tp("northwind-web").id,
    web: ch("web"),
    online: ch("online"),
  }
})
afterAll(() => t.close())

const staff = () => client(t.url, { cookie: t.cookies.admin })
const key = () => client(t.url, { apiKey: t.keys.readIngest })

describe("staff actions land on the admin panel touchpoint", () => {
  it("a note, a tag and a profile correction by staff; the website filter leaves them out", async () => {
    const c = await key().customers.create.mutate({
      identifiers: [{ kind: "email", value: "staff-tp@example.com" }],
      personal: { firstName: "Ann" },
    })
    const customer = { id: c.id }
    await staff().notes.add.mutate({ customer, text: "Called about the order" })
    await staff().tags.add.mutate({ customer, tag: "vip" })
    await staff().customers.edit.mutate({ id: c.id, changes: { personal: { city: "Oslo" } } })
    // The same done through an API key goes to the project default, as before.
    await key().notes.add.mutate({ customer, text: "From the shop backend" })

    const feed = await key().actions.feed.query({ customer })
    const at = (template: string) =>
      feed.items
        .filter((a) => a.template === template)
        .map((a) => [a.recordedBy.kind, a.touchpointId, a.channelId])
    expect(at("NoteAdded")).toEqual([
      ["apiKey", ids.website, ids.web],
      ["staff", ids.admin, ids.service],
    ])
    expect(at("TagAdded")).toEqual([["staff", ids.admin, ids.service]])
    expect(at("ProfileCorrected")).toEqual([["staff", ids.admin, ids.service]])

    for (const channel of [ids.web, ids.online]) {
      const websites = await key().actions.feed.query({ customer, filter: { channels: [channel] } })
      expect(websites.items.map((a) => [a.template, a.recordedBy.kind])).toEqual([
        ["NoteAdded", "apiKey"],
      ])
    }
    const service = await key().actions.feed.query({
      customer,
      filter: { channels: [ids.service] },
    })
    expect(service.items.map((a) => a.template).sort()).toEqual([
      "NoteAdded",
      "ProfileCorrected",
      "TagAdded",
    ])
  })

  it("staff who name a touchpoint get that one", async () => {
    const c = await key().customers.create.mutate({
      identifiers: [{ kind: "email", value: "staff-tp2@example.com" }],
    })
    await staff().notes.add.mutate({
      customer: { id: c.id },
      text: "Seen in the web chat",
      touchpoint: { id: ids.website as never },
    })
    const feed = await key().actions.feed.query({ customer: { id: c.id } })
    expect(feed.items.map((a) => a.touchpointId)).toEqual([ids.website])
  })
})
