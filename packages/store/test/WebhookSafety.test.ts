import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { randomBytes } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  decrypt,
  encrypt,
  keyFromFile,
  keyFromText,
  newSigningSecret,
  signatureHeader,
} from "../src/webhooks/Signing"
import { isPrivateAddress, urlProblem } from "../src/webhooks/Target"
import { Database } from "../src/Database"
import { migrate } from "../src/Migrator"
import migrations from "../src/migrations/index"
import { tempDbUrl } from "./helpers"

describe("webhook targets", () => {
  it("refuses non-public addresses in every spelling", () => {
    for (const a of [
      "127.0.0.1",
      "10.0.0.1",
      "172.16.5.4",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::1",
      "::",
      "fe80::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
    ]) {
      expect([a, isPrivateAddress(a)]).toEqual([a, true])
    }
    for (const a of ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"]) {
      expect([a, isPrivateAddress(a)]).toEqual([a, false])
    }
  })

  it("checks the URL's form, and allows private hosts only when told to", () => {
    expect(urlProblem("http://[::ffff:7f00:1]/", false)).toBe("private or loopback address")
    expect(urlProblem("http://sub.localhost/", false)).toBe("private or loopback address")
    expect(urlProblem("https://user:pw@example.com/", false)).toMatch(/credentials/)
    expect(urlProblem("file:///etc/passwd", false)).toMatch(/only http and https/)
    expect(urlProblem("https://example.com/hook", false)).toBeUndefined()
    expect(urlProblem("http://127.0.0.1:8080/hook", true)).toBeUndefined()
  })
})

describe("webhook secrets", () => {
  it("encrypts at rest and refuses another key", () => {
    const key = keyFromText(randomBytes(32).toString("base64"))
    const secret = newSigningSecret()
    const stored = encrypt(key, secret)
    expect(stored).not.toContain(secret.slice(6))
    expect(decrypt(key, stored)).toBe(secret)
    expect(decrypt(keyFromText("another passphrase"), stored)).toBeUndefined()
    expect(decrypt(key, stored.slice(0, -2) + "AA")).toBeUndefined()
  })

  it("creates the key file once, private to its owner", () => {
    const dir = mkdtempSync(join(tmpdir(), "actionlog-webhook-key-"))
    try {
      const path = join(dir, "db.webhook-key")
      const first = keyFromFile(path)
      expect(keyFromFile(path).equals(first)).toBe(true)
      expect(statSync(path).mode & 0o777).toBe(0o600)
      expect(Buffer.from(readFileSync(path, "utf8").trim(), "base64")).toHaveLength(32)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("signs per Standard Webhooks, one signature per valid secret", () => {
    // The example of the Standard Webhooks specification's reference tests.
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    const header = signatureHeader(
      [secret],
      "msg_p5jXN8AQM9LWM0D4loKWxJek",
      1614265330,
      '{"test": 2432232314}',
    )
    expect(header).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    expect(signatureHeader([secret, newSigningSecret()], "id", 1, "{}").split(" ")).toHaveLength(2)
  })
})

describe("migration 0008", () => {
  it("gives an existing database's admin role webhooks.manage, and no other role", async () => {
    const t = tempDbUrl()
    try {
      const program = Effect.gen(function* () {
        const db = yield* Database
        yield* migrate(
          db,
          migrations.filter((m) => m.id < 8),
        )
        // As the role was stored before the permission existed.
        yield* db.execute(
          "UPDATE roles SET permissions = (SELECT json_group_array(value) FROM json_each(roles.permissions) WHERE value != 'webhooks.manage')",
        )
        yield* migrate(db, migrations)
        yield* migrate(db, migrations)
        return yield* db.query<{ name: string; permissions: string }>(
          "SELECT name, permissions FROM roles WHERE built_in = 1 ORDER BY name",
        )
      })
      const rows = await Effect.runPromise(
        program.pipe(Effect.provide(Database.layer({ url: t.url, migrate: false }))),
      )
      for (const r of rows) {
        const list = JSON.parse(r.permissions) as Array<string>
        expect([r.name, list.filter((p) => p === "webhooks.manage")]).toEqual([
          r.name,
          r.name === "admin" ? ["webhooks.manage"] : [],
        ])
      }
    } finally {
      t.cleanup()
    }
  })
})
