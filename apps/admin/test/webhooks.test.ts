/**
 * The webhooks screens in Chromium against a real server whose webhook worker delivers to a
 * receiver on 127.0.0.1 (private targets allowed for this server only).
 */
import { mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import path from "node:path"
import { type Browser, chromium } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { demoAdmin, startServer, type RunningServer } from "@actionlog/server/start"
import { adminRoot, chromiumArgs, type Api, signedInClient, signInThroughUi } from "./harness"

let dir = ""
let server: RunningServer
let browser: Browser
let api: Api
const received: Array<{ id: string; ids: Array<string> }> = []
const receiver = createServer((req, res) => {
  let body = ""
  req.on("data", (c: Buffer) => (body += c.toString()))
  req.on("end", () => {
    const parsed = JSON.parse(body) as { data: Array<{ id: string }> }
    received.push({ id: String(req.headers["webhook-id"]), ids: parsed.data.map((a) => a.id) })
    res.writeHead(200).end("ok")
  })
})

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "actionlog-admin-webhooks-"))
  server = await startServer({
    dbUrl: `file:${path.join(dir, "e2e.db")}`,
    seed: true,
    adminDist: path.join(adminRoot, "dist"),
    webhooks: { allowPrivate: true, pollMs: 50, retryBaseMs: 50 },
  })
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()))
  api = await signedInClient(server.url, demoAdmin.email, demoAdmin.password)
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: chromiumArgs,
    headless: true,
  })
})

afterAll(async () => {
  await browser?.close().catch(() => {})
  await server?.close()
  await new Promise((r) => receiver.close(r))
  rmSync(dir, { recursive: true, force: true })
})

describe("webhooks screens", () => {
  it("create (secret shown once), send test, attempts, pause / resume, replay", async () => {
    const context = await browser.newContext({ baseURL: server.url })
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    await signInThroughUi(page, demoAdmin.email, demoAdmin.password)
    await page.getByRole("link", { name: "Webhooks" }).click()
    await page.getByText("No webhooks yet").waitFor()

    await page.getByRole("button", { name: "Create webhook" }).click()
    await page.getByLabel("Name").fill("CRM sync")
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`
    await page.getByLabel("Target URL").fill(url)
    await page.getByRole("button", { name: "Create", exact: true }).click()
    const secret = await page.getByTestId("webhook-secret").textContent()
    expect(secret).toMatch(/^whsec_/)
    await page.getByRole("button", { name: "Done" }).click()
    await page.getByRole("link", { name: "CRM sync" }).click()

    await page.getByRole("button", { name: "Send test" }).click()
    await expect
      .poll(() => page.getByTestId("test-result").textContent())
      .toContain("Test delivered: 200")
    await page.getByTestId("attempts-table").getByText("test", { exact: true }).waitFor()

    const recorded = await api.actions.record.mutate({
      customer: { identifier: { kind: "email", value: "hooked@example.com" } },
      createCustomer: true,
      template: "NoteAdded",
      payload: { text: "hello webhooks" },
    } as never)
    await expect.poll(() => received.some((r) => r.ids.includes(recorded.id))).toBe(true)
    // The delivery's attempt shows in the table (1 action, 200).
    const row = page.getByTestId("attempts-table").locator("tr", { hasText: "Replay from here" })
    await row.first().waitFor()
    expect(await row.first().textContent()).toContain("200")

    await page.getByRole("button", { name: "Pause" }).click()
    await expect
      .poll(() => page.getByTestId("paused-reason").textContent())
      .toContain(`Paused by staff:${demoAdmin.email}`)
    await page.getByRole("button", { name: "Resume" }).click()
    await page.getByRole("button", { name: "Pause" }).waitFor()

    const before = received.length
    await row.first().getByRole("button", { name: "Replay from here" }).click()
    await expect
      .poll(() => received.slice(before).some((r) => r.ids.includes(recorded.id)))
      .toBe(true)
    await context.close()
  })
})
