/**
 * The production build ships no source maps, and the server would not serve one anyway
 * (dist/ is built by globalSetup from the current sources).
 */
import { readdirSync, readFileSync } from "node:fs"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { afterAll, beforeAll, expect, it } from "vitest"
import { startServer } from "@actionlog/server/start"
import { adminRoot } from "./harness"

const dist = path.join(adminRoot, "dist")
const dir = mkdtempSync(path.join(tmpdir(), "actionlog-admin-build-"))
let server: Awaited<ReturnType<typeof startServer>>
beforeAll(async () => {
  server = await startServer({ dbUrl: `file:${path.join(dir, "build.db")}`, adminDist: dist })
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

it("the built admin app has no source maps, and /assets/*.map is a 404", async () => {
  const files = readdirSync(dist, { recursive: true, encoding: "utf8" })
  expect(files.filter((f) => f.endsWith(".map"))).toEqual([])
  const scripts = files.filter((f) => f.startsWith("assets") && f.endsWith(".js"))
  expect(scripts.length).toBeGreaterThan(0)
  for (const script of scripts) {
    expect(readFileSync(path.join(dist, script), "utf8")).not.toContain("sourceMappingURL")
    const url = `${server.url}/${script.split(path.sep).join("/")}`
    expect((await fetch(url)).status).toBe(200)
    expect((await fetch(`${url}.map`)).status).toBe(404)
  }
})
