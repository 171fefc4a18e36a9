import { describe, expect, it } from "vitest"
import { startServer } from "../src/start"
import { cliOnTempDatabase, client, failure } from "./helpers"

const { state, cli } = cliOnTempDatabase("actionlog-cli-")

describe("pnpm actionlog", () => {
  it("api-key create prints a working key once; revoke stops it", async () => {
    const created = await cli("api-key", "create", "--name", "warehouse", "--scopes", "read,ingest")
    expect(created.code).toBe(0)
    const key = /^(al_live_\S+)$/m.exec(created.stdout)?.[1]
    expect(key).toBeDefined()
    const id = /id ([0-9a-f-]{36})/.exec(created.stdout)?.[1]

    const server = await startServer({ dbUrl: state.db })
    try {
      expect(await client(server.url, { apiKey: key! }).auth.me.query()).toMatchObject({
        name: "warehouse",
        scopes: ["read", "ingest"],
      })
      expect((await cli("api-key", "revoke", id!)).code).toBe(0)
      expect(
        (await failure(client(server.url, { apiKey: key! }).auth.me.query())).data.httpStatus,
      ).toBe(401)
    } finally {
      await server.close()
    }
  })

  it("staff create with a generated password; errors exit 1, bad usage exits 2", async () => {
    // Independent commands: run them side by side (each process loads the whole product).
    const [staff, role, scopes] = await Promise.all([
      cli("staff", "create", "--email", "ops@example.com", "--role", "manager"),
      cli("staff", "create", "--email", "x@example.com", "--role", "wizard"),
      cli("api-key", "create", "--name", "x", "--scopes", "everything"),
    ])
    expect(staff.code).toBe(0)
    expect(staff.stdout).toMatch(/Password \(shown once\): \S{8,}/)
    expect(role.code).toBe(1)
    expect(role.stderr).toContain("UnknownRole")
    expect(scopes.code).toBe(2)
    expect(scopes.stderr).toContain("--scopes: unknown scope(s) everything")
  })
})
