import { ConfigInvalid, loadConfig } from "./ServerConfig"
import { startServer } from "./start"

// `pnpm start`: configuration from the environment (docs/operations.md), then serve until
// SIGTERM/SIGINT, which drain in-flight requests and close the database.
const main = async () => {
  let config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigInvalid) {
      console.error(error.message)
      process.exit(2)
    }
    throw error
  }
  const server = await startServer({
    port: config.port,
    host: config.host,
    dbUrl: config.dbUrl,
    dbAuthToken: config.dbAuthToken,
    seed: config.seed,
    adminDist: config.adminDist,
    secureCookies: config.secureCookies,
    maxInFlight: config.maxInFlight,
    trustProxy: config.trustProxy,
    bonusExpiryIntervalMs: config.bonusExpirySeconds * 1000,
    log: (line) => console.log(line),
  })
  console.log(
    `actionlog listening on ${server.url} (database ${config.dbUrl.replace(/\?.*$/, "")})`,
  )
  console.log(`  admin app  ${server.url}/`)
  console.log(`  tRPC API   ${server.url}/trpc`)
  console.log(`  health     ${server.url}/healthz    metrics ${server.url}/metrics`)
  if (server.seeded !== null) {
    console.log(`Demo data loaded. Sign in to the admin app at ${server.url}/ as`)
    console.log(`  email:    ${server.seeded.email}`)
    console.log(`  password: ${server.seeded.password}`)
  }
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`${signal}: draining in-flight requests…`)
    server.close().then(
      () => {
        console.log("stopped")
        process.exit(0)
      },
      (error: unknown) => {
        console.error("error while stopping:", error)
        process.exit(1)
      },
    )
  }
  process.on("SIGTERM", () => stop("SIGTERM"))
  process.on("SIGINT", () => stop("SIGINT"))
}

main().catch((error: unknown) => {
  console.error("actionlog failed to start:", error instanceof Error ? error.message : error)
  process.exit(1)
})
