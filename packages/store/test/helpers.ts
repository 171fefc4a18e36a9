import { Effect, Layer } from "effect"
import Native from "libsql"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { remoteLane, testDatabase } from "@actionlog/testkit"
import { Database, type DatabaseConfig } from "../src/Database"
import * as Store from "../src/index"

export { remoteLane } from "@actionlog/testkit"

/**
 * The drivers a test runs with. In the remote lane every URL is `http://` and takes the
 * `@libsql/client` path whatever the driver, so it runs once.
 */
export const drivers: ReadonlyArray<"native" | "client"> = remoteLane
  ? ["client"]
  : ["native", "client"]

let template: string | undefined

/**
 * A database file migrated once per test process (with the native driver), for the remote
 * lane to copy instead of migrating each new database over the network.
 */
export const migratedTemplate = (): string => {
  if (template !== undefined) return template
  const dir = mkdtempSync(join(tmpdir(), "actionlog-template-"))
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, "template.db")
  Effect.runSync(
    Effect.scoped(Layer.build(Database.layer({ url: `file:${path}`, walCheckpoints: "inline" }))),
  )
  // Everything into the main file, so copying that file alone copies the database.
  const db = new Native(path)
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)")
  db.close()
  template = path
  return path
}

/**
 * A fresh database file in its own temp dir (never `:memory:`). `url` opens it: `file:` here,
 * a Hrana server over it in the remote lane (`ACTIONLOG_TEST_DB=remote`). `migrated`: in the
 * remote lane, start from a copy of the migrated template (the product still checks every
 * migration on start).
 */
export const tempDbUrl = (
  options: { migrated?: boolean } = {},
): { url: string; dir: string; path: string; cleanup: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), "actionlog-store-"))
  const path = join(dir, "test.db")
  const db = testDatabase(path, {
    copyOf: remoteLane && options.migrated === true ? migratedTemplate() : undefined,
  })
  return {
    url: db.url,
    dir,
    path,
    cleanup: () => {
      void db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export const dbLayer = (
  config: Partial<DatabaseConfig> = {},
  options: { migrated?: boolean } = {},
) => {
  const t = tempDbUrl(options)
  return { ...t, layer: Database.layer({ url: t.url, synchronous: "NORMAL", ...config }) }
}

/** Every store service over a fresh temp database file. */
export const storeLayer = (config: Partial<DatabaseConfig> = {}) => {
  const t = tempDbUrl({ migrated: true })
  return {
    ...t,
    layer: Store.layer({ url: t.url, synchronous: "NORMAL", ...config }),
  }
}

export const ignore = <A>(l: Layer.Layer<A, unknown>) => l
