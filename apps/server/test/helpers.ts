import { execFile } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll } from "vitest"
import { createTRPCUntypedClient, httpLink, TRPCClientError } from "@trpc/client"
import { createTRPCClient } from "@trpc/client"
import type { AppRouter } from "@actionlog/api"
import { ApiKeys, Database, Roles, StaffUsers, type Scope } from "@actionlog/store"
import { remoteLane, testDatabase, type TestDatabase } from "@actionlog/testkit"
import { startServer, type RunningServer, type StartOptions } from "../src/start"
import { migratedTemplate } from "../../../packages/store/test/helpers"

export interface TestServer {
  readonly server: RunningServer
  readonly url: string
  readonly dbPath: string
  /** The database's URL: `file:` + dbPath, or its Hrana server in the remote lane. */
  readonly dbUrl: string
  /** API keys by name: `ingest`, `read`, `admin`, `all` (every scope), `revoked` (was admin). */
  readonly keys: Record<"ingest" | "read" | "admin" | "readIngest" | "revoked", string>
  /** Session cookies: `admin` (role admin), `nobody` (a role with no permissions). */
  readonly cookies: Record<"admin" | "nobody", string>
  readonly close: () => Promise<void>
}

export const adminPassword = "admin-password-1"

/**
 * A real server on a random port over a fresh database file, with keys and sessions (in the
 * remote lane the file is served by a Hrana server and the app connects over HTTP).
 */
export const startTestServer = async (options: Partial<StartOptions> = {}): Promise<TestServer> => {
  const dir = mkdtempSync(join(tmpdir(), "actionlog-server-"))
  const dbPath = join(dir, "test.db")
  const db = testDatabase(dbPath, { copyOf: remoteLane ? migratedTemplate() : undefined })
  const server = await startServer({ dbUrl: db.url, ...options })
  const rt = server.runtime
  const key = (name: string, scopes: ReadonlyArray<Scope>) =>
    rt.runPromise(ApiKeys.use((k) => k.create({ name, scopes, createdBy: "test" }))).then((r) => r)
  const ingest = await key("ingest", ["ingest"])
  const read = await key("read", ["read"])
  const admin = await key("admin", ["admin"])
  const readIngest = await key("read+ingest", ["read", "ingest"])
  const revoked = await key("revoked", ["admin"])
  await rt.runPromise(ApiKeys.use((k) => k.revoke(revoked.info.id, "test")))
  await rt.runPromise(
    Roles.use((r) => r.create({ name: "nobody", description: "no permissions", permissions: [] })),
  )
  await rt.runPromise(
    StaffUsers.use((s) =>
      s.create({ email: "root@example.com", name: "Root", role: "admin", password: adminPassword }),
    ),
  )
  await rt.runPromise(
    StaffUsers.use((s) =>
      s.create({
        email: "nobody@example.com",
        name: "Nobody",
        role: "nobody",
        password: adminPassword,
      }),
    ),
  )
  const url = server.url
  const cookies = {
    admin: await signIn(url, "root@example.com", adminPassword),
    nobody: await signIn(url, "nobody@example.com", adminPassword),
  }
  return {
    server,
    url,
    dbPath,
    dbUrl: db.url,
    keys: {
      ingest: ingest.key,
      read: read.key,
      admin: admin.key,
      readIngest: readIngest.key,
      revoked: revoked.key,
    },
    cookies,
    close: async () => {
      await server.close()
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export const signIn = async (url: string, email: string, password: string): Promise<string> => {
  const res = await fetch(`${url}/trpc/auth.signIn`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  })
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`)
  const cookie = res.headers.get("set-cookie")
  if (cookie === null) throw new Error("no session cookie")
  return cookie.split(";")[0]!
}

export type Credentials = { readonly apiKey: string } | { readonly cookie: string } | null

const headersFor = (credentials: Credentials): Record<string, string> =>
  credentials === null
    ? {}
    : "apiKey" in credentials
      ? { authorization: `Bearer ${credentials.apiKey}` }
      : { cookie: credentials.cookie }

/** The typed client, as another team would use it (here with a key or a staff cookie). */
export const client = (url: string, credentials: Credentials) =>
  createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${url}/trpc`, headers: () => headersFor(credentials) })],
  })

/** Calls any procedure by path (for table-driven tests over the router). */
export const untyped = (url: string, credentials: Credentials) =>
  createTRPCUntypedClient({
    links: [httpLink({ url: `${url}/trpc`, headers: () => headersFor(credentials) })],
  })

export interface ErrorData {
  readonly code: string
  readonly httpStatus: number
  readonly tag: string
  readonly fieldPath: ReadonlyArray<string | number> | null
}

/** The settled error of a call, with its `data` (tag, field path, status). */
export const failure = async (
  promise: Promise<unknown>,
): Promise<{ message: string; data: ErrorData }> => {
  try {
    await promise
  } catch (error) {
    if (error instanceof TRPCClientError) {
      return { message: error.message, data: error.data as ErrorData }
    }
    throw error
  }
  throw new Error("expected the call to fail, it succeeded")
}

/**
 * The schema and every row of every table, with row counts (small test databases): equal
 * snapshots = nothing changed. Rows in rowid order (primary-key order for WITHOUT ROWID
 * tables); one line per row, so a difference reads as a line diff.
 */
export const snapshot = async (server: RunningServer): Promise<string> => {
  const run = <A>(sql: string) => server.runtime.runPromise(Database.use((db) => db.query<A>(sql)))
  const schema = await run<{ type: string; name: string; sql: string | null }>(
    "SELECT type, name, sql FROM sqlite_master ORDER BY type, name",
  )
  const lines = [`schema ${JSON.stringify(schema)}`]
  for (const { type, name, sql } of schema) {
    if (type !== "table" || name.startsWith("sqlite_")) continue
    const order = /WITHOUT\s+ROWID/i.test(sql ?? "") ? "" : " ORDER BY rowid"
    const rows = await run(`SELECT * FROM "${name}"${order}`)
    lines.push(`${name}: ${rows.length} rows`)
    for (const row of rows) lines.push(`${name} ${JSON.stringify(row)}`)
  }
  return lines.join("\n")
}

/**
 * `pnpm actionlog …` as an operator runs it: a real child process on a database file in a temp
 * folder made before the file's tests and removed after them.
 */
export const cliOnTempDatabase = (prefix: string) => {
  const state = { dir: "", db: "" }
  let served: TestDatabase | undefined
  beforeAll(() => {
    state.dir = mkdtempSync(join(tmpdir(), prefix))
    served = testDatabase(join(state.dir, "cli.db"), {
      copyOf: remoteLane ? migratedTemplate() : undefined,
    })
    state.db = served.url
  })
  afterAll(async () => {
    await served?.close()
    rmSync(state.dir, { recursive: true, force: true })
  })
  const cli = (...args: Array<string>) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", "src/cli.ts", ...args],
        {
          cwd: join(import.meta.dirname, ".."),
          env: { ...process.env, ACTIONLOG_DB_URL: state.db },
        },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
      )
    })
  return { state, cli }
}
