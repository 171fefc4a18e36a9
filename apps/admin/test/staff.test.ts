/**
 * End-to-end, as CRM staff use the app: names instead of ids on every list, the phone-sized
 * feed, keyboard paths and contrast, saved segments, the editors that replace raw JSON.
 * Real server (temp database file, demo data) and Debian's Chromium.
 */
import type { Page } from "playwright-core"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { demoAdmin } from "@actionlog/server/start"
import { type Harness, signInThroughUi, startHarness } from "./harness"

let h: Harness
let customerId = ""
let actionId = ""
const NAME = "Greta Lindqvist"

const idPattern = /\bc_[0-9a-z]{6,}/i

/** Requests the page made to a procedure (tRPC batches put several procedures in one path). */
const watchRequests = (page: Page, procedure: string) => {
  const urls: string[] = []
  page.on("request", (r) => {
    if (r.url().includes(procedure)) urls.push(r.url())
  })
  return urls
}

beforeAll(async () => {
  h = await startHarness()
  const c = await h.api.customers.create.mutate({
    identifiers: [{ kind: "email", value: "greta@example.com" }],
    personal: { firstName: "Greta", lastName: "Lindqvist" },
  })
  customerId = c.id
  const r = await h.api.actions.record.mutate({
    customer: { id: customerId },
    template: "NoteAdded",
    payload: { text: "Asked about the loyalty programme" },
  })
  actionId = r.id
  await signInThroughUi(h.page, demoAdmin.email, demoAdmin.password)
}, 120_000)

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail")
    await h?.screenshot(`FAILED-staff-${ctx.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}`)
})

afterAll(async () => {
  await h?.close()
})

