import { execFile, spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const run = promisify(execFile)
const serverDir = join(import.meta.dirname, "..")

// Production runs the compiled JavaScript on plain node: no tsx, no TypeScript loader.
describe("the compiled server", () => {
  let dir: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "actionlog-compiled-"))
    await run(process.execPath, ["build.mjs", "--quiet"], { cwd: serverDir })
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("is JavaScript that imports no TypeScript", () => {
    for (const file of ["dist/main.js", "dist/cli.js"]) {
      const code = readFileSync(join(serverDir, file), "utf8")
      expect(code).not.toMatch(/from "@actionlog\//)
      expect(code).not.toMatch(/\.ts"/)
    }
  })

  it("serves the API and health on plain node, then stops on SIGTERM with exit 0", async () => {
    const child = spawn(process.execPath, ["dist/main.js"], {
      cwd: serverDir,
      env: {
        PATH: process.env["PATH"] ?? "",
        HOST: "127.0.0.1",
        PORT: "0",
        ACTIONLOG_SEED: "false",
        ACTIONLOG_DB_URL: `file:${join(dir, "compiled.db")}`,
      },
    })
    let stdout = ""
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve))
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString()
        const m = /listening on (http:\/\/\S+)/.exec(stdout)
        if (m) resolve(m[1]!)
      })
      child.on("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)))
    })
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true })
    const health = await fetch(`${url}/trpc/health.check`)
    expect(health.status).toBe(200)
    child.kill("SIGTERM")
    expect(await exited).toBe(0)
    expect(stdout).toContain("stopped")
  })

  it("runs the CLI on plain node", async () => {
    const { stdout } = await run(process.execPath, ["dist/cli.js", "--help"], { cwd: serverDir })
    expect(stdout).toContain("api-key")
  })
})
