/**
 * Shutting down under load, over real keep-alive sockets: every request that reached the
 * server gets a complete answer (processed, or 503 `ShuttingDown` with `Connection: close`),
 * no connection is reset, and every acknowledged write is in the database afterwards.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { Agent, request } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { expect, it } from "vitest"
import { ApiKeys, Database } from "@actionlog/store"
import { startServer } from "../src/start"

interface Answer {
  readonly status: number
  readonly connection: string | undefined
  readonly retryAfter: string | undefined
  readonly body: string
}

type Outcome = Answer | { readonly error: string }

const send = (
  agent: Agent,
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
) =>
  new Promise<Outcome>((resolve) => {
    const req = request(`${url}${path}`, { agent, method, headers }, (res) => {
      let text = ""
      res.setEncoding("utf8")
      res.on("data", (d: string) => (text += d))
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          connection: res.headers.connection,
          retryAfter: res.headers["retry-after"],
          body: text,
        }),
      )
      res.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }))
    })
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }))
    req.end(body)
  })

/** A client's pause between requests (0–15 ms), so some connections are idle when close() starts. */
const think = () => new Promise((r) => setTimeout(r, Math.floor(Math.random() * 16)))

it("answers every request while draining, closes keep-alive connections, resets none", async () => {
  const dir = mkdtempSync(join(tmpdir(), "actionlog-drain-"))
  const dbUrl = `file:${join(dir, "drain.db")}`
  try {
    const server = await startServer({ dbUrl })
    const { key } = await server.runtime.runPromise(
      ApiKeys.use((k) => k.create({ name: "load", scopes: ["ingest"], createdBy: "test" })),
    )
    let closeStarted = false
    const acked: Array<string> = []
    const refused: Array<string> = []
    const answers: Array<{ route: string; afterClose: boolean; outcome: Outcome }> = []
    const load = { done: () => {} }
    const loaded = new Promise<void>((resolve) => (load.done = resolve))

    /** One keep-alive client sending until the server turns it away. */
    const client = async (route: string, n: number) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 })
      try {
        for (let i = 0; ; i++) {
          const tx = `drain-${n}-${i}`
          const afterClose = closeStarted
          const outcome =
            route === "record"
              ? await send(
                  agent,
                  server.url,
                  "POST",
                  "/trpc/actions.record",
                  { "content-type": "application/json", authorization: `Bearer ${key}` },
                  JSON.stringify({
                    customer: { identifier: { kind: "email", value: `c${n}@example.com` } },
                    createCustomer: true,
                    template: "CustomerSignedIn",
                    payload: { method: "password" },
                    transactionId: tx,
                  }),
                )
              : await send(agent, server.url, "GET", route, {})
          answers.push({ route, afterClose, outcome })
          if ("error" in outcome) return
          if (route === "record") {
            if (outcome.status === 200) acked.push(tx)
            else refused.push(tx)
            if (acked.length >= 60) load.done()
          }
          // A client honours Connection: close + Retry-After by going away.
          if (outcome.connection === "close") return
          await think()
        }
      } finally {
        agent.destroy()
      }
    }

    const clients = [
      ...Array.from({ length: 6 }, (_, n) => client("record", n)),
      client("/healthz", 100),
      client("/", 101),
    ]
    await loaded
    closeStarted = true
    await Promise.all([server.close(), ...clients])

    const errors = answers.flatMap((a) => ("error" in a.outcome ? [a.outcome.error] : []))
    // Connecting after the listener closed is refused: that request never reached the server.
    expect(errors.filter((e) => e !== "ECONNREFUSED")).toEqual([])
    const afterClose = answers.filter((a) => a.afterClose && !("error" in a.outcome))
    expect(afterClose.length).toBeGreaterThan(0)
    const shape = (a: Answer) => ({ status: a.status, connection: a.connection })
    const kept = afterClose.flatMap((a) =>
      "error" in a.outcome || a.outcome.connection === "close" ? [] : [a.route],
    )
    expect(kept).toEqual([])
    const statuses = new Set(
      answers.flatMap((a) => ("error" in a.outcome ? [] : [a.outcome.status])),
    )
    expect([...statuses].filter((s) => s !== 200 && s !== 503)).toEqual([])
    const refusals = answers.flatMap((a) =>
      a.route === "record" && !("error" in a.outcome) && a.outcome.status !== 200
        ? [a.outcome]
        : [],
    )
    for (const answer of refusals) {
      expect({ ...shape(answer), retryAfter: answer.retryAfter }).toEqual({
        status: 503,
        connection: "close",
        retryAfter: "1",
      })
      expect(JSON.parse(answer.body)).toMatchObject({ error: { data: { tag: "ShuttingDown" } } })
    }
    // Some requests arrived on keep-alive connections after close() began, and were refused.
    expect(refused.length).toBeGreaterThan(0)

    // Every acknowledged write is there; every refused one is not.
    const again = await startServer({ dbUrl })
    try {
      const present = async (txs: ReadonlyArray<string>) =>
        txs.length === 0
          ? 0
          : (
              await again.runtime.runPromise(
                Database.use((db) =>
                  db.query<{ n: number }>(
                    `SELECT count(*) AS n FROM actions WHERE transaction_id IN (${txs.map(() => "?").join(",")})`,
                    txs,
                  ),
                ),
              )
            )[0]!.n
      expect(await present(acked)).toBe(acked.length)
      expect(await present(refused)).toBe(0)
    } finally {
      await again.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
