import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Database } from "@actionlog/store"
import { startServer } from "../src/start"
import {
  adminPassword,
  client,
  failure,
  signIn,
  snapshot,
  startTestServer,
  type TestServer,
} from "./helpers"

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.close())

const run = (statement: string) =>
  t.server.runtime.runPromise(Database.use((db) => db.execute(statement)))

const sql = <A>(query: string, args: ReadonlyArray<string | number> = []) =>
  t.server.runtime.runPromise(Database.use((db) => db.query<A>(query, args)))

describe("staff sessions", () => {
  it("signs in with an HttpOnly, SameSite=Lax cookie; me; sign-out ends the session", async () => {
    const res = await fetch(`${t.url}/trpc/auth.signIn`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "ROOT@example.com", password: adminPassword }),
    })
    expect(res.status).toBe(200)
    const setCookie = res.headers.get("set-cookie") ?? ""
    expect(setCookie).toMatch(/^actionlog_session=[A-Za-z0-9_-]{43};/)
    expect(setCookie).toContain("HttpOnly")
    expect(setCookie).toContain("SameSite=Lax")
    expect(setCookie).not.toContain("Secure")
    const cookie = setCookie.split(";")[0]!
    const me = await client(t.url, { cookie }).auth.me.query()
    expect(me).toMatchObject({ kind: "staff", email: "root@example.com", role: "admin" })
    // The token is stored only as a hash.
    const token = cookie.split("=")[1]!
    expect(await sql("SELECT 1 FROM staff_sessions WHERE id = ?", [token])).toHaveLength(0)

    const out = await fetch(`${t.url}/trpc/auth.signOut`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
    })
    expect(out.status).toBe(200)
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0")
    const after = await failure(client(t.url, { cookie }).auth.me.query())
    expect(after.data).toMatchObject({ httpStatus: 401, tag: "Unauthenticated" })
  })

  it("changes one's own password (ending every session) and admins reset others'", async () => {
    const admin = client(t.url, { cookie: t.cookies.admin })
    await admin.staff.create.mutate({
      email: "pat@example.com",
      name: "Pat",
      role: "support",
      password: "first-password",
    })
    const cookie = await signIn(t.url, "pat@example.com", "first-password")
    const other = await signIn(t.url, "pat@example.com", "first-password")
    const pat = client(t.url, { cookie })
    const wrong = await failure(
      pat.auth.changePassword.mutate({
        currentPassword: "nope-nope",
        newPassword: "second-password",
      }),
    )
    expect(wrong.data).toMatchObject({ httpStatus: 401, tag: "InvalidCredentials" })
    const short = await failure(
      pat.auth.changePassword.mutate({ currentPassword: "first-password", newPassword: "short" }),
    )
    expect(short.data).toMatchObject({
      httpStatus: 400,
      tag: "InputInvalid",
      fieldPath: ["newPassword"],
    })
    expect(
      await pat.auth.changePassword.mutate({
        currentPassword: "first-password",
        newPassword: "second-password",
      }),
    ).toEqual({ signedOut: true })
    for (const c of [cookie, other]) {
      expect((await failure(client(t.url, { cookie: c }).auth.me.query())).data.httpStatus).toBe(
        401,
      )
    }
    await expect(signIn(t.url, "pat@example.com", "first-password")).rejects.toThrow(/401/)
    await signIn(t.url, "pat@example.com", "second-password")

    const id = (await admin.staff.list.query()).find((s) => s.email === "pat@example.com")!.id
    const { generatedPassword } = await admin.staff.resetPassword.mutate({ id })
    await expect(signIn(t.url, "pat@example.com", generatedPassword)).resolves.toMatch(
      /^actionlog_session=/,
    )
    const audit = await admin.audit.list.query({ targetType: "staff", targetId: id })
    expect(audit.entries.map((e) => e.action)).toEqual([
      "staff.resetPassword",
      "auth.changePassword",
      "staff.create",
    ])
    expect(JSON.stringify(audit.entries)).not.toContain('password":"second')
  })

  it("refuses a wrong password or unknown email with one error", async () => {
    for (const [email, password] of [
      ["root@example.com", "wrong-password"],
      ["nobody-here@example.com", adminPassword],
    ] as const) {
      const f = await failure(client(t.url, null).auth.signIn.mutate({ email, password }))
      expect(f.data).toMatchObject({ httpStatus: 401, tag: "InvalidCredentials" })
      expect(f.message).toBe("Wrong email or password")
    }
  })

  it("refuses sign-in after 5 failures for an email: 429 TooManySignInAttempts with Retry-After", async () => {
    const admin = client(t.url, { cookie: t.cookies.admin })
    await admin.staff.create.mutate({
      email: "kim@example.com",
      name: "Kim",
      role: "support",
      password: "kims-password",
    })
    const post = (password: string) =>
      fetch(`${t.url}/trpc/auth.signIn`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "kim@example.com", password }),
      })
    for (let i = 0; i < 5; i++) {
      const res = await post("wrong-password")
      expect(res.status).toBe(401)
      expect(res.headers.get("retry-after")).toBeNull()
      await res.body?.cancel()
    }
    // The right password no longer helps: refused before it is checked.
    const res = await post("kims-password")
    expect(res.status).toBe(429)
    expect(res.headers.get("set-cookie")).toBeNull()
    const body = (await res.json()) as {
      error: { message: string; data: { code: string; tag: string; details: unknown } }
    }
    expect(body.error.message).toBe("Too many failed sign-in attempts; try again in 15 minutes")
    expect(body.error.data).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      tag: "TooManySignInAttempts",
    })
    const wait = (body.error.data.details as { retryAfterSeconds: number }).retryAfterSeconds
    expect(wait).toBeGreaterThan(890)
    expect(wait).toBeLessThanOrEqual(900)
    expect(res.headers.get("retry-after")).toBe(String(wait))
    // The typed client sees the same tag; other accounts still sign in from this address.
    const f = await failure(
      client(t.url, null).auth.signIn.mutate({ email: "KIM@example.com", password: "x" }),
    )
    expect(f.data).toMatchObject({ httpStatus: 429, tag: "TooManySignInAttempts" })
    await signIn(t.url, "root@example.com", adminPassword)
  })

  it("treats a malformed cookie as no session (401, not 500)", async () => {
    const res = await fetch(`${t.url}/trpc/auth.me`, {
      headers: { cookie: "actionlog_session=%E0%A4%A" },
    })
    expect(res.status).toBe(401)
  })

  it("marks the cookie Secure when configured", async () => {
    const s = await startTestServer({ secureCookies: true })
    try {
      const res = await fetch(`${s.url}/trpc/auth.signIn`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "root@example.com", password: adminPassword }),
      })
      expect(res.headers.get("set-cookie")).toContain("; Secure")
    } finally {
      await s.close()
    }
  })
})