describe("names, not ids", () => {
  it("shows customers by name on the Actions page, with one name lookup for the page", async () => {
    const { page } = h
    const lookups = watchRequests(page, "names.lookup")
    const pages = watchRequests(page, "actions.list")
    await page.goto("/actions")
    const first = page.getByTestId("action-row").first()
    await first.waitFor()
    await page.waitForFunction(
      (name) =>
        [...document.querySelectorAll("[data-testid=row-customer]")].some(
          (e) => e.textContent === name,
        ),
      NAME,
    )
    const shown = await page.getByTestId("row-customer").allTextContents()
    expect(shown.length).toBeGreaterThan(5)
    // Every customer of the demo has a name or an email: no row shows an id.
    for (const t of shown) expect(t).not.toMatch(idPattern)
    // The id is on hover.
    const greta = page.getByTestId("row-customer").filter({ hasText: NAME }).first()
    expect(await greta.getAttribute("title")).toBe(customerId)
    // One lookup per loaded page of actions (not one per row); a refetch of the same lookup
    // (same ids) is still that page's one lookup.
    expect(lookups.length).toBeGreaterThanOrEqual(1)
    expect(new Set(lookups).size).toBeLessThanOrEqual(pages.length)
    await page.setViewportSize({ width: 1440, height: 900 })
    await h.screenshot("staff-01-actions-desktop")
  })

  it("names the customer and who recorded it in the action detail", async () => {
    const { page } = h
    await page.goto(`/actions/${actionId}`)
    const customer = page.getByTestId("detail-customer")
    await customer.getByText(NAME).waitFor()
    expect(await customer.getByRole("button", { name: /Copy id/ }).count()).toBe(1)
    // Recorded through the API by the demo admin's session: a staff user, by name.
    await page.getByTestId("recorded-by").getByText("Staff user · Demo Admin").waitFor()
    expect(await page.getByTestId("recorded-by").textContent()).not.toMatch(/[0-9a-f]{8}-/)
    await h.screenshot("staff-02-action-detail")
  })

  it("names customers in the dashboard's recent activity and the audit log", async () => {
    const { page } = h
    await page.goto("/")
    const recent = page.getByTestId("recent-customer")
    await recent.filter({ hasText: NAME }).first().waitFor()
    for (const t of await recent.allTextContents()) expect(t).not.toMatch(idPattern)
    await page.goto("/audit")
    const target = page.getByTestId("audit-target").filter({ hasText: NAME }).first()
    await target.waitFor()
    // The Changes column is a readable list, not JSON.
    const changes = await page.getByTestId("audit-changes").first().textContent()
    expect(changes).not.toMatch(/^\{|"\w+":/)
    await h.screenshot("staff-03-audit")
  })
})

describe("phone-sized feed (390 × 844)", () => {
  it("collapses the navigation, puts filters in a drawer and keeps titles readable", async () => {
    const phone = await h.newPage()
    const p = phone.page
    try {
      await signInThroughUi(p, demoAdmin.email, demoAdmin.password)
      await p.setViewportSize({ width: 390, height: 844 })
      await p.goto(`/customers/${customerId}`)
      await p.getByTestId("action-row").first().waitFor()
      // Navigation: only the menu button shows until it is opened.
      expect(await p.getByRole("link", { name: "Templates" }).isVisible()).toBe(false)
      await p.getByRole("button", { name: "Menu" }).click()
      await p.getByRole("link", { name: "Templates" }).waitFor()
      await h.screenshot("staff-04-phone-menu", p)
      await p.getByRole("button", { name: "Close menu" }).click()
      // Filters: hidden behind a button, the feed starts on the first screen.
      expect(await p.getByTestId("filters").isVisible()).toBe(false)
      const top = await p.getByTestId("feed-list").evaluate((e) => e.getBoundingClientRect().top)
      expect(top).toBeLessThan(844 / 2)
      // Every visible title is shown whole (no ellipsis), on the Actions page too.
      for (const path of [`/customers/${customerId}`, "/actions"]) {
        await p.goto(path)
        await p.getByTestId("action-row").first().waitFor()
        const cut = await p.evaluate(() =>
          [...document.querySelectorAll<HTMLElement>(".action-title strong")]
            .filter((e) => e.getBoundingClientRect().bottom < window.innerHeight)
            .filter((e) => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
            .map((e) => e.textContent),
        )
        expect(cut).toEqual([])
        const widths = await p.evaluate(() =>
          [...document.querySelectorAll<HTMLElement>(".action-title strong")].map(
            (e) => e.getBoundingClientRect().width,
          ),
        )
        expect(Math.min(...widths)).toBeGreaterThan(40)
      }
      await h.screenshot("staff-05-phone-actions", p)
      await p.getByTestId("open-filters").click()
      await p.getByTestId("filters").waitFor()
      await h.screenshot("staff-06-phone-filters", p)
      await p.getByRole("button", { name: "Show actions" }).click()
      expect(await p.getByTestId("filters").isVisible()).toBe(false)
    } finally {
      await phone.context.close()
    }
  })
})

describe("keyboard", () => {
  it("skips to the feed with one key press and returns focus to the row after Esc", async () => {
    const { page } = h
    await page.goto(`/customers/${customerId}`)
    await page.getByTestId("action-row").first().waitFor()
    await page.keyboard.press("Tab")
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content")
    await page.keyboard.press("Enter")
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(
      "action-row",
    )
    const id = await page.evaluate(() => document.activeElement?.getAttribute("data-action-id"))
    await page.keyboard.press("Enter")
    await page.getByTestId("action-detail").waitFor()
    await page.keyboard.press("Escape")
    await page.getByTestId("action-detail").waitFor({ state: "detached" })
    await page.waitForFunction(
      (want) => document.activeElement?.getAttribute("data-action-id") === want,
      id,
    )
    // The date inputs carry visible from / until labels.
    const labels = await page.locator(".range-label > span").allTextContents()
    expect(labels.slice(0, 2)).toEqual(["from", "until"])
  })
})

describe("saved segments", () => {
  it("saves a segment, keeps it in the URL and over a reload, and lists who entered since", async () => {
    const { page, api } = h
    await page.goto("/segments")
    const editor = page.getByTestId("segment-editor")
    const cond = editor.getByTestId("segment-condition").first()
    await cond.getByLabel("Template").selectOption("NoteAdded")
    await cond.getByLabel("At least times").fill("1")
    await cond.getByLabel("Last days").fill("")
    // Reads as a sentence, not "at least 1 times".
    await cond.getByLabel("Has or has not").selectOption("not")
    expect(await page.getByTestId("segment-summary").textContent()).toContain(
      "Customers who have not done Note added at least once at any time",
    )
    await cond.getByLabel("Has or has not").selectOption("has")
    await editor.getByRole("button", { name: "Show customers" }).click()
    await page.waitForURL((u) => u.searchParams.getAll("c").includes("has.NoteAdded.1."))
    const results = page.getByTestId("segment-results")
    await results.getByRole("link", { name: NAME }).waitFor()
    const before = await page.getByTestId("segment-count").textContent()
    // The definition is in the URL: a reload shows the same result.
    await page.reload()
    await results.getByRole("link", { name: NAME }).waitFor()
    expect(await page.getByTestId("segment-count").textContent()).toBe(before)
    // Customers are names with their id on hover.
    expect(await results.getByRole("link", { name: NAME }).getAttribute("title")).toBe(customerId)

    await editor.getByRole("button", { name: "Save as…" }).click()
    const dialog = page.getByRole("dialog", { name: "Save segment" })
    await dialog.getByLabel("Segment name").fill("Note takers")
    await dialog.getByRole("button", { name: "Save" }).click()
    await page.waitForURL((u) => u.searchParams.get("saved") !== null)
    const savedId = new URL(page.url()).searchParams.get("saved")!
    await page.reload()
    await page.getByText("Segment “Note takers”").waitFor()
    await page.getByTestId("saved-segments").getByRole("link", { name: "Note takers" }).waitFor()

    // First evaluation remembers the members; a new member then shows as "entered".
    const evaluation = page.getByTestId("segment-evaluation")
    await evaluation.getByRole("button", { name: "Evaluate now" }).click()
    await evaluation.getByText("First evaluation").waitFor()
    const newcomer = await api.customers.create.mutate({
      identifiers: [{ kind: "email", value: "nils@example.com" }],
      personal: { firstName: "Nils", lastName: "Holm" },
    })
    await api.actions.record.mutate({
      customer: { id: newcomer.id },
      template: "NoteAdded",
      payload: { text: "Called about delivery" },
    })
    await evaluation.getByRole("button", { name: "Evaluate now" }).click()
    await page.getByTestId("evaluation-entered").getByText("1 entered").waitFor()
    await evaluation.getByRole("link", { name: "Nils Holm" }).waitFor()
    expect(await page.getByTestId("evaluation-left").textContent()).toContain("0 left")
    await page.setViewportSize({ width: 1440, height: 900 })
    await h.screenshot("staff-07-saved-segment")

    // Rename and delete, both audited.
    await editor.getByRole("button", { name: "Rename" }).click()
    const rename = page.getByRole("dialog", { name: "Rename segment" })
    await rename.getByLabel("Segment name").fill("Note writers")
    await rename.getByRole("button", { name: "Rename" }).click()
    await page.getByText("Segment “Note writers”").waitFor()
    await editor.getByRole("button", { name: "Delete" }).click()
    await page
      .getByRole("dialog", { name: "Delete segment" })
      .getByRole("button", { name: "Delete segment" })
      .click()
    await page.getByText("None yet").waitFor()
    const audit = await api.audit.list.query({ targetId: savedId, limit: 10 })
    expect(audit.entries.map((e) => e.action).sort()).toEqual([
      "segments.remove",
      "segments.save",
      "segments.update",
    ])
    await expect(api.segments.savedGet.query({ id: savedId })).rejects.toThrow(/No saved segment/)
  })

  it("lets only roles with segments.manage save segments", async () => {
    await h.api.staff.create.mutate({
      email: "support@example.com",
      name: "Sam Support",
      role: "support",
      password: "support-password-1",
    })
    const { signedInClient } = await import("./harness")
    const support = await signedInClient(h.url, "support@example.com", "support-password-1")
    const segment = { _tag: "HasActions" as const, templates: ["NoteAdded"] }
    await expect(support.segments.save.mutate({ name: "x", segment } as never)).rejects.toThrow(
      /segments\.manage/,
    )
    // Reading is "view actions".
    expect(Array.isArray(await support.segments.saved.query())).toBe(true)
    // A duplicate name is refused with its own error and changes nothing.
    await h.api.segments.save.mutate({ name: "Twice", segment } as never)
    await expect(h.api.segments.save.mutate({ name: "Twice", segment } as never)).rejects.toThrow(
      /already exists/,
    )
    expect((await h.api.segments.saved.query()).filter((s) => s.name === "Twice")).toHaveLength(1)
  })
})

describe("no raw JSON", () => {
  it("records an order through the lines editor and the promo-code list", async () => {
    const { page, api } = h
    await page.goto(`/customers/${customerId}/assign`)
    await page.getByLabel("What happened").selectOption("OrderPlaced")
    const form = page.locator("[data-field='order.lines']")
    await form.waitFor()
    expect(await page.locator("textarea[data-field^='order.']").count()).toBe(0)
    await page.locator("[data-field='order.orderId']").fill("ord-lines-1")
    await page.locator("[data-field='order.status']").selectOption("placed")
    await page.locator("[data-field='order.currency']").fill("EUR")
    await form.getByRole("button", { name: "Add line" }).click()
    await form.getByRole("button", { name: "Add line" }).click()
    for (const [i, [product, qty, price]] of [
      ["sku-sofa", "1", "199.9"],
      ["sku-lamp", "2", "21"],
    ].entries()) {
      const row = form.getByRole("group", { name: `Line ${i + 1}` })
      await row.locator(`[data-field='order.lines.${i}.lineId']`).fill(`l${i + 1}`)
      await row.locator(`[data-field='order.lines.${i}.productId']`).fill(product!)
      await row.locator(`[data-field='order.lines.${i}.quantity']`).fill(qty!)
      await row.locator(`[data-field='order.lines.${i}.unitPrice']`).fill(price!)
      await row
        .locator(`[data-field='order.lines.${i}.total']`)
        .fill(String(Number(qty) * Number(price)))
      await row.locator(`[data-field='order.lines.${i}.status']`).selectOption("placed")
    }
    for (const k of ["subtotal", "discount", "shipping", "tax", "total"])
      await page
        .locator(`[data-field='order.totals.${k}']`)
        .fill(k === "total" || k === "subtotal" ? "241.9" : "0")
    const codes = page.locator("[data-field='order.promoCodes']")
    await codes.getByRole("button", { name: "Add promo code" }).click()
    await codes.getByLabel("Promo Code 1", { exact: true }).fill("WELCOME10")
    await page.setViewportSize({ width: 1440, height: 900 })
    await h.screenshot("staff-08-order-lines")
    await page.getByTestId("record-action").click()
    await page.waitForURL((u) => u.pathname === `/customers/${customerId}`)
    const feed = await api.actions.feed.query({
      customer: { id: customerId as never },
      filter: { templates: ["OrderPlaced" as never] },
      limit: 1,
    })
    const order = (feed.items[0]!.payload as { order: Record<string, unknown> }).order
    expect(order["lines"]).toEqual([
      {
        lineId: "l1",
        productId: "sku-sofa",
        quantity: 1,
        unitPrice: 199.9,
        total: 199.9,
        status: "placed",
      },
      {
        lineId: "l2",
        productId: "sku-lamp",
        quantity: 2,
        unitPrice: 21,
        total: 42,
        status: "placed",
      },
    ])
    expect(order["promoCodes"]).toEqual(["WELCOME10"])
  })
})

describe("money and dates", () => {
  it("formats amounts in the order's currency and dates orders by event time", async () => {
    const { page, api } = h
    const placed = new Date(Date.UTC(2025, 2, 14, 10, 0, 0))
    await api.orders.create.mutate({
      orderId: "ord-backfilled-1",
      customer: { id: customerId },
      currency: "EUR",
      lines: [
        { productId: "sku-chair", quantity: 2, unitPrice: 29.5 },
        { productId: "sku-table", quantity: 1, unitPrice: 182.9 },
      ],
      occurredAt: placed.toISOString(),
    } as never)
    await page.goto(`/customers/${customerId}?tab=profile`)
    const row = page.getByRole("row", { name: /ord-backfilled-1/ })
    await row.waitFor()
    expect(await row.textContent()).toContain("€241.90")
    // The event date (March 2025), not today's recording date.
    expect(await row.getByTestId("order-placed").textContent()).toBe(
      await page.evaluate(
        (ms) =>
          new Intl.DateTimeFormat(undefined, {
            year: "numeric",
            month: "short",
            day: "numeric",
          }).format(ms),
        placed.getTime(),
      ),
    )
    await page.setViewportSize({ width: 1440, height: 900 })
    await h.screenshot("staff-09-profile-orders")
    // The action detail shows the order's amounts with the currency.
    const feed = await api.actions.feed.query({
      customer: { id: customerId as never },
      filter: { templates: ["OrderPlaced" as never] },
      limit: 5,
    })
    const action = feed.items.find(
      (a) => (a.payload as { order?: { orderId?: string } }).order?.orderId === "ord-backfilled-1",
    )!
    await page.goto(`/actions/${action.id}`)
    await page.getByTestId("action-detail").waitFor()
    const money = await page.locator("[data-money]").allTextContents()
    expect(money).toContain("€241.90")
    expect(money).toContain("€29.50")
    expect(money.some((m) => m === "241.9" || m === "59")).toBe(false)
  })
})

describe("template editor", () => {
  it("says what is wrong next to the field, in words, counting from 1, as you type", async () => {
    const { page } = h
    await page.goto("/templates/new")
    await page.getByLabel("Name", { exact: true }).fill("Showroom visit")
    await page.getByRole("button", { name: "Add field" }).click()
    await page.getByLabel("Field 1 name").fill("room")
    await page.getByRole("button", { name: "Add field" }).click()
    const second = page.getByTestId("custom-field").nth(1)
    await page.getByLabel("Field 2 name").fill("2nd room")
    // Checked while typing, before any submit, on the field it is about.
    await second.getByTestId("field-error").getByText("must start with a letter").waitFor()
    expect(await page.getByTestId("custom-field").first().getByTestId("field-error").count()).toBe(
      0,
    )
    await page.getByLabel("Field 2 name").fill("room")
    await second.getByText("Field 1 already has this name.").waitFor()
    // An enum keeps its description input next to its values.
    await page.getByLabel("Field 2 name").fill("interest")
    await page.getByLabel("Field 2 type").selectOption("enum")
    await page.getByLabel("Field 2 values").fill("")
    await page.getByLabel("Field 2 description").fill("What the customer came for")
    await second.getByText("List at least one value").waitFor()
    await page.setViewportSize({ width: 1440, height: 900 })
    await h.screenshot("staff-10-template-errors")
    // Submitting with a problem sends nothing; fixing it saves and says so.
    await page.getByRole("button", { name: "Create template" }).click()
    expect(new URL(page.url()).pathname).toBe("/templates/new")
    await page.getByLabel("Field 2 values").fill("sofas, kitchens")
    expect(await page.getByTestId("field-error").count()).toBe(0)
    await page.getByRole("button", { name: "Create template" }).click()
    await page.waitForURL((u) => u.pathname === "/templates/ShowroomVisit")
    await page.getByRole("status").getByText("Saved.").first().waitFor()
    const t = (await h.api.templates.get.query({ systemName: "ShowroomVisit" } as never)) as {
      customFields: ReadonlyArray<{ name: string; description?: string }>
    }
    expect(t.customFields.find((f) => f.name === "interest")?.description).toBe(
      "What the customer came for",
    )
  })
})

describe("template tags", () => {
  it("filters the Actions page by a template tag, in the URL", async () => {
    const { page } = h
    await page.goto("/actions")
    await page.getByLabel("Add tag filter").selectOption("orders")
    await page.waitForURL((u) => u.searchParams.getAll("tag").includes("orders"))
    await page.getByTestId("action-row").first().waitFor()
    const orderTemplates = (await h.api.templates.list.query(
      {} as never,
    )) as unknown as ReadonlyArray<{
      systemName: string
      tags: ReadonlyArray<string>
    }>
    const allowed = new Set(
      orderTemplates.filter((t) => t.tags.includes("orders")).map((t) => t.systemName),
    )
    expect(allowed.size).toBeGreaterThan(1)
    const shown = await page
      .getByTestId("action-row")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-template")))
    expect(shown.length).toBeGreaterThan(0)
    for (const t of shown) expect(allowed.has(t!)).toBe(true)
    // With the category too (system order actions).
    await page.getByRole("radio", { name: "System" }).click()
    await page.waitForURL((u) => u.searchParams.get("category") === "system")
    await page.getByTestId("action-row").first().waitFor()
  })
})

/**
 * WCAG contrast of every visible text node against the background it is drawn on (the first
 * opaque ancestor background, with translucent layers blended in). Returns the failures.
 */
const contrastFailures = (page: Page) =>
  page.evaluate(() => {
    // Serialised into the page by page.evaluate: every helper has to live in here.
    /* oxlint-disable unicorn/consistent-function-scoping */
    const parse = (c: string): [number, number, number, number] | undefined => {
      const m = /rgba?\(([^)]+)\)/.exec(c)
      if (!m) return undefined
      const p = m[1]!
        .split(/[ ,/]+/)
        .filter(Boolean)
        .map(Number)
      return [p[0]!, p[1]!, p[2]!, p[3] ?? 1]
    }
    const lum = ([r, g, b]: readonly number[]) => {
      const f = (v: number) => {
        const s = v / 255
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
      }
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!)
    }
    const blend = (top: number[], bottom: number[]) =>
      [0, 1, 2].map((i) => top[i]! * top[3]! + bottom[i]! * (1 - top[3]!))
    const background = (el: Element | null): number[] => {
      const layers: number[][] = []
      for (let e = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor)
        if (bg && bg[3] > 0) {
          layers.push(bg)
          if (bg[3] >= 1) break
        }
      }
      let color = [255, 255, 255]
      for (const l of layers.toReversed()) color = blend(l, color)
      return color
    }
    const failures: string[] = []
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent?.trim()
      const el = n.parentElement
      if (!text || !el) continue
      const style = getComputedStyle(el)
      const rect = el.getBoundingClientRect()
      if (rect.width === 0 || rect.height === 0 || style.visibility === "hidden") continue
      if (rect.bottom < 0 || rect.top > window.innerHeight) continue
      if (el.closest("[disabled], [aria-hidden=true], .sr-only, option, svg")) continue
      if (Number(style.opacity) === 0) continue
      const fg = parse(style.color)
      if (!fg) continue
      const bg = background(el)
      const color = blend(fg, bg)
      const [a, b] = [lum(color), lum(bg)].sort((x, y) => y - x)
      const ratio = (a! + 0.05) / (b! + 0.05)
      const size = Number.parseFloat(style.fontSize)
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700)
      if (ratio < (large ? 3 : 4.5))
        failures.push(
          `${ratio.toFixed(2)} "${text.slice(0, 40)}" (${style.color} on rgb(${bg.map(Math.round).join(",")}))`,
        )
    }
    return failures
  })

