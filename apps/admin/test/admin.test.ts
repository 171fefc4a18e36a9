/**
 * End-to-end: the built admin app in Debian's Chromium against the real server (temp database
 * file). One browser and one server for the whole file; tests run in order and build on each
 * other (the customer and its 5,000 actions are arranged once, through the API).
 */
import type { Page } from "playwright-core"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { demoAdmin } from "@actionlog/server/start"
import { type Harness, signedInClient, signInThroughUi, startHarness } from "./harness"

const FEED_SIZE = 5000
const EMAIL = "feed.tester@example.com"

let h: Harness
let customerId = ""
let storeChannelId = ""
let offlineChannelId = ""
let storeTouchpointId = ""
/** Local calendar days the feed's actions fall on: the list has one header row per day. */
let feedDays = 0

const templateOf = (i: number) =>
  i % 10 === 0 ? "NoteAdded" : i % 3 === 0 ? "CustomerSignedIn" : "ProductViewed"
const payloadOf = (template: string, i: number) =>
  template === "NoteAdded"
    ? { text: `Note number ${i}` }
    : template === "CustomerSignedIn"
      ? { method: "password" }
      : { product: { productId: `sku-${i % 97}`, name: `Product ${i % 97}`, price: 10 + (i % 50) } }
const expectedNotes = Array.from({ length: FEED_SIZE }, (_, i) => templateOf(i)).filter(
  (t) => t === "NoteAdded",
).length
const expectedAtStore = Array.from({ length: FEED_SIZE }, (_, i) => i % 5 === 0).filter(
  Boolean,
).length

/** Scrolls a virtualised feed to its end, page by page, until the start of history shows. */
const scrollFeedToEnd = async (page: Page) => {
  const list = page.getByTestId("feed-list")
  const deadline = Date.now() + 45_000
  while (Date.now() < deadline) {
    await list.evaluate((el) => {
      el.scrollTop = el.scrollHeight
    })
    // The end of the list: "Start of history", or under filters the end of the matches.
    if (
      (await page.getByText(/^(Start of history|No older actions match these filters)$/).count()) >
      0
    )
      return
    await page.waitForTimeout(60)
  }
  throw new Error("the feed never reached its end")
}

const feedCount = async (page: Page) =>
  Number((await page.getByTestId("feed-count").textContent())?.replace(/[^\d]/g, "") ?? NaN)

/** A `datetime-local` input value (local time) for a date. */
const pad = (n: number) => String(n).padStart(2, "0")
const local = (d: Date) =>
  `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`

/** One record-input line of an NDJSON import file. */
const importLine = (i: number) =>
  JSON.stringify({
    customer: { identifier: { kind: "email", value: "imported@example.com" } },
    createCustomer: true,
    template: "NoteAdded",
    occurredAt: "2026-01-02T10:00:00Z",
    transactionId: `import-test-${i}`,
    payload: { text: `Imported note ${i}` },
  })

beforeAll(async () => {
  h = await startHarness()
  const { api } = h
  // The demo seed's registries: Online › Websites › northwind.example.com, and
  // Offline › Central region › Moscow › Store Tverskaya 12.
  const { channels } = await api.channels.tree.query()
  const byExternal = (id: string) => {
    const c = channels.find((x) => x.externalId === id)
    if (!c) throw new Error(`demo channel ${id} missing`)
    return c.id
  }
  offlineChannelId = byExternal("offline")
  storeChannelId = byExternal("moscow")
  const touchpoints = await api.touchpoints.list.query({})
  const tp = (id: string) => {
    const t = touchpoints.find((x) => x.externalId === id)
    if (!t) throw new Error(`demo touchpoint ${id} missing`)
    return t
  }
  const website = tp("northwind-web")
  const store = tp("store-tverskaya")
  storeTouchpointId = store.id
  if (store.channelId !== storeChannelId) throw new Error("demo store is not in Moscow")
  const customer = await api.customers.create.mutate({
    identifiers: [{ kind: "email", value: EMAIL }],
    personal: { firstName: "Feed", lastName: "Tester" },
  })
  customerId = customer.id
  // 5,000 actions over ~52 days, newest an hour ago, in batches of 1,000.
  const now = Date.now()
  const occurredAt = (i: number) => now - 3_600_000 - i * 15 * 60_000
  feedDays = new Set(
    Array.from({ length: FEED_SIZE }, (_, i) => new Date(occurredAt(i)).toDateString()),
  ).size
  for (let b = 0; b < FEED_SIZE / 1000; b++) {
    const items = Array.from({ length: 1000 }, (_, k) => {
      const i = b * 1000 + k
      const template = templateOf(i)
      return {
        customer: { id: customerId },
        template,
        occurredAt: new Date(occurredAt(i)).toISOString(),
        touchpoint: { id: i % 5 === 0 ? store.id : website.id },
        payload: payloadOf(template, i),
      }
    })
    const answer = await api.actions.recordBatch.mutate({ items })
    if (answer.recorded !== 1000) throw new Error(`recorded ${answer.recorded} of 1000`)
  }
}, 120_000)

