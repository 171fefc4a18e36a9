import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { appRouter } from "@actionlog/api"
import { remoteLane } from "@actionlog/testkit"
import { client, failure, signIn, startTestServer, type TestServer } from "./helpers"

// The success path of every procedure, as another team (API key) or staff (cookie) calls it.
// The last tests derive the procedures from the router: each must be called over HTTP by some
// test, and each one this file calls must have answered OK here.

let t: TestServer
let admin: ReturnType<typeof client>
let key: ReturnType<typeof client>

beforeAll(
  async () => {
    t = await startTestServer({ seed: true })
    admin = client(t.url, { cookie: t.cookies.admin })
    key = client(t.url, { apiKey: t.keys.admin })
  },
  // The demo seed over the network (remote lane) is thousands of round trips.
  remoteLane ? 300_000 : undefined,
)
afterAll(() => t.close())

describe("the demo seed", () => {
  it("loads dozens of customers with history and every built-in template, all valid", async () => {
    expect(t.server.seeded).toMatchObject({ email: "admin@example.com", rejected: 0 })
    expect(t.server.seeded!.customers).toBeGreaterThanOrEqual(24)
    expect(t.server.seeded!.actions).toBeGreaterThan(500)
    const builtIns = (await key.templates.list.query({})).filter((d) => d.builtIn)
    for (const d of builtIns) {
      const page = await key.actions.list.query({ filter: { templates: [d.systemName] }, limit: 1 })
      expect({ template: d.systemName, seen: page.items.length }).toEqual({
        template: d.systemName,
        seen: 1,
      })
    }
    const oldest = await key.actions.list.query({
      filter: { occurredTo: Date.now() - 60 * 24 * 3600_000 },
      limit: 1,
    })
    expect(oldest.items.length).toBe(1) // history over months
    expect((await key.brands.list.query()).length).toBeGreaterThanOrEqual(3)
  })
})