describe("API keys", () => {
  it("creates a key shown once, stored as a hash, usable with its scopes", async () => {
    const admin = client(t.url, { cookie: t.cookies.admin })
    const created = await admin.apiKeys.create.mutate({ name: "crm-sync", scopes: ["read"] })
    expect(created.key).toMatch(/^al_live_[A-Za-z0-9_-]{43}$/)
    expect(created.apiKey).toMatchObject({ name: "crm-sync", scopes: ["read"], revokedAt: null })
    expect(created.key.startsWith(created.apiKey.displayPrefix)).toBe(true)
    const rows = await sql<{ key_hash: string; lookup: string }>(
      "SELECT key_hash, lookup FROM api_keys WHERE id = ?",
      [created.apiKey.id],
    )
    expect(rows[0]!.key_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(await snapshot(t.server))).not.toContain(created.key.slice(16))

    const listed = await admin.apiKeys.list.query()
    expect(listed.map((k) => k.id)).toContain(created.apiKey.id)
    expect(JSON.stringify(listed)).not.toContain(created.key)

    const me = await client(t.url, { apiKey: created.key }).auth.me.query()
    expect(me).toEqual({
      kind: "apiKey",
      id: created.apiKey.id,
      name: "crm-sync",
      scopes: ["read"],
    })
  })

  it("a revoked key stops at once, also in another server process on the same database", async () => {
    const admin = client(t.url, { cookie: t.cookies.admin })
    const { key, apiKey } = await admin.apiKeys.create.mutate({
      name: "short-lived",
      scopes: ["admin"],
    })
    const other = await startServer({ dbUrl: t.dbUrl })
    try {
      expect(await client(other.url, { apiKey: key }).auth.me.query()).toMatchObject({
        kind: "apiKey",
      })
      const revoked = await admin.apiKeys.revoke.mutate({ id: apiKey.id })
      expect(revoked.revokedAt).not.toBeNull()
      for (const url of [t.url, other.url]) {
        const f = await failure(client(url, { apiKey: key }).auth.me.query())
        expect(f.data).toMatchObject({ httpStatus: 401, tag: "Unauthenticated" })
      }
    } finally {
      await other.close()
    }
  })

  it("rejects malformed and unknown keys", async () => {
    for (const key of ["nope", "al_live_", `al_live_${"A".repeat(43)}`]) {
      const f = await failure(client(t.url, { apiKey: key }).auth.me.query())
      expect(f.data.httpStatus).toBe(401)
    }
  })

  it("revoking an unknown key is NOT_FOUND", async () => {
    const f = await failure(
      client(t.url, { apiKey: t.keys.admin }).apiKeys.revoke.mutate({ id: "missing" }),
    )
    expect(f.data).toMatchObject({ httpStatus: 404, tag: "ApiKeyNotFound" })
  })
})

