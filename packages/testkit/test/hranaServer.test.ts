import { createClient, type Client, LibsqlError } from "@libsql/client"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { startHranaServer, type HranaServer } from "../src/index"

let dir: string
let server: HranaServer
let clients: Array<Client>

const connect = (options: { intMode?: "number" | "bigint" } = {}) => {
  const c = createClient({ url: server.url, ...options })
  clients.push(c)
  return c
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "actionlog-hrana-"))
  server = await startHranaServer({ dbPath: join(dir, "test.db"), streamExpiryMs: 1_000 })
  clients = []
})

afterEach(async () => {
  for (const c of clients) c.close()
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

const errorOf = async (p: Promise<unknown>): Promise<LibsqlError> => {
  try {
    await p
  } catch (e) {
    if (e instanceof LibsqlError) return e
    throw e
  }
  throw new Error("expected a failure")
}

/** A raw pipeline request, as a client other than @libsql/client would send it. */
const pipeline = async (path: string, body: unknown) => {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  return {
    status: res.status,
    json: res.headers.get("content-type") === "application/json" ? JSON.parse(text) : text,
  }
}

describe("Hrana test server with @libsql/client", () => {
  it("executes statements and encodes every value type as the spec says", async () => {
    const c = connect({ intMode: "bigint" })
    await c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, f REAL, s TEXT, b BLOB)")
    const big = 9_007_199_254_740_993n
    const ins = await c.execute({
      sql: "INSERT INTO t (i, f, s, b) VALUES (?, ?, ?, ?)",
      args: [big, 1.5, "hé", new Uint8Array([0, 255, 7])],
    })
    expect(ins.rowsAffected).toBe(1)
    expect(ins.lastInsertRowid).toBe(1n)
    await c.execute({ sql: "INSERT INTO t (s) VALUES (:s)", args: { s: "named" } })
    const r = await c.execute("SELECT i, f, s, b, NULL AS n FROM t ORDER BY id")
    expect(r.columns).toEqual(["i", "f", "s", "b", "n"])
    expect(r.columnTypes).toEqual(["INTEGER", "REAL", "TEXT", "BLOB", ""])
    expect(r.rows[0]!["i"]).toBe(big)
    expect(r.rows[0]!["f"]).toBe(1.5)
    expect(r.rows[0]!["s"]).toBe("hé")
    expect([...new Uint8Array(r.rows[0]!["b"] as ArrayBuffer)]).toEqual([0, 255, 7])
    expect(r.rows[0]!["n"]).toBeNull()
    expect(r.rows[1]!["s"]).toBe("named")
    expect(r.rowsAffected).toBe(0)

    // On the wire: integers as strings, blobs as base64, floats as numbers.
    const raw = await pipeline("/v2/pipeline", {
      baton: null,
      requests: [
        { type: "execute", stmt: { sql: "SELECT i, f, b FROM t WHERE id = 1" } },
        { type: "close" },
      ],
    })
    expect(raw.status).toBe(200)
    expect(raw.json.baton).toBeNull()
    expect(raw.json.results[0].response.result.rows[0]).toEqual([
      { type: "integer", value: "9007199254740993" },
      { type: "float", value: 1.5 },
      { type: "blob", base64: "AP8H" },
    ])
  })

  it("counts UPDATE … RETURNING rows as affected", async () => {
    const c = connect()
    await c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
    await c.batch(["INSERT INTO t (v) VALUES (1)", "INSERT INTO t (v) VALUES (2)"], "write")
    const r = await c.execute("UPDATE t SET v = v + 10 RETURNING v")
    expect(r.rowsAffected).toBe(2)
    expect(r.rows.map((x) => x["v"])).toEqual([11, 12])
  })

  it("runs a batch atomically: a failing statement rolls every one back", async () => {
    const c = connect()
    await c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)")
    const results = await c.batch(
      [
        { sql: "INSERT INTO t (v) VALUES (?)", args: ["a"] },
        { sql: "INSERT INTO t (v) VALUES (?)", args: ["b"] },
        "SELECT count(*) AS n FROM t",
      ],
      "write",
    )
    expect(results[2]!.rows[0]!["n"]).toBe(2)
    const e = await errorOf(
      c.batch(
        [
          { sql: "INSERT INTO t (v) VALUES (?)", args: ["c"] },
          { sql: "INSERT INTO t (v) VALUES (?)", args: ["a"] },
        ],
        "write",
      ),
    )
    expect(e.code).toBe("SQLITE_CONSTRAINT")
    expect(e.message).toMatch(/UNIQUE constraint failed: t\.v/)
    const n = await c.execute("SELECT count(*) AS n FROM t")
    expect(n.rows[0]!["n"]).toBe(2)
  })

  it("commits and rolls back interactive transactions, isolated from another client", async () => {
    const a = connect()
    const b = connect()
    await a.execute("CREATE TABLE t (v TEXT)")
    const tx = await a.transaction("write")
    await tx.execute({ sql: "INSERT INTO t VALUES (?)", args: ["in-tx"] })
    // The other client does not see the uncommitted row; the transaction itself does.
    expect((await b.execute("SELECT count(*) AS n FROM t")).rows[0]!["n"]).toBe(0)
    expect((await tx.execute("SELECT count(*) AS n FROM t")).rows[0]!["n"]).toBe(1)
    await tx.commit()
    expect((await b.execute("SELECT count(*) AS n FROM t")).rows[0]!["n"]).toBe(1)

    const tx2 = await a.transaction("write")
    await tx2.execute({ sql: "INSERT INTO t VALUES (?)", args: ["rolled-back"] })
    await tx2.rollback()
    expect((await b.execute("SELECT count(*) AS n FROM t")).rows[0]!["n"]).toBe(1)
    expect(server.openStreams()).toBe(0)
  })

  it("makes a second writer wait for the first transaction instead of failing", async () => {
    const a = connect()
    const b = connect()
    await a.execute("CREATE TABLE t (v TEXT)")
    const tx = await a.transaction("write")
    await tx.execute({ sql: "INSERT INTO t VALUES (?)", args: ["first"] })
    const second = b.execute({ sql: "INSERT INTO t VALUES (?)", args: ["second"] })
    await new Promise((r) => setTimeout(r, 100))
    await tx.commit()
    await second
    const rows = await b.execute("SELECT v FROM t ORDER BY rowid")
    expect(rows.rows.map((r) => r["v"])).toEqual(["first", "second"])
  })

  it("runs executeMultiple as a sequence", async () => {
    const c = connect()
    await c.executeMultiple(`
      CREATE TABLE a (x INTEGER);
      -- a comment; with a semicolon
      INSERT INTO a VALUES (1);
      INSERT INTO a VALUES (2);
    `)
    expect((await c.execute("SELECT sum(x) AS s FROM a")).rows[0]!["s"]).toBe(3)
    const e = await errorOf(
      c.executeMultiple("INSERT INTO a VALUES (3); INSERT INTO nope VALUES (1);"),
    )
    expect(e.code).toBe("SQLITE_ERROR")
    expect(e.message).toMatch(/no such table: nope/)
  })

  it("reports errors shaped as sqld's", async () => {
    const c = connect()
    await c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    await c.execute("INSERT INTO t VALUES (1)")
    const dup = await errorOf(c.execute("INSERT INTO t VALUES (1)"))
    expect(dup.code).toBe("SQLITE_CONSTRAINT")
    expect(dup.message).toMatch(/^SQLITE_CONSTRAINT: SQLite error: UNIQUE constraint failed: t\.id/)
    const parse = await errorOf(c.execute("SELEC 1"))
    expect(parse.code).toBe("SQL_PARSE_ERROR")
    const missing = await errorOf(c.execute("SELECT * FROM nope"))
    expect(missing.code).toBe("SQLITE_ERROR")
    const args = await errorOf(c.execute({ sql: "SELECT ?", args: [1, 2] }))
    expect(args.code).toBe("ARGS_INVALID")
    const many = await errorOf(c.execute("SELECT 1; SELECT 2"))
    expect(many.code).toBe("SQL_MANY_STATEMENTS")
    // The client keeps working after errors.
    expect((await c.execute("SELECT count(*) AS n FROM t")).rows[0]!["n"]).toBe(1)
  })

  it("expires idle streams and rolls back their transactions", async () => {
    const a = connect()
    const b = connect()
    await a.execute("CREATE TABLE t (v TEXT)")
    const tx = await a.transaction("write")
    await tx.execute({ sql: "INSERT INTO t VALUES (?)", args: ["abandoned"] })
    expect(server.openStreams()).toBe(1)
    await new Promise((r) => setTimeout(r, 1_500))
    expect(server.openStreams()).toBe(0)
    const e = await errorOf(tx.execute("SELECT 1"))
    expect(e.code).toBe("STREAM_EXPIRED")
    // The write lock is free again and the row is gone.
    await b.execute({ sql: "INSERT INTO t VALUES (?)", args: ["next"] })
    expect((await b.execute("SELECT v FROM t")).rows.map((r) => r["v"])).toEqual(["next"])
  })

  it("counts one round trip per pipeline request and adds the injected delay to each", async () => {
    const c = connect()
    await c.execute("CREATE TABLE t (v INTEGER)")
    server.resetRoundTrips()
    await c.execute("SELECT 1")
    expect(server.roundTrips()).toBe(1)
    await c.batch(["INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)"], "write")
    expect(server.roundTrips()).toBe(2)
    const tx = await c.transaction("write")
    await tx.execute("INSERT INTO t VALUES (3)")
    await tx.execute("INSERT INTO t VALUES (4)")
    await tx.commit()
    expect(server.roundTrips()).toBe(5)

    server.setDelayMs(60)
    const started = performance.now()
    await c.execute("SELECT 1")
    await c.execute("SELECT 2")
    expect(performance.now() - started).toBeGreaterThanOrEqual(115)
    server.setDelayMs(0)
    const fast = performance.now()
    await c.execute("SELECT 3")
    expect(performance.now() - fast).toBeLessThan(50)
    expect(server.roundTrips()).toBe(8)
  })
})

