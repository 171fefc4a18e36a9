/**
 * The browser-test harness: the real server (temp database file, demo admin seeded, serving
 * the freshly built dist), Debian's Chromium through playwright-core, and a typed API client
 * signed in as the demo admin for arranging data.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { createTRPCClient, httpLink, type TRPCClient } from "@trpc/client"
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core"
import type { AppRouter } from "@actionlog/api"
import { demoAdmin, startServer } from "@actionlog/server/start"

const here = path.dirname(fileURLToPath(import.meta.url))
export const adminRoot = path.resolve(here, "..")
export const artifactsDir = path.resolve(adminRoot, "../../test-artifacts/admin")

export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
]

export type Api = TRPCClient<AppRouter>

/** An API client that signs in with email/password and keeps the session cookie. */
export const signedInClient = async (
  baseUrl: string,
  email: string,
  password: string,
): Promise<Api> => {
  let cookie = ""
  const fetchWithCookie = async (input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers)
    if (cookie) headers.set("cookie", cookie)
    const res = await fetch(input, { ...init, headers })
    const set = res.headers.get("set-cookie")
    if (set) cookie = set.split(";")[0]!
    return res
  }
  const client = createTRPCClient<AppRouter>({
    // No batching: a recordBatch call is already up to 1,000 actions.
    links: [httpLink({ url: `${baseUrl}/trpc`, fetch: fetchWithCookie as never })],
  })
  await client.auth.signIn.mutate({ email, password })
  return client
}

export interface Harness {
  readonly url: string
  readonly api: Api
  readonly browser: Browser
  readonly context: BrowserContext
  readonly page: Page
  readonly newPage: () => Promise<{ readonly context: BrowserContext; readonly page: Page }>
  readonly screenshot: (name: string, page?: Page) => Promise<void>
  readonly close: () => Promise<void>
}

export const startHarness = async (): Promise<Harness> => {
  const dir = mkdtempSync(path.join(tmpdir(), "actionlog-admin-e2e-"))
  mkdirSync(artifactsDir, { recursive: true })
  const server = await startServer({
    port: 0,
    dbUrl: `file:${path.join(dir, "e2e.db")}`,
    seed: true,
    adminDist: path.join(adminRoot, "dist"),
  })
  let browser: Browser | undefined
  try {
    const api = await signedInClient(server.url, demoAdmin.email, demoAdmin.password)
    // launch() gives Chromium a fresh temporary profile (user-data-dir) of its own.
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: chromiumArgs,
      headless: true,
    })
    const b = browser
    const newPage = async () => {
      const context = await b.newContext({
        viewport: { width: 1360, height: 860 },
        baseURL: server.url,
      })
      const page = await context.newPage()
      // Generous: the machine (and CI) may be busy with other test projects.
      page.setDefaultTimeout(15_000)
      // Browser-side failures go to the test output: a blank page is otherwise a mystery.
      page.on("pageerror", (e) => console.error(`[browser] ${e.message}`))
      page.on("console", (m) => {
        // 401s while signed out are expected; the app handles them.
        if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
          console.error(`[browser console] ${m.text()}`)
      })
      return { context, page }
    }
    const { context, page } = await newPage()
    return {
      url: server.url,
      api,
      browser: b,
      context,
      page,
      newPage,
      screenshot: async (name, p = page) => {
        await p.screenshot({ path: path.join(artifactsDir, `${name}.png`) })
      },
      close: async () => {
        await b.close().catch(() => {})
        await server.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await browser?.close().catch(() => {})
    await server.close()
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}

/** Signs in through the sign-in form. */
export const signInThroughUi = async (
  page: Page,
  email: string,
  password: string,
): Promise<void> => {
  await page.goto("/")
  await page.getByLabel("Email").fill(email)
  await page.getByLabel("Password").fill(password)
  await page.getByRole("button", { name: "Sign in" }).click()
  await page.getByTestId("me-name").waitFor()
}