afterEach(async (ctx) => {
  // A failing step leaves a picture of what the browser showed.
  if (ctx.task.result?.state === "fail")
    await h?.screenshot(`FAILED-${ctx.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}`)
})

afterAll(async () => {
  await h?.close()
})

describe("admin app in a real browser", () => {
  it("signs in as staff", async () => {
    const { page } = h
    await page.goto("/")
    await page.getByRole("heading", { name: "Sign in" }).waitFor()
    await h.screenshot("01-sign-in")
    // A wrong password is refused with the server's message, and nothing else shows.
    await page.getByLabel("Email").fill(demoAdmin.email)
    await page.getByLabel("Password").fill("wrong-password")
    await page.getByRole("button", { name: "Sign in" }).click()
    await page.getByRole("alert").waitFor()
    expect(await page.getByTestId("me-name").count()).toBe(0)
    await signInThroughUi(page, demoAdmin.email, demoAdmin.password)
    expect(await page.getByTestId("me-name").textContent()).toBe("Demo Admin")
    await page.getByTestId("recent-activity").waitFor()
    await page.getByTestId("activity-chart").locator("svg rect").first().waitFor()
    await h.screenshot("02-dashboard")
  })

  it("finds a customer by identifier and by name", async () => {
    const { page } = h
    await page.getByRole("link", { name: "Customers", exact: true }).click()
    const results = page.getByTestId("customer-results")
    const settled = () => results.locator("table[aria-busy=false]").waitFor()
    await page.getByLabel("Search customers").fill("feed.tester@")
    await results.getByText("Feed Tester").waitFor()
    await settled()
    // By name (prefix of the full name).
    await page.getByLabel("Search customers").fill("Feed Tes")
    await page.waitForURL((u) => u.searchParams.get("q") === "Feed Tes")
    await settled()
    await results.getByText(EMAIL).waitFor()
    await h.screenshot("03-customers")
    await results.getByText("Feed Tester").click()
    await page.getByTestId("customer-name").waitFor()
    expect(await page.getByTestId("customer-name").textContent()).toBe("Feed Tester")
    expect(new URL(page.url()).pathname).toBe(`/customers/${customerId}`)
  })

  it("scrolls a feed of 5,000 actions, rendering only a window of rows", async () => {
    const { page } = h
    await page.getByTestId("feed-list").waitFor()
    await h.screenshot("04-customer-feed")
    // Newest first: the first row is the newest action (i = 0 → a note).
    const first = page.getByTestId("action-row").first()
    expect(await first.getAttribute("data-template")).toBe("NoteAdded")
    await scrollFeedToEnd(page)
    expect(await feedCount(page)).toBe(FEED_SIZE)
    // Every action is loaded (the list's rows: one per action and one header per day),
    // however few rows are in the DOM.
    expect(await page.getByTestId("feed-list").getAttribute("data-count")).toBe(
      String(FEED_SIZE + feedDays),
    )
    // Windowed: thousands loaded, a few dozen rows in the DOM.
    expect(await page.getByTestId("action-row").count()).toBeLessThan(80)
    await h.screenshot("05-feed-end")
  })

  it("filters the feed by channel (with sub-channels) and by template, in the URL", async () => {
    const { page } = h
    await page.getByLabel("Add channel filter").selectOption(offlineChannelId)
    await page.waitForURL((u) => u.searchParams.get("channel") === offlineChannelId)
    await page.getByTestId("feed-list").waitFor()
    await scrollFeedToEnd(page)
    expect(await feedCount(page)).toBe(expectedAtStore)
    await h.screenshot("06-feed-filter-channel")

    // The same view from a fresh load of the URL (a shared link) shows the same filter.
    await page.reload()
    await page.getByTestId("feed-list").waitFor()
    await page.getByRole("button", { name: "Remove Offline" }).waitFor()

    await page.getByRole("button", { name: "Clear all" }).click()
    await page.getByLabel("Add template filter").selectOption("NoteAdded")
    await page.waitForURL((u) => u.searchParams.getAll("template").includes("NoteAdded"))
    await page.getByTestId("feed-list").waitFor()
    for (const t of await page
      .getByTestId("action-row")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-template"))))
      expect(t).toBe("NoteAdded")
    await scrollFeedToEnd(page)
    expect(await feedCount(page)).toBe(expectedNotes)
    void storeChannelId
  })

  it("opens an action's detail and follows “same actions” to the Actions page", async () => {
    const { page } = h
    await page.getByTestId("feed-list").evaluate((el) => {
      el.scrollTop = 0
    })
    // The virtual list re-renders its window on the next frame after a scroll: wait until the
    // rows in the DOM are the top of the feed, or the first row may be one about to unmount.
    await page.waitForFunction(() => {
      const first = document.querySelector('[data-testid="action-row"]')
      return Number(first?.closest("[data-index]")?.getAttribute("data-index")) <= 1
    })
    // Keyboard: focus the first row, move down with ↓, open with Enter, close with Esc.
    const rows = page.getByTestId("action-row")
    await rows.first().focus()
    const firstIndex = await rows
      .first()
      .evaluate((el) => Number(el.closest("[data-index]")?.getAttribute("data-index")))
    await page.keyboard.press("ArrowDown")
    await page.waitForFunction(
      (from) =>
        Number(document.activeElement?.closest("[data-index]")?.getAttribute("data-index")) > from,
      firstIndex,
    )
    await page.keyboard.press("Enter")
    await page.getByTestId("action-detail").waitFor()
    await page.keyboard.press("Escape")
    await page.getByTestId("action-detail").waitFor({ state: "detached" })

    await rows.first().click()
    const detail = page.getByTestId("action-detail")
    await detail.waitFor()
    expect(await page.getByTestId("action-detail-title").textContent()).toBe("Note added")
    expect(await page.getByTestId("channel-path").textContent()).toMatch(/Online|Offline/)
    await detail.getByText("Note number").first().waitFor()
    await h.screenshot("07-action-detail")
    await page.getByTestId("same-actions").click()
    await page.waitForURL((u) => u.pathname === "/actions")
    expect(new URL(page.url()).searchParams.getAll("template")).toEqual(["NoteAdded"])
    await page.getByTestId("feed-list").waitFor()
    const templates = await page
      .getByTestId("action-row")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-template")))
    expect(templates.length).toBeGreaterThan(0)
    expect(new Set(templates)).toEqual(new Set(["NoteAdded"]))
    await h.screenshot("08-actions-same")
  })

  it("creates a custom template with fields, assigns it, and sees it on top of the feed", async () => {
    const { page } = h
    await page.getByRole("link", { name: "Templates" }).click()
    await page.getByTestId("templates-personal").waitFor()
    await h.screenshot("09-templates")
    await page.getByRole("link", { name: "New template" }).click()
    await page.getByLabel("Name", { exact: true }).fill("Visited showroom")
    await page.getByLabel("Description").fill("The customer came to a showroom for a consultation.")
    await page.getByLabel("Tags").fill("offline, showroom")
    await page.getByRole("button", { name: "Add field" }).click()
    await page.getByLabel("Field 1 name").fill("showroom")
    await page.getByLabel("Field 1 required").check()
    await page.getByRole("button", { name: "Add field" }).click()
    await page.getByLabel("Field 2 name").fill("minutes")
    await page.getByLabel("Field 2 type").selectOption("integer")
    await page.getByRole("button", { name: "Add field" }).click()
    await page.getByLabel("Field 3 name").fill("interest")
    await page.getByLabel("Field 3 type").selectOption("enum")
    await page.getByLabel("Field 3 values").fill("sofas, kitchens")
    await h.screenshot("10-template-new")
    await page.getByRole("button", { name: "Create template" }).click()
    await page.waitForURL((u) => u.pathname === "/templates/VisitedShowroom")
    await page.getByRole("status").getByText("Saved.").first().waitFor()

    // Assign it to the customer.
    await page.goto(`/customers/${customerId}/assign`)
    await page.getByLabel("What happened").selectOption("VisitedShowroom")
    const fields = page.getByTestId("assign-custom-fields")
    await fields.getByLabel(/Showroom/).fill("Riverside")
    await fields.getByLabel(/Minutes/).fill("45")
    await fields.getByLabel(/Interest/).selectOption("kitchens")
    await h.screenshot("12-assign")
    await page.getByTestId("record-action").click()
    await page.waitForURL((u) => u.pathname === `/customers/${customerId}`)
    const top = page.getByTestId("action-row").first()
    await top.waitFor()
    expect(await top.getAttribute("data-template")).toBe("VisitedShowroom")
    await h.screenshot("13-feed-after-assign")

    // Now the template is in use: the evolution rule refuses a field's type change, and says why.
    await page.goto("/templates/VisitedShowroom")
    await page.getByLabel("Field 2 type").selectOption("string")
    await page.getByRole("button", { name: "Save changes" }).click()
    const refusal = page.getByTestId("template-error")
    await refusal.waitFor()
    expect(await refusal.textContent()).toMatch(/minutes/)
    await h.screenshot("11-template-refused")
    // Gaining an optional field is allowed.
    await page.getByLabel("Field 2 type").selectOption("integer")
    await page.getByRole("button", { name: "Add field" }).click()
    await page.getByLabel("Field 4 name").fill("advisor")
    await page.getByRole("button", { name: "Save changes" }).click()
    await page.getByText("Saved.").first().waitFor()
  })

  it("records a staff correction of the profile and shows it in the feed without a reload", async () => {
    const { page } = h
    await page.goto(`/customers/${customerId}`)
    await page.getByRole("tab", { name: "Profile" }).click()
    await page.getByTestId("personal-data").waitFor()
    // Tags and notes are their own actions (TagAdded, NoteAdded).
    await page.getByLabel("New tag").fill("vip")
    await page.getByTestId("tags").getByRole("button", { name: "Add" }).click()
    await page.getByRole("button", { name: "Remove tag vip" }).waitFor()
    await page.getByLabel("New note").fill("Prefers calls after 6 pm.")
    await page.getByRole("button", { name: "Add note" }).click()
    await page.getByTestId("notes").getByText("Prefers calls after 6 pm.").waitFor()
    await page.getByTestId("personal-data").getByRole("button", { name: "Edit" }).click()
    await page.getByLabel("City").fill("Lisbon")
    await page.getByLabel("Reason for the correction").fill("Customer moved")
    await page.getByRole("button", { name: "Save correction" }).click()
    await page.getByTestId("personal-data").getByText("Lisbon").waitFor()
    await h.screenshot("14-profile")
    await page.getByRole("tab", { name: "Activity" }).click()
    const top = page.getByTestId("action-row").first()
    await top.waitFor()
    await page.waitForFunction(
      () =>
        document.querySelector("[data-testid=action-row]")?.getAttribute("data-template") ===
        "ProfileCorrected",
    )
    const latest = await page
      .getByTestId("action-row")
      .evaluateAll((rows) => rows.slice(0, 3).map((r) => r.getAttribute("data-template")))
    expect(latest).toEqual(["ProfileCorrected", "NoteAdded", "TagAdded"])

    // Staff work is credited to the admin panel touchpoint, not the project's website.
    const { api } = h
    const adminPanel = (await api.touchpoints.list.query({})).find(
      (t) => t.externalId === "admin-panel",
    )!
    const recent = await api.actions.feed.query({ customer: { id: customerId }, limit: 3 })
    expect(recent.items.map((a) => [a.template, a.touchpointId])).toEqual([
      ["ProfileCorrected", adminPanel.id],
      ["NoteAdded", adminPanel.id],
      ["TagAdded", adminPanel.id],
    ])
    expect(recent.items[0]!.payload).toEqual({
      changes: [{ field: "personal.city", before: null, after: "Lisbon" }],
      reason: "Customer moved",
    })

    // Emptying a field clears it; the other fields stay.
    await page.getByRole("tab", { name: "Profile" }).click()
    await page.getByTestId("personal-data").getByRole("button", { name: "Edit" }).click()
    await page.getByLabel("City").fill("")
    await page.getByRole("button", { name: "Save correction" }).click()
    await page.getByTestId("personal-data").getByText("Lisbon").waitFor({ state: "detached" })
    const profile = await api.customers.get.query({ id: customerId as never })
    expect(profile.personal).toEqual({ firstName: "Feed", lastName: "Tester" })
    const cleared = await api.actions.feed.query({ customer: { id: customerId }, limit: 1 })
    expect(cleared.items[0]!.payload).toEqual({
      changes: [{ field: "personal.city", before: "Lisbon", after: null }],
    })
    // Back on the feed, where the next step continues.
    await page.getByRole("tab", { name: "Activity" }).click()
  })

  it("shows an action recorded elsewhere at once, over the live subscription", async () => {
    const { page, api } = h
    await page.getByTestId("live").waitFor()
    const before = await page.getByTestId("action-row").count()
    expect(before).toBeGreaterThan(0)
    await api.actions.record.mutate({
      customer: { id: customerId },
      template: "CustomerSignedIn",
      payload: { method: "sso" },
    })
    await page.waitForFunction(
      () =>
        document.querySelector("[data-testid=action-row]")?.getAttribute("data-template") ===
        "CustomerSignedIn",
    )
    expect(await page.getByTestId("action-row").first().textContent()).toContain("Method: sso")
  })

  it("hides the feed from a role without “view actions”", async () => {
    const { page } = h
    // An admin makes the role and the user in the app.
    await page.getByRole("link", { name: "Roles" }).click()
    await page.getByRole("button", { name: "New role" }).click()
    await page.getByLabel("Name").fill("profiles-only")
    await page.getByLabel("Description").fill("Edits profiles, sees no actions.")
    await page.getByLabel(/actions\.view/).uncheck()
    await page.getByLabel(/customers\.edit/).check()
    await page.getByRole("button", { name: "Create role" }).click()
    await page.getByRole("heading", { name: /profiles-only/ }).waitFor()
    await h.screenshot("15-roles")
    await page.getByRole("link", { name: "Staff" }).click()
    await page.getByRole("button", { name: "Add staff user" }).click()
    await page.getByLabel("Name").fill("Profile Clerk")
    await page.getByLabel("Email").fill("clerk@example.com")
    await page.getByLabel("Role", { exact: true }).selectOption("profiles-only")
    await page.getByLabel("Password").fill("clerk-password-1")
    await page.getByRole("button", { name: "Add", exact: true }).click()
    await page.getByRole("button", { name: "Done" }).click()
    await page.getByRole("cell", { name: "clerk@example.com" }).waitFor()

    // The API itself refuses the feed to that user…
    const clerkApi = await signedInClient(h.url, "clerk@example.com", "clerk-password-1")
    await expect(
      clerkApi.actions.feed.query({ customer: { id: customerId }, limit: 1 }),
    ).rejects.toThrow(/actions\.view/)
    await expect(clerkApi.customers.get.query({ id: customerId as never })).rejects.toThrow(
      /actions\.view/,
    )
    // …and the app shows neither the feed nor the Actions page.
    const clerk = await h.newPage()
    try {
      const p = clerk.page
      await signInThroughUi(p, "clerk@example.com", "clerk-password-1")
      expect(await p.getByRole("link", { name: "Actions" }).count()).toBe(0)
      // Nor the data screens that need view actions, add actions, export or erase.
      for (const name of ["Segments", "Import", "Export"])
        expect(await p.getByRole("link", { name, exact: true }).count()).toBe(0)
      await p.goto(`/customers/${customerId}`)
      // Reading a customer needs "view actions" too, so the page says so instead of a profile.
      await p.getByText("Not available for your role").waitFor()
      expect(await p.getByTestId("customer-name").count()).toBe(0)
      expect(await p.getByTestId("feed").count()).toBe(0)
      expect(await p.getByTestId("action-row").count()).toBe(0)
      expect(await p.getByTestId("erase-customer").count()).toBe(0)
      expect(await p.getByTestId("download-customer").count()).toBe(0)
      await h.screenshot("16-no-feed-role", p)
      await p.goto("/actions")
      await p.getByText("Not available for your role").waitFor()
      await p.goto("/export")
      await p.getByText("Not available for your role").waitFor()
    } finally {
      await clerk.context.close()
    }
  })

  it("edits a project role (at once for its holders) and deletes roles nobody holds", async () => {
    const { page } = h
    await page.getByRole("link", { name: "Roles" }).click()
    const card = page.getByTestId("role-profiles-only")
    await card.waitFor()
    // Built-in roles offer neither edit nor delete.
    await page.getByTestId("role-admin").waitFor()
    expect(await page.getByTestId("role-admin").getByRole("button").count()).toBe(0)
    expect(await page.getByRole("button", { name: "Edit role manager" }).count()).toBe(0)

    const clerkApi = await signedInClient(h.url, "clerk@example.com", "clerk-password-1")
    await expect(clerkApi.audit.list.query({ limit: 1 })).rejects.toThrow(/audit\.view/)
    await page.getByRole("button", { name: "Edit role profiles-only" }).click()
    const edit = page.getByRole("dialog", { name: "Edit role profiles-only" })
    expect(await edit.getByLabel("Name").inputValue()).toBe("profiles-only")
    expect(await edit.getByLabel(/customers\.edit/).isChecked()).toBe(true)
    await edit.getByLabel("Description").fill("Edits profiles and reads the audit log.")
    await edit.getByLabel(/audit\.view/).check()
    await h.screenshot("15b-role-edit")
    await edit.getByRole("button", { name: "Save changes" }).click()
    await card.getByText("Edits profiles and reads the audit log.").waitFor()
    await card.getByText("audit.view").waitFor()
    // The clerk, still signed in, has the new permission on the next request.
    expect((await clerkApi.audit.list.query({ limit: 1 })).entries).toHaveLength(1)

    // The clerk holds the role: deleting it is refused with the reason.
    await page.getByRole("button", { name: "Delete role profiles-only" }).click()
    const confirm = page.getByRole("dialog", { name: "Delete role" })
    await confirm.getByText("Delete the role").waitFor()
    await confirm.getByRole("button", { name: "Delete role", exact: true }).click()
    await confirm.getByRole("alert").getByText("1 staff user still holds the role").waitFor()
    await confirm.getByText("RoleInUse").waitFor()
    await h.screenshot("15c-role-in-use")
    await confirm.getByRole("button", { name: "Cancel" }).click()
    await card.waitFor()

    // A role nobody holds goes after the confirmation.
    await h.api.roles.create.mutate({ name: "short-lived", description: "", permissions: [] })
    await page.reload()
    await page.getByTestId("role-short-lived").waitFor()
    await page.getByRole("button", { name: "Delete role short-lived" }).click()
    await page
      .getByRole("dialog", { name: "Delete role" })
      .getByRole("button", { name: "Delete role", exact: true })
      .click()
    await page.getByTestId("role-short-lived").waitFor({ state: "detached" })
    expect((await h.api.roles.list.query()).map((r) => r.name)).not.toContain("short-lived")
    expect(await card.count()).toBe(1)
  })

  it("shows the configuration and administration screens", async () => {
    const { page } = h
    await page.getByRole("link", { name: "Touchpoints" }).click()
    await page.getByTestId("channel-tree").getByText("Moscow").waitFor()
    await h.screenshot("17-touchpoints")

    // A new top-level channel, then moved under Offline.
    const tree = page.getByTestId("channel-tree")
    await page.getByRole("button", { name: "New channel" }).click()
    await page.getByLabel("Name").fill("Pop-up stores")
    await page.getByLabel("External id").fill("popup")
    await page.getByRole("button", { name: "Save" }).click()
    await tree.getByText("Pop-up stores").click()
    await page.getByRole("button", { name: "Edit / move" }).click()
    const parent = page.getByLabel("Parent")
    const offlineValue = await parent
      .locator("option", { hasText: "Offline" })
      .first()
      .getAttribute("value")
    await parent.selectOption(offlineValue!)
    await page.getByRole("button", { name: "Save" }).click()
    await page.getByText("Offline › Pop-up stores").waitFor()

    // Deleting a touchpoint keeps it on past actions.
    await page.getByRole("button", { name: "All channels" }).click()
    await page
      .getByTestId("touchpoints")
      .getByRole("row", { name: /Store Tverskaya 12/ })
      .getByRole("button", { name: "Edit" })
      .click()
    page.once("dialog", (d) => void d.accept())
    await page.getByRole("button", { name: "Delete" }).click()
    await page
      .getByTestId("touchpoints")
      .getByRole("row", { name: /Store Tverskaya 12/ })
      .getByText("deleted")
      .waitFor()
    await page.goto(`/customers/${customerId}?touchpoint=${storeTouchpointId}`)
    await page.getByTestId("action-row").first().getByText("Store Tverskaya 12 (deleted)").waitFor()
    await page.getByRole("link", { name: "Brands & settings" }).click()
    await page.getByTestId("settings").waitFor()
    await h.screenshot("18-brands")
    await page.getByRole("link", { name: "Staff" }).click()
    await page.getByRole("cell", { name: "clerk@example.com" }).waitFor()
    await h.screenshot("19-staff")
    await page.getByRole("link", { name: "API keys" }).click()
    await page.getByRole("button", { name: "Create key" }).click()
    await page.getByLabel("Name").fill("checkout-service")
    await page.getByRole("button", { name: "Create", exact: true }).click()
    expect((await page.getByTestId("new-api-key").textContent())?.length).toBeGreaterThan(20)
    await page.getByRole("button", { name: "Done" }).click()
    await page.getByRole("cell", { name: "checkout-service" }).waitFor()
    await h.screenshot("20-api-keys")
    await page.getByRole("link", { name: "Audit log" }).click()
    await page.getByText("apiKeys.create").first().waitFor()
    await h.screenshot("21-audit")
  })

  it("downloads a customer's data and exports actions of a chosen window as NDJSON", async () => {
    const { page } = h
    await page.goto(`/customers/${customerId}?tab=profile`)
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("download-customer").click(),
    ])
    expect(download.suggestedFilename()).toBe(`customer-${customerId}.json`)
    const file = await download.path()
    const { readFile } = await import("node:fs/promises")
    const data = JSON.parse(await readFile(file, "utf8")) as {
      profile: { id: string }
      actions: ReadonlyArray<{ template: string }>
    }
    expect(data.profile.id).toBe(customerId)
    expect(data.actions.length).toBeGreaterThanOrEqual(FEED_SIZE)

    await page.getByRole("link", { name: "Export", exact: true }).click()
    const form = page.getByTestId("export-form")
    const sinceLocal = local(new Date(Date.now() - 86_400_000))
    const tillLocal = local(new Date(Date.now() + 3_600_000))
    await form.getByLabel("Recorded since").fill(sinceLocal)
    await form.getByLabel("Recorded till").fill(tillLocal)
    await form.getByLabel("Template").selectOption("NoteAdded")
    await h.screenshot("22-export")
    const href = await page.getByTestId("export-link").getAttribute("href")
    const url = new URL(href ?? "", "http://x")
    expect(url.pathname).toBe("/api/export/actions")
    const toIso = (v: string) => page.evaluate((x) => new Date(x).toISOString(), v)
    expect(url.searchParams.get("since")).toBe(await toIso(sinceLocal))
    expect(url.searchParams.get("till")).toBe(await toIso(tillLocal))
    expect(url.searchParams.get("template")).toBe("NoteAdded")
    // The session cookie authenticates the same-origin request.
    const res = await page.evaluate(async (u) => {
      const r = await fetch(u)
      return { status: r.status, type: r.headers.get("content-type"), text: await r.text() }
    }, href ?? "")
    expect(res.status).toBe(200)
    expect(res.type).toContain("application/x-ndjson")
    const lines = res.text.split("\n").filter((l) => l.trim() !== "")
    expect(lines.length).toBeGreaterThanOrEqual(expectedNotes)
    for (const l of lines)
      expect((JSON.parse(l) as { template: string }).template).toBe("NoteAdded")
  })

  it("imports an uploaded NDJSON file and lists its rejected line", async () => {
    const { page } = h
    const body =
      [importLine(1), JSON.stringify({ template: "NoteAdded" }), importLine(3)].join("\n") + "\n"
    await page.getByRole("link", { name: "Import", exact: true }).click()
    await page.getByLabel("File (.ndjson or .csv)").setInputFiles({
      name: "notes.ndjson",
      mimeType: "application/x-ndjson",
      buffer: Buffer.from(body),
    })
    await page.getByRole("button", { name: "Import", exact: true }).click()
    await page.getByTestId("import-result").waitFor()
    expect(await page.getByTestId("import-lines").textContent()).toBe("3")
    expect(await page.getByTestId("import-recorded").textContent()).toBe("2")
    expect(await page.getByTestId("import-rejected").textContent()).toBe("1")
    const rows = page.getByTestId("import-rejected-lines").locator("tbody tr")
    expect(await rows.count()).toBe(1)
    expect(await rows.first().locator("td").first().textContent()).toBe("2")
    await h.screenshot("23-import")
    // The screen's own URL, reloaded or shared, renders the app (the upload lives at /api/import).
    expect(new URL(page.url()).pathname).toBe("/import")
    await page.reload()
    await page.getByLabel("File (.ndjson or .csv)").waitFor()
  })

  it("evaluates a segment built in the editor and links to its customers", async () => {
    const { page } = h
    await page.getByRole("link", { name: "Segments", exact: true }).click()
    const editor = page.getByTestId("segment-editor")
    // Only the feed tester has 500 notes in the last 60 days.
    const first = editor.getByTestId("segment-condition").first()
    await first.getByLabel("Template").selectOption("NoteAdded")
    await first.getByLabel("At least times").fill(String(expectedNotes))
    await first.getByLabel("Last days").fill("60")
    await editor.getByRole("button", { name: "Show customers" }).click()
    await page.getByTestId("segment-count").getByText("1 customer").waitFor()
    const results = page.getByTestId("segment-results")
    expect(await results.locator("tbody tr").count()).toBe(1)
    // OR with "has not done NoteAdded" adds every other customer.
    await editor.getByRole("button", { name: "Add condition" }).click()
    const second = editor.getByTestId("segment-condition").nth(1)
    await second.getByLabel("Has or has not").selectOption("not")
    await second.getByLabel("Template").selectOption("NoteAdded")
    await editor.getByLabel("Combine with").selectOption("Or")
    await editor.getByRole("button", { name: "Show customers" }).click()
    await page.waitForFunction(
      () =>
        Number.parseInt(document.querySelector("[data-testid=segment-count]")?.textContent ?? "") >
        1,
    )
    await h.screenshot("24-segments")
    await results.getByRole("link", { name: "Feed Tester" }).click()
    await page.getByTestId("customer-name").waitFor()
    expect(new URL(page.url()).pathname).toBe(`/customers/${customerId}`)
  })

  it("erases a customer after typing their email, and search no longer finds them", async () => {
    const { page, api } = h
    const email = "to.be.erased@example.com"
    const doomed = await api.customers.create.mutate({
      identifiers: [{ kind: "email", value: email }],
      personal: { firstName: "Erin", lastName: "Erasable" },
    })
    await page.goto(`/customers/${doomed.id}?tab=profile`)
    await page.getByTestId("erase-customer").click()
    const dialog = page.getByRole("dialog", { name: "Erase customer" })
    await dialog.getByText("cannot be undone").waitFor()
    const confirm = dialog.getByRole("button", { name: "Erase for ever" })
    // A wrong confirmation keeps the button disabled.
    await dialog.getByLabel(/to confirm/).fill("someone.else@example.com")
    expect(await confirm.isDisabled()).toBe(true)
    await dialog.getByLabel(/to confirm/).fill(email)
    await h.screenshot("25-erase-dialog")
    await confirm.click()
    await page.getByTestId("erased-notice").waitFor()
    expect(new URL(page.url()).pathname).toBe("/customers")
    await page.getByLabel("Search customers").fill("to.be.erased@")
    await page.waitForURL((u) => u.searchParams.get("q") === "to.be.erased@")
    await page.getByText("No customers found").waitFor()
    expect(await page.getByText(email).count()).toBe(0)
    expect(await page.getByText("Erin Erasable").count()).toBe(0)
    await h.screenshot("26-erased")
  })
})