describe("Hrana test server protocol details", () => {
  it("evaluates batch conditions ok / error / not / and / or", async () => {
    const r = await pipeline("/v2/pipeline", {
      baton: null,
      requests: [
        {
          type: "batch",
          batch: {
            steps: [
              { stmt: { sql: "SELECT 1" } },
              { stmt: { sql: "SELECT * FROM nope" } },
              { condition: { type: "ok", step: 0 }, stmt: { sql: "SELECT 'ok0'" } },
              { condition: { type: "ok", step: 1 }, stmt: { sql: "SELECT 'ok1'" } },
              { condition: { type: "error", step: 1 }, stmt: { sql: "SELECT 'err1'" } },
              {
                condition: { type: "not", cond: { type: "error", step: 0 } },
                stmt: { sql: "SELECT 'not-err0'" },
              },
              {
                condition: {
                  type: "and",
                  conds: [
                    { type: "ok", step: 0 },
                    { type: "ok", step: 1 },
                  ],
                },
                stmt: { sql: "SELECT 'and'" },
              },
              {
                condition: {
                  type: "or",
                  conds: [
                    { type: "ok", step: 0 },
                    { type: "ok", step: 1 },
                  ],
                },
                stmt: { sql: "SELECT 'or'" },
              },
              // A skipped step is neither ok nor an error.
              { condition: { type: "error", step: 3 }, stmt: { sql: "SELECT 'err3'" } },
            ],
          },
        },
        { type: "close" },
      ],
    })
    expect(r.status).toBe(200)
    const result = r.json.results[0].response.result
    const ran = result.step_results.map((s: { rows: Array<Array<{ value: string }>> } | null) =>
      s === null ? null : s.rows[0]![0]!.value,
    )
    expect(ran).toEqual(["1", null, "ok0", null, "err1", "not-err0", null, "or", null])
    expect(result.step_errors[1].code).toBe("SQLITE_ERROR")
    expect(result.step_errors.filter((e: unknown) => e !== null)).toHaveLength(1)
  })

  it("answers is_autocommit and get_autocommit on v3 only, as sqld does", async () => {
    const body = {
      baton: null,
      requests: [
        { type: "get_autocommit" },
        {
          type: "batch",
          batch: {
            steps: [
              { stmt: { sql: "BEGIN" } },
              { condition: { type: "is_autocommit" }, stmt: { sql: "SELECT 'auto'" } },
              {
                condition: { type: "not", cond: { type: "is_autocommit" } },
                stmt: { sql: "SELECT 'in-tx'" },
              },
            ],
          },
        },
        { type: "get_autocommit" },
        { type: "execute", stmt: { sql: "ROLLBACK" } },
        { type: "close" },
      ],
    }
    const v3 = await pipeline("/v3/pipeline", body)
    expect(v3.status).toBe(200)
    const [before, batch, after] = v3.json.results
    expect(before.response.is_autocommit).toBe(true)
    expect(batch.response.result.step_results[1]).toBeNull()
    expect(batch.response.result.step_results[2].rows[0][0].value).toBe("in-tx")
    expect(after.response.is_autocommit).toBe(false)
    const v2 = await pipeline("/v2/pipeline", body)
    expect(v2.status).toBe(400)
  })

  it("stores SQL texts per stream, describes statements and refuses a stale baton", async () => {
    const first = await pipeline("/v2/pipeline", {
      baton: null,
      requests: [
        { type: "store_sql", sql_id: 1, sql: "SELECT :a AS a, ?3 AS b" },
        { type: "execute", stmt: { sql_id: 1, args: [{ type: "text", value: "x" }] } },
        {
          type: "execute",
          stmt: { sql_id: 1, named_args: [{ name: ":a", value: { type: "text", value: "x" } }] },
        },
        { type: "describe", sql_id: 1 },
        { type: "describe", sql: "CREATE TABLE d (x)" },
      ],
    })
    expect(first.status).toBe(200)
    const [stored, exec, mixed, desc, ddl] = first.json.results
    expect(stored.type).toBe("ok")
    // Names for a statement with positional parameters: refused (as sqld does), not guessed.
    expect(mixed.error.code).toBe("ARGS_INVALID")
    expect(exec.response.result.rows[0][0]).toEqual({ type: "text", value: "x" })
    expect(desc.response.result).toEqual({
      params: [{ name: ":a" }, { name: null }, { name: null }],
      cols: [
        { name: "a", decltype: null },
        { name: "b", decltype: null },
      ],
      is_explain: false,
      is_readonly: true,
    })
    expect(ddl.response.result.is_readonly).toBe(false)
    const baton = first.json.baton as string
    const second = await pipeline("/v2/pipeline", {
      baton,
      requests: [
        { type: "close_sql", sql_id: 1 },
        { type: "execute", stmt: { sql_id: 1 } },
      ],
    })
    // Using a closed SQL id is a protocol error: 400 and the stream is gone.
    expect(second.status).toBe(400)
    const stale = await pipeline("/v2/pipeline", { baton, requests: [{ type: "close" }] })
    expect(stale.status).toBe(400)
    // Other streams never see a stream's stored SQL.
    const other = await pipeline("/v2/pipeline", {
      baton: null,
      requests: [{ type: "execute", stmt: { sql_id: 1 } }],
    })
    expect(other.status).toBe(400)
    expect(server.openStreams()).toBe(0)
  })
})
