/**
 * The Hrana test server in its own process (the database is another machine in production, so
 * it must not share the bench's event loop). Driven over IPC by `startRemoteServer`.
 */
import { startHranaServer } from "@actionlog/testkit"
import { fork } from "node:child_process"
import { fileURLToPath } from "node:url"

type Op =
  | { readonly op: "delay"; readonly ms: number }
  | { readonly op: "reset" }
  | { readonly op: "count" }
  | { readonly op: "close" }
type Request = { readonly id: number } & Op

export interface RemoteServer {
  readonly url: string
  readonly setDelayMs: (ms: number) => Promise<void>
  readonly resetRoundTrips: () => Promise<void>
  readonly roundTrips: () => Promise<number>
  readonly close: () => Promise<void>
  /** Ends the child without waiting (the bench failed). */
  readonly kill: () => void
}

/** Fork this file as the server over `dbPath`; resolves once it listens. */
export const startRemoteServer = (dbPath: string): Promise<RemoteServer> =>
  new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [dbPath], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    })
    let next = 0
    const pending = new Map<number, (value: number) => void>()
    const call = (req: Op) =>
      new Promise<number>((done) => {
        const id = ++next
        pending.set(id, done)
        child.send({ ...req, id })
      })
    child.once("error", reject)
    child.on("message", (m: { id?: number; url?: string; value?: number }) => {
      if (m.url !== undefined) {
        resolve({
          url: m.url,
          setDelayMs: async (ms) => void (await call({ op: "delay", ms })),
          resetRoundTrips: async () => void (await call({ op: "reset" })),
          roundTrips: () => call({ op: "count" }),
          close: async () => {
            await call({ op: "close" })
            child.disconnect()
          },
          kill: () => {
            if (child.connected) child.disconnect()
          },
        })
        return
      }
      pending.get(m.id ?? -1)?.(m.value ?? 0)
      pending.delete(m.id ?? -1)
    })
  })

if (process.send !== undefined && process.argv[2] !== undefined) {
  const server = await startHranaServer({ dbPath: process.argv[2] })
  // The bench ended (or failed) without closing it: never outlive it.
  process.on("disconnect", () => process.exit(0))
  process.on("message", (req: Request) => {
    const reply = (value = 0) => process.send!({ id: req.id, value })
    if (req.op === "delay") {
      server.setDelayMs(req.ms)
      reply()
    } else if (req.op === "reset") {
      server.resetRoundTrips()
      reply()
    } else if (req.op === "count") reply(server.roundTrips())
    else void server.close().then(() => reply())
  })
  process.send({ url: server.url })
}