describe("every procedure's success path", () => {
  it("health", async () => {
    expect(await client(t.url, null).health.check.query()).toEqual({ ok: true })
  })

  it("actions: record, recordBatch, get, feed, list", async () => {
    const ingest = client(t.url, { apiKey: t.keys.ingest })
    const reader = client(t.url, { apiKey: t.keys.read })
    const email = "new.customer@example.com"
    const recorded = await ingest.actions.record.mutate({
      customer: { identifier: { kind: "email", value: email } },
      createCustomer: true,
      template: "ProductViewed",
      payload: {
        product: { productId: "sku-42", name: "Linen shirt", categoryId: "shirts", price: 39.9 },
      },
      transactionId: "tx-procedures-1",
    })
    expect(recorded.status).toBe("recorded")
    const again = await ingest.actions.record.mutate({
      customer: { identifier: { kind: "email", value: email } },
      template: "ProductViewed",
      payload: {
        product: { productId: "sku-42", name: "Linen shirt", categoryId: "shirts", price: 39.9 },
      },
      transactionId: "tx-procedures-1",
    })
    expect(again).toEqual({ status: "alreadyProcessed", id: recorded.id })

    const batch = await ingest.actions.recordBatch.mutate({
      items: [
        {
          customer: { identifier: { kind: "email", value: email } },
          template: "CustomerSignedIn",
          payload: { method: "password" },
          occurredAt: new Date(Date.now() - 3600_000).toISOString(),
        },
        { customer: { identifier: { kind: "email", value: email } }, template: "NoSuchTemplate" },
        { customer: { identifier: { kind: "email", value: email } }, template: 42 },
        {
          customer: { identifier: { kind: "email", value: email } },
          template: "ProductViewed",
          payload: {
            product: {
              productId: "sku-42",
              name: "Linen shirt",
              categoryId: "shirts",
              price: 39.9,
            },
          },
          transactionId: "tx-procedures-1",
        },
      ],
    })
    expect(batch.results.map((r) => r.status)).toEqual([
      "recorded",
      "rejected",
      "rejected",
      "alreadyProcessed",
    ])
    expect(batch.results[1]).toMatchObject({ tag: "UnknownTemplate", path: ["template"] })
    expect(batch.results[2]).toMatchObject({ tag: "InvalidPayload", path: ["template"] })
    expect(batch).toMatchObject({ recorded: 1, rejected: 2, alreadyProcessed: 1 })

    const detail = await reader.actions.get.query({ id: recorded.id })
    expect(detail.action).toMatchObject({ id: recorded.id, template: "ProductViewed" })
    expect(detail.action.recordedBy).toMatchObject({ kind: "apiKey" })
    expect(detail.channelPath.length).toBeGreaterThan(0)

    const feed = await reader.actions.feed.query({
      customer: { identifier: { kind: "email", value: email } },
      limit: 1,
    })
    expect(feed.items).toHaveLength(1)
    expect(feed.items[0]!.id).toBe(recorded.id) // newest event first
    const page2 = await reader.actions.feed.query({
      customer: { identifier: { kind: "email", value: email } },
      limit: 1,
      cursor: feed.nextCursor!,
    })
    expect(page2.items[0]!.template).toBe("CustomerSignedIn")

    const list = await reader.actions.list.query({
      filter: { templates: ["OrderPlaced"] },
      limit: 5,
    })
    expect(list.items.length).toBe(5)
    expect(list.items.every((a) => a.template === "OrderPlaced")).toBe(true)
  })

  it("customers: create, get, findByIdentifier, search, edit (staff = correction)", async () => {
    const created = await key.customers.create.mutate({
      identifiers: [{ kind: "email", value: "Zoe.Quinn@Example.com" }],
      personal: { firstName: "Zoe", lastName: "Quinn" },
    })
    expect(created.identifiers).toEqual([{ kind: "email", value: "zoe.quinn@example.com" }])
    expect(await key.customers.get.query({ id: created.id })).toMatchObject({ id: created.id })
    expect(
      await key.customers.findByIdentifier.query({ kind: "email", value: "zoe.quinn@example.com" }),
    ).toMatchObject({ id: created.id })
    const found = await key.customers.search.query({ query: "zoe" })
    expect(found.map((c) => c.id)).toContain(created.id)

    const corrected = await admin.customers.edit.mutate({
      id: created.id,
      changes: { personal: { firstName: "Zoë", lastName: "Quinn" } },
      reason: "Spelling",
    })
    expect(corrected.profile.personal.firstName).toBe("Zoë")
    const action = await key.actions.get.query({ id: corrected.actionId! })
    expect(action.action.template).toBe("ProfileCorrected")
    expect(action.action.recordedBy.kind).toBe("staff")

    const own = await client(t.url, { apiKey: t.keys.ingest }).customers.edit.mutate({
      id: created.id,
      changes: { personal: { firstName: "Zoe", lastName: "Quinn" } },
    })
    expect((await key.actions.get.query({ id: own.actionId! })).action.template).toBe(
      "ProfileEdited",
    )

    const audit = await admin.audit.list.query({ targetType: "customer", targetId: created.id })
    expect(audit.entries.map((e) => e.action)).toEqual([
      "customers.edit",
      "customers.edit",
      "customers.create",
    ])
    // Field names only: the values live in the (erasable) ProfileCorrected action.
    expect(audit.entries[1]!.changes).toEqual({
      fields: ["personal.firstName"],
      actionId: corrected.actionId,
      reason: "Spelling",
    })
    expect(JSON.stringify(audit.entries)).not.toContain("Zo")
  })

  it("templates: list (with every built-in), get, create, update", async () => {
    const all = await key.templates.list.query({})
    expect(all.filter((d) => d.builtIn).length).toBeGreaterThanOrEqual(28)
    const system = await key.templates.list.query({ category: "system" })
    expect(system.every((d) => d.category === "system")).toBe(true)
    expect((await key.templates.get.query({ systemName: "OrderPlaced" })).builtIn).toBe(true)
    const created = await admin.templates.create.mutate({
      displayName: "Gift card bought",
      category: "personal",
      customFields: [{ name: "amount", type: "decimal", required: true }],
    })
    expect(created.systemName).toBe("GiftCardBought")
    const updated = await admin.templates.update.mutate({
      systemName: "GiftCardBought",
      changes: {
        description: "Bought a gift card",
        customFields: [
          { name: "amount", type: "decimal", required: true },
          { name: "message", type: "string", required: false },
        ],
      },
    })
    expect(updated.customFields).toHaveLength(2)
    const audit = await admin.audit.list.query({
      targetType: "template",
      targetId: "GiftCardBought",
    })
    expect(audit.entries.map((e) => e.action)).toEqual(["templates.update", "templates.create"])
  })

  it("channels: tree, get, create, update, move", async () => {
    const tree = await key.channels.tree.query()
    expect(tree.roots.map((r) => r.name)).toContain("Offline")
    const offline = tree.roots.find((r) => r.name === "Offline")!
    expect(offline.children.map((c) => c.name)).toContain("Central region")
    const east = await admin.channels.create.mutate({
      externalId: "east",
      name: "East",
      parentId: offline.id,
    })
    const renamed = await admin.channels.update.mutate({ id: east.id, name: "Eastern region" })
    expect(renamed.name).toBe("Eastern region")
    const moved = await admin.channels.move.mutate({ id: east.id, parentId: null })
    expect(moved.parentId).toBeUndefined()
    const got = await key.channels.get.query({ id: east.id })
    expect(got.path.map((c) => c.id)).toEqual([east.id])
  })

  it("touchpoints: list, get, create, update, remove, restore", async () => {
    const tree = await key.channels.tree.query()
    const channel = tree.channels.find((c) => c.externalId === "moscow")!
    const tp = await admin.touchpoints.create.mutate({
      externalId: "store-lubyanka",
      name: "Store Lubyanka 3",
      kind: "store",
      channelId: channel.id,
      brandId: "northwind",
    })
    expect((await key.touchpoints.get.query({ id: tp.id })).name).toBe("Store Lubyanka 3")
    const updated = await admin.touchpoints.update.mutate({ id: tp.id, brandId: null })
    expect(updated.brandId).toBeUndefined()
    expect((await admin.touchpoints.remove.mutate({ id: tp.id })).deleted).toBe(true)
    expect((await key.touchpoints.list.query({})).map((x) => x.id)).not.toContain(tp.id)
    expect((await key.touchpoints.list.query({ includeDeleted: true })).map((x) => x.id)).toContain(
      tp.id,
    )
    expect((await admin.touchpoints.restore.mutate({ id: tp.id })).deleted).toBe(false)
  })

  it("brands and settings", async () => {
    expect((await key.brands.list.query()).map((b) => b.id)).toEqual(
      expect.arrayContaining(["northwind", "southwind"]),
    )
    const b = await admin.brands.create.mutate({ id: "eastwind", name: "Eastwind Kids" })
    expect((await key.brands.get.query({ id: b.id })).name).toBe("Eastwind Kids")
    expect((await admin.brands.update.mutate({ id: b.id, industry: "Kids" })).industry).toBe("Kids")
    // The audit entry of an update holds the value it replaced and the new one.
    const [entry] = (await admin.audit.list.query({ targetType: "brand", targetId: b.id })).entries
    expect(entry?.action).toBe("brands.update")
    expect(entry?.changes).toMatchObject({
      before: { id: "eastwind", industry: "" },
      after: { id: "eastwind", industry: "Kids" },
    })
    const before = await key.settings.get.query()
    expect(before.multiBrand).toBe(false)
    const after = await admin.settings.update.mutate({ multiBrand: true })
    expect(after.multiBrand).toBe(true)
    await admin.settings.update.mutate({ multiBrand: false })
    const audit = await admin.audit.list.query({ targetType: "settings" })
    expect(audit.entries[0]!.changes).toMatchObject({
      before: { multiBrand: true },
      after: { multiBrand: false },
    })
  })

  it("auth, apiKeys, staff, roles, audit (detailed in auth.test.ts)", async () => {
    const me = await admin.auth.me.query()
    expect(me.kind).toBe("staff")
    const signedIn = await client(t.url, null).auth.signIn.mutate({
      email: "admin@example.com",
      password: "actionlog-demo",
    })
    expect(signedIn).toMatchObject({ kind: "staff", role: "admin" })
    expect(await key.auth.signOut.mutate()).toEqual({ signedOut: false })
    const k = await key.apiKeys.create.mutate({ name: "tmp", scopes: ["read"] })
    expect((await key.apiKeys.list.query()).map((x) => x.id)).toContain(k.apiKey.id)
    expect((await key.apiKeys.revoke.mutate({ id: k.apiKey.id })).revokedAt).not.toBeNull()
    const s = await key.staff.create.mutate({
      email: "sam@example.com",
      name: "Sam",
      role: "support",
      password: "support-password",
    })
    expect(s.generatedPassword).toBeNull()
    expect((await key.staff.list.query()).length).toBeGreaterThanOrEqual(3)
    expect((await key.staff.updateRole.mutate({ id: s.staff.id, role: "manager" })).role).toBe(
      "manager",
    )
    expect((await key.staff.disable.mutate({ id: s.staff.id })).disabled).toBe(true)
    expect((await key.staff.enable.mutate({ id: s.staff.id })).disabled).toBe(false)
    const reset = await key.staff.resetPassword.mutate({ id: s.staff.id })
    expect(reset.generatedPassword.length).toBeGreaterThanOrEqual(16)
    const sam = await signIn(t.url, "sam@example.com", reset.generatedPassword)
    expect(
      await client(t.url, { cookie: sam }).auth.changePassword.mutate({
        currentPassword: reset.generatedPassword,
        newPassword: "sams-own-password",
      }),
    ).toEqual({ signedOut: true })
    expect((await key.roles.list.query()).length).toBeGreaterThanOrEqual(4)
    const role = await admin.roles.create.mutate({
      name: "auditor",
      description: "Reads the audit log",
      permissions: ["audit.view", "audit.view"],
    })
    expect(role).toMatchObject({ name: "auditor", permissions: ["audit.view"], builtIn: false })
    const dup = await admin.roles.create.mutate(role).catch((e: { data: unknown }) => e.data)
    expect(dup).toMatchObject({ httpStatus: 409, tag: "RoleAlreadyExists" })
    expect(
      await admin.roles.update.mutate({
        name: "auditor",
        description: "Reads the audit log and exports",
        permissions: ["audit.view", "export", "export"],
      }),
    ).toEqual({
      name: "auditor",
      description: "Reads the audit log and exports",
      permissions: ["audit.view", "export"],
      builtIn: false,
    })
    const builtIn = await failure(admin.roles.update.mutate({ name: "admin", permissions: [] }))
    expect(builtIn.data).toMatchObject({
      httpStatus: 400,
      tag: "BuiltInRoleReadOnly",
      fieldPath: ["name"],
    })
    const builtInRemove = await failure(key.roles.remove.mutate({ name: "support" }))
    expect(builtInRemove.data).toMatchObject({ httpStatus: 400, tag: "BuiltInRoleReadOnly" })
    const ghost = await failure(admin.roles.remove.mutate({ name: "ghost" }))
    expect(ghost.data).toMatchObject({ httpStatus: 404, tag: "UnknownRole", fieldPath: ["name"] })
    // A signed-in holder of the role gets a permission change on the next request.
    const ada = await key.staff.create.mutate({
      email: "ada@example.com",
      name: "Ada",
      role: "auditor",
      password: "auditor-password",
    })
    const adaClient = client(t.url, {
      cookie: await signIn(t.url, "ada@example.com", "auditor-password"),
    })
    expect((await adaClient.audit.list.query({ limit: 1 })).entries).toHaveLength(1)
    await admin.roles.update.mutate({ name: "auditor", permissions: ["export"] })
    expect((await failure(adaClient.audit.list.query({ limit: 1 }))).data).toMatchObject({
      httpStatus: 403,
      tag: "Forbidden",
    })
    const adaMe = await adaClient.auth.me.query()
    expect(adaMe.kind === "staff" ? adaMe.permissions : null).toEqual(["export"])
    const inUse = await failure(admin.roles.remove.mutate({ name: "auditor" }))
    expect(inUse.data).toMatchObject({ httpStatus: 409, tag: "RoleInUse" })
    expect(inUse.message).toContain("1 staff user still holds the role 'auditor'")
    await key.staff.updateRole.mutate({ id: ada.staff.id, role: "analyst" })
    expect(await admin.roles.remove.mutate({ name: "auditor" })).toMatchObject({
      name: "auditor",
      permissions: ["export"],
    })
    expect((await key.roles.list.query()).map((r) => r.name)).not.toContain("auditor")
    const roleAudit = await key.audit.list.query({ targetType: "role", targetId: "auditor" })
    expect(roleAudit.entries.map((e) => e.action)).toEqual([
      "roles.remove",
      "roles.update",
      "roles.update",
      "roles.create",
    ])
    expect(roleAudit.entries[0]!.changes).toMatchObject({
      before: { name: "auditor", permissions: ["export"] },
      after: null,
    })
    expect(roleAudit.entries[2]!.changes).toMatchObject({
      before: { description: "Reads the audit log", permissions: ["audit.view"] },
      after: { description: "Reads the audit log and exports" },
    })
    const audit = await key.audit.list.query({})
    expect(audit.entries.length).toBeGreaterThan(0)
  })

  it("promo pools and rewards: listPools, defineKind, kinds, list", async () => {
    await key.promoCodes.createPool.mutate({ id: "proc-pool", name: "Procedures pool" })
    expect((await key.promoCodes.listPools.query()).map((p) => p.id)).toContain("proc-pool")
    const kind = { name: "miles", displayName: "Miles", allowNegative: false }
    expect(await key.rewards.defineKind.mutate(kind)).toMatchObject(kind)
    expect(await key.rewards.kinds.query()).toContainEqual(expect.objectContaining(kind))
    const c = await key.customers.create.mutate({
      identifiers: [{ kind: "email", value: "rewarded@example.com" }],
    })
    await key.rewards.issue.mutate({ customer: { id: c.id }, reward: "welcome-gift", amount: 5 })
    expect(await key.rewards.list.query({ customer: { id: c.id } })).toMatchObject([
      { reward: "welcome-gift", amount: 5 },
    ])
  })
})

