import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

// `pnpm actionlog import | export | erase` as an operator runs them (real processes, real file).

const serverDir = join(import.meta.dirname, "..")
let dir: string
let db: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "actionlog-data-cli-"))
  db = `file:${join(dir, "cli.db")}`
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const cli = (...args: Array<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli.ts", ...args],
      { cwd: serverDir, env: { ...process.env, ACTIONLOG_DB_URL: db } },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    )
  })

describe("pnpm actionlog import / export / erase", () => {
  it("imports with a report, exports the window, erases a customer", async () => {
    const file = join(dir, "in.ndjson")
    writeFileSync(
      file,
      [
        ...[1, 2, 3].map((i) =>
          JSON.stringify({
            customer: { identifier: { kind: "email", value: `cli${i}@example.com` } },
            createCustomer: true,
            template: "CustomerSignedIn",
            payload: { method: "password" },
            occurredAt: `2026-01-0${i}T10:00:00Z`,
          }),
        ),
        '{"customer":{"id":"c_x"},"template":"Nope"}',
      ].join("\n"),
    )
    const imported = await cli("import", file)
    expect(imported.code).toBe(0)
    expect(imported.stdout).toContain("3 recorded, 0 already processed, 1 rejected")
    expect(JSON.parse(readFileSync(`${file}.rejected.ndjson`, "utf8"))).toMatchObject({
      line: 4,
      tag: "UnknownTemplate",
    })
    expect((await cli("import", file)).stdout).toContain("0 recorded")

    const out = join(dir, "out.ndjson")
    const exported = await cli(
      "export",
      "--since",
      "0",
      "--till",
      String(Date.now() + 60_000),
      "--out",
      out,
    )
    expect(exported.code).toBe(0)
    const lines = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { customerId: string })
    expect(lines.length).toBe(3)

    const erased = await cli("erase", "--customer", lines[0]!.customerId)
    expect(erased.code).toBe(0)
    expect(erased.stdout).toContain("1 actions, 1 identifiers")
    const after = await cli("export", "--since", "0", "--till", String(Date.now() + 60_000))
    expect(after.stdout.trim().split("\n").length).toBe(2)

    expect((await cli("export", "--since", "yesterday")).code).toBe(2)
    expect((await cli("erase")).code).toBe(2)
    expect((await cli("erase", "--customer", "c_unknown")).code).toBe(1)
  }, 120_000)
})
