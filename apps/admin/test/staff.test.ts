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

/** Requests the page made to `names.lookup` (tRPC batches put several procedures in one path). */
const watchLookups = (page: Page) => {
  const urls: string[] = []
  page.on("request", (r) => {
    if (r.url().includes("names.lookup")) urls.push(r.url())
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
    const lookups = watchLookups(page)
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
    expect(lookups.length).toBe(1)
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