describe("contrast", () => {
  it("has text of at least 4.5:1 on the main screens, desktop and phone", async () => {
    const { page } = h
    const screens = [
      ["dashboard", "/", "recent-activity"],
      ["actions", "/actions", "action-row"],
      ["customer", `/customers/${customerId}`, "action-row"],
      ["customers", "/customers?q=Greta", "customer-results"],
      ["segments", "/segments", "segment-editor"],
      ["templates", "/templates", "templates-personal"],
      ["audit", "/audit", "audit-changes"],
    ] as const
    const all: string[] = []
    for (const [w, hgt, label] of [
      [1440, 900, "desktop"],
      [390, 844, "phone"],
    ] as const) {
      await page.setViewportSize({ width: w, height: hgt })
      for (const [name, path, testId] of screens) {
        await page.goto(path)
        await page.getByTestId(testId).first().waitFor()
        await page.waitForTimeout(150)
        await h.screenshot(`contrast-${label}-${name}`)
        for (const f of await contrastFailures(page)) all.push(`${label} ${name}: ${f}`)
      }
    }
    await page.setViewportSize({ width: 1360, height: 860 })
    expect(all).toEqual([])
  })
})

describe("smaller things", () => {
  it("starts the feed of a customer created in the app with CustomerRegistered", async () => {
    const { page } = h
    await page.goto("/customers")
    await page.getByRole("button", { name: "New customer" }).click()
    const dialog = page.getByRole("dialog", { name: "New customer" })
    await dialog.getByLabel("First name").fill("Walk")
    await dialog.getByLabel("Last name").fill("In")
    await dialog.getByLabel("Email").fill("walk.in@example.com")
    await dialog.getByRole("button", { name: /Create/ }).click()
    await page.getByTestId("customer-name").getByText("Walk In").waitFor()
    const first = page.getByTestId("action-row").first()
    await first.waitFor()
    expect(await first.getAttribute("data-template")).toBe("CustomerRegistered")
  })

  it("says who the dashboard's recent actions are about and ends a filtered list in words", async () => {
    const { page } = h
    await page.goto("/")
    expect(await page.getByText("open customer").count()).toBe(0)
    await page.goto(`/customers/${customerId}?template=NoteAdded`)
    await page.getByTestId("action-row").first().waitFor()
    await page.getByText("No older actions match these filters").waitFor()
    expect(await page.getByText("Start of history").count()).toBe(0)
  })
})

