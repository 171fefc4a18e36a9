import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { Server as NetServer, type AddressInfo, type Socket } from "node:net"
import path from "node:path"
import { Effect, Fiber, ManagedRuntime } from "effect"
import { Database, Webhooks, type WebhooksConfigShape } from "@actionlog/store"
import { makeAppLayer, type AppServices } from "./AppLayer"
import { runBonusExpiry } from "./BonusExpiry"
import { isStreaming, makeRequestHandler } from "./Http"
import { Metrics } from "./Metrics"
import { seedIfEmpty, type SeedResult } from "./seed/Seed"
import { repoRoot, resolveDbUrl } from "./ServerConfig"

export { demoAdmin } from "./seed/Seed"

export interface StartOptions {
  /** 0 or omitted: a free port. */
  readonly port?: number | undefined
  /** Default 127.0.0.1 (main.ts passes HOST, default 0.0.0.0). */
  readonly host?: string | undefined
  readonly dbUrl: string
  readonly dbAuthToken?: string | undefined
  /** Load demo data when the database is empty (default false here; main.ts turns it on). */
  readonly seed?: boolean | undefined
  /** The admin app's build; default apps/admin/dist. */
  readonly adminDist?: string | undefined
  readonly secureCookies?: boolean | undefined
  /** Concurrent API requests before 429 (default 256). */
  readonly maxInFlight?: number | undefined
  /** Audit the client address from `X-Forwarded-For` (behind a trusted proxy). */
  readonly trustProxy?: boolean | undefined
  /**
   * How often expired bonus credits are taken away, starting at once (ms; default 0 = off here,
   * main.ts passes `ACTIONLOG_BONUS_EXPIRY_SECONDS`, default one hour).
   */
  readonly bonusExpiryIntervalMs?: number | undefined
  /** How long `close()` waits for in-flight requests (default 10 s). */
  readonly drainTimeoutMs?: number | undefined
  /**
   * While draining, how long a keep-alive connection must have been idle before it is closed
   * (default 1 s); one whose client sends meanwhile gets its answer with `Connection: close`.
   */
  readonly idleGraceMs?: number | undefined
  readonly log?: ((line: string) => void) | undefined
  /** Webhook settings over the environment's (tests: private targets, short retries). */
  readonly webhooks?: Partial<WebhooksConfigShape> | undefined
}

export interface RunningServer {
  readonly url: string
  readonly port: number
  /** Demo sign-in when this start seeded an empty database. */
  readonly seeded: SeedResult | null
  readonly runtime: ManagedRuntime.ManagedRuntime<AppServices, unknown>
  /** Stops accepting, drains in-flight requests, closes the database. */
  readonly close: () => Promise<void>
}

/** The whole product in-process: migrate, optional demo seed, HTTP (tRPC, admin, health, metrics). */
export const startServer = async (options: StartOptions): Promise<RunningServer> => {
  const log = options.log ?? (() => {})
  const runtime = ManagedRuntime.make(
    makeAppLayer({
      url: resolveDbUrl(options.dbUrl),
      authToken: options.dbAuthToken,
      webhooks: options.webhooks,
    }),
  )
  let seeded: SeedResult | null = null
  try {
    // Building the layer opens and migrates the database.
    await runtime.context()
    if (options.seed === true) seeded = await runtime.runPromise(seedIfEmpty(log))
  } catch (error) {
    await runtime.dispose()
    throw error
  }

  const metrics = new Metrics()
  const http = makeRequestHandler({
    context: {
      runtime,
      metrics,
      secureCookies: options.secureCookies,
    },
    metrics,
    maxInFlight: options.maxInFlight ?? 256,
    trustProxy: options.trustProxy,
    adminDist: options.adminDist ?? path.join(repoRoot, "apps/admin/dist"),
    health: () =>
      runtime.runPromise(
        Database.use((db) => db.query("SELECT 1")).pipe(
          Effect.as(true),
          Effect.catch(() => Effect.succeed(false)),
        ),
      ),
  })
  const server = createServer({ keepAliveTimeout: 5000 }, http.handler)
  const connections = trackConnections(server)
  const host = options.host ?? "127.0.0.1"
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject)
        resolve()
      })
    })
  } catch (error) {
    await runtime.dispose()
    throw error
  }
  const bonusExpiry =
    (options.bonusExpiryIntervalMs ?? 0) > 0
      ? runtime.runFork(runBonusExpiry(options.bonusExpiryIntervalMs!, log))
      : undefined
  const webhooks = runtime.runFork(Webhooks.use((w) => w.runWorker({ observer: metrics.webhooks })))
  const port = (server.address() as AddressInfo).port
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host
  const url = `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port}`

  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      const deadline = Date.now() + (options.drainTimeoutMs ?? 10_000)
      http.beginDrain()
      connections.closeAfterResponse()
      // Stop accepting, but keep the open connections: http.Server#close would also drop the
      // idle keep-alive ones at once, and a request already on its way over one of them would
      // meet a reset (the client cannot tell whether it was applied). They close below.
      NetServer.prototype.close.call(server)
      await connections.settle(deadline, options.idleGraceMs ?? 1000)
      server.closeAllConnections()
      // Clears http.Server's own timers (the listener is already closed).
      server.close(() => {})
      if (bonusExpiry !== undefined) await Effect.runPromise(Fiber.interrupt(bonusExpiry))
      await Effect.runPromise(Fiber.interrupt(webhooks))
      await runtime.dispose()
    })())

  return { url, port, seeded, runtime, close }
}

interface Connection {
  /** Requests of this connection not yet answered (HTTP/1.1 pipelining allows several). */
  busy: number
  idleSince: number
  streaming: boolean
  readonly responses: Set<ServerResponse>
}

/** Every open connection of `server`, with what it is doing, for a drain without resets. */
const trackConnections = (server: Server) => {
  const open = new Map<Socket, Connection>()
  let changed: Array<() => void> = []
  const notify = () => {
    const waiters = changed
    changed = []
    for (const wake of waiters) wake()
  }
  server.on("connection", (socket: Socket) => {
    open.set(socket, { busy: 0, idleSince: Date.now(), streaming: false, responses: new Set() })
    socket.once("close", () => {
      open.delete(socket)
      notify()
    })
  })
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const c = open.get(req.socket)
    if (c === undefined) return
    c.busy++
    c.streaming ||= isStreaming(req)
    c.responses.add(res)
    res.once("close", () => {
      c.busy--
      c.idleSince = Date.now()
      c.responses.delete(res)
      notify()
    })
  })
  const changeOrTimeout = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      changed.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  return {
    /** Answers not yet started will close their connection. */
    closeAfterResponse: () => {
      for (const c of open.values())
        for (const res of c.responses) if (!res.headersSent) res.setHeader("connection", "close")
    },
    /**
     * Resolves once every connection but live streams has closed: answered requests close
     * their connection, and one idle for `graceMs` is closed here (its client is not sending).
     * Gives up at `deadline`.
     */
    settle: async (deadline: number, graceMs: number): Promise<void> => {
      for (;;) {
        const now = Date.now()
        if (now >= deadline) return
        let wait = deadline - now
        let remaining = 0
        for (const [socket, c] of open) {
          if (c.streaming) continue
          remaining++
          if (c.busy > 0) continue
          const idleFor = now - c.idleSince
          if (idleFor >= graceMs) socket.destroy()
          else wait = Math.min(wait, graceMs - idleFor)
        }
        if (remaining === 0) return
        await changeOrTimeout(wait)
      }
    },
  }
}
