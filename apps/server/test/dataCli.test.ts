import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { cliOnTempDatabase } from "./helpers"

// `pnpm actionlog import | export | erase` as an operator runs them (real processes, real file).

const { state, cli } = cliOnTempDatabase("actionlog-data-cli-")

describe("pnpm actionlog import / export / erase", () => {
  it("imports with a report, exports the window, erases a customer", async () => {
    const file = join(state.dir, "in.ndjson")
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

    const out = join(state.dir, "out.ndjson")
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