describe("staff and roles", () => {
  it("creates, lists, changes role, disables (ending sessions) and enables staff", async () => {
    const admin = client(t.url, { cookie: t.cookies.admin })
    const { staff, generatedPassword } = await admin.staff.create.mutate({
      email: "ana@example.com",
      name: "Ana",
      role: "analyst",
    })
    expect(staff).toMatchObject({ email: "ana@example.com", role: "analyst", disabled: false })
    expect(generatedPassword).toEqual(expect.any(String))
    const cookie = await signIn(t.url, "ana@example.com", generatedPassword!)
    expect(await client(t.url, { cookie }).auth.me.query()).toMatchObject({
      role: "analyst",
      permissions: ["actions.view", "export", "segments.manage"],
    })
    expect((await admin.staff.list.query()).map((s) => s.email)).toContain("ana@example.com")

    const promoted = await admin.staff.updateRole.mutate({ id: staff.id, role: "support" })
    expect(promoted.role).toBe("support")
    // Role changes apply to the next request of an existing session.
    expect(await client(t.url, { cookie }).auth.me.query()).toMatchObject({ role: "support" })

    const disabled = await admin.staff.disable.mutate({ id: staff.id })
    expect(disabled.disabled).toBe(true)
    expect((await failure(client(t.url, { cookie }).auth.me.query())).data.httpStatus).toBe(401)
    await expect(signIn(t.url, "ana@example.com", generatedPassword!)).rejects.toThrow(/401/)
    await admin.staff.enable.mutate({ id: staff.id })
    await expect(signIn(t.url, "ana@example.com", generatedPassword!)).resolves.toMatch(
      /^actionlog_session=/,
    )
  })

  it("refuses a duplicate email, an unknown role and demoting the last admin, changing nothing", async () => {
    const admin = client(t.url, { cookie: t.cookies.admin })
    const before = await snapshot(t.server)
    const dup = await failure(
      admin.staff.create.mutate({
        email: "root@example.com",
        name: "Again",
        role: "admin",
        password: "password-123",
      }),
    )
    expect(dup.data).toMatchObject({ httpStatus: 409, tag: "StaffEmailTaken" })
    const role = await failure(
      admin.staff.create.mutate({
        email: "x@example.com",
        name: "X",
        role: "wizard",
        password: "password-123",
      }),
    )
    expect(role.data).toMatchObject({ httpStatus: 400, tag: "UnknownRole", fieldPath: ["role"] })
    const me = await admin.auth.me.query()
    const last = await failure(admin.staff.updateRole.mutate({ id: me.id, role: "analyst" }))
    expect(last.data).toMatchObject({ httpStatus: 409, tag: "LastAdmin" })
    expect(await snapshot(t.server)).toBe(before)
  })

  it("lists the built-in roles with their permissions", async () => {
    const roles = await client(t.url, { cookie: t.cookies.admin }).roles.list.query()
    const byName = Object.fromEntries(roles.map((r) => [r.name, r]))
    expect(Object.keys(byName)).toEqual(
      expect.arrayContaining(["admin", "manager", "analyst", "support"]),
    )
    expect(byName.admin!.permissions).toContain("erase")
    expect(byName.analyst!.permissions).not.toContain("customers.edit")
  })
})

describe("audit log", () => {
  it("records who, what, when and from where for every change, newest first, paginated", async () => {
    const admin = client(t.url, { cookie: t.cookies.admin })
    const { apiKey } = await admin.apiKeys.create.mutate({ name: "audited", scopes: ["ingest"] })
    const page = await admin.audit.list.query({ limit: 1 })
    expect(page.entries).toHaveLength(1)
    expect(page.entries[0]).toMatchObject({
      action: "apiKeys.create",
      targetType: "apiKey",
      targetId: apiKey.id,
      actor: { kind: "staff", label: "root@example.com" },
      ip: "127.0.0.1",
      changes: { name: "audited", scopes: ["ingest"] },
    })
    expect(Date.parse(page.entries[0]!.at)).toBeGreaterThan(Date.now() - 60_000)
    expect(page.next).not.toBeNull()
    const next = await admin.audit.list.query({ limit: 1, before: page.next! })
    expect(next.entries[0]!.seq).toBeLessThan(page.entries[0]!.seq)
    const filtered = await admin.audit.list.query({ targetType: "apiKey", targetId: apiKey.id })
    expect(filtered.entries.map((e) => e.action)).toEqual(["apiKeys.create"])
  })

  it("is append-only: the database refuses UPDATE and DELETE", async () => {
    await expect(run("UPDATE audit_log SET action = 'x'")).rejects.toThrow(/append-only/)
    await expect(run("DELETE FROM audit_log")).rejects.toThrow(/append-only/)
  })
})