describe("demo data", () => {
  it("has recorded times like a real project's: mostly at event time, a few late, one import", async () => {
    const all: Array<{ occurredAt: number; recordedAt: number; recordedBy?: { kind: string } }> = []
    let cursor: string | undefined
    do {
      const page = await h.api.actions.list.query({
        filter: {},
        limit: 500,
        ...(cursor ? { cursor } : {}),
      } as never)
      all.push(...(page.items as unknown as typeof all))
      cursor = (page.nextCursor ?? undefined) as string | undefined
    } while (cursor)
    const lag = (a: (typeof all)[number]) => Number(a.recordedAt) - Number(a.occurredAt)
    const seeded = all.filter(
      (a) => a.recordedBy?.kind === "system" || a.recordedBy?.kind === "import",
    )
    expect(seeded.length).toBeGreaterThan(500)
    const onTime = seeded.filter((a) => lag(a) < 60_000).length / seeded.length
    expect(onTime).toBeGreaterThan(0.75)
    expect(
      seeded.filter((a) => lag(a) > 3_600_000 && a.recordedBy?.kind === "system").length,
    ).toBeGreaterThan(3)
    const imported = seeded.filter((a) => a.recordedBy?.kind === "import")
    expect(imported.length).toBeGreaterThan(0)
    // One import: all on the same day.
    expect(new Set(imported.map((a) => new Date(Number(a.recordedAt)).toDateString())).size).toBe(1)
    // The feed then shows "rec. …" on a few rows, not on every one.
    const { page } = h
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.goto("/actions")
    await page.getByTestId("action-row").first().waitFor()
    const rows = await page.getByTestId("action-row").count()
    const late = await page.locator(".action-row .recorded").count()
    expect(late).toBeLessThan(rows / 2)
    await h.screenshot("staff-11-actions-demo")
  })
})
