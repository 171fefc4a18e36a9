import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import path from "node:path"
import { Effect, Fiber, ManagedRuntime } from "effect"
import { Database, Webhooks, type WebhooksConfigShape } from "@actionlog/store"
import { makeAppLayer, type AppServices } from "./AppLayer"
import { runBonusExpiry } from "./BonusExpiry"
import { makeRequestHandler } from "./Http"
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
      server.close()
      const timeout = options.drainTimeoutMs ?? 10_000
      await Promise.race([http.drain(), new Promise((r) => setTimeout(r, timeout).unref())])
      server.closeAllConnections()
      if (bonusExpiry !== undefined) await Effect.runPromise(Fiber.interrupt(bonusExpiry))
      await Effect.runPromise(Fiber.interrupt(webhooks))
      await runtime.dispose()
    })())

  return { url, port, seeded, runtime, close }
}