const repoRoot = join(import.meta.dirname, "..", "..", "..")
const procedures = Object.keys(appRouter["_def"].procedures).sort()

/** The router's procedures a test source calls: typed client calls and raw `/trpc/<path>`. */
const callsIn = (source: string): Set<string> => {
  const found = new Set<string>()
  const call =
    /\.([A-Za-z]+)\s*\.([A-Za-z]+)\s*\.(?:query|mutate|subscribe)\(|\/trpc\/([A-Za-z]+\.[A-Za-z]+)/g
  for (const m of source.matchAll(call)) found.add(m[3] ?? `${m[1]}.${m[2]}`)
  return new Set(procedures.filter((p) => found.has(p)))
}

const testFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name === "node_modules"
        ? []
        : testFiles(join(dir, e.name))
      : e.name.endsWith(".test.ts")
        ? [join(dir, e.name)]
        : [],
  )

describe("procedure coverage (derived from the router)", () => {
  it("every procedure is called over HTTP by some test", () => {
    const called = new Set<string>()
    for (const dir of [
      "apps/server/test",
      "packages/api/test",
      "packages/client/test",
      "examples",
    ]) {
      for (const file of testFiles(join(repoRoot, dir))) {
        const source = readFileSync(file, "utf8")
        // Only files that talk to a real server count.
        if (!/\b(startTestServer|startFixture|startServer)\(/.test(source)) continue
        for (const p of callsIn(source)) called.add(p)
      }
    }
    expect(procedures.length).toBeGreaterThan(50)
    expect(procedures.filter((p) => !called.has(p))).toEqual([])
  })

  it("every procedure this file calls answered OK over HTTP (run with the tests above)", async () => {
    const metrics = await (await fetch(`${t.url}/metrics`)).text()
    const ok = new Set(
      [
        ...metrics.matchAll(
          /^actionlog_procedure_calls_total\{procedure="([^"]+)",[^}]*outcome="OK"\}/gm,
        ),
      ].map((m) => m[1]!),
    )
    const mine = [...callsIn(readFileSync(import.meta.filename, "utf8"))]
    expect(mine.length).toBeGreaterThan(40)
    expect(mine.filter((p) => !ok.has(p))).toEqual([])
  })
})
