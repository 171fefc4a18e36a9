import { Layer } from "effect"
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

/**
 * A fresh database file in its own temp dir (never `:memory:`). `url` opens it: `file:` here,
 * a Hrana server over it in the remote lane (`ACTIONLOG_TEST_DB=remote`).
 */
export const tempDbUrl = (): { url: string; dir: string; path: string; cleanup: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), "actionlog-store-"))
  const path = join(dir, "test.db")
  const db = testDatabase(path)
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

export const dbLayer = (config: Partial<DatabaseConfig> = {}) => {
  const t = tempDbUrl()
  return { ...t, layer: Database.layer({ url: t.url, synchronous: "NORMAL", ...config }) }
}

/** Every store service over a fresh temp database file. */
export const storeLayer = (config: Partial<DatabaseConfig> = {}) => {
  const t = tempDbUrl()
  return {
    ...t,
    layer: Store.layer({ url: t.url, synchronous: "NORMAL", ...config }),
  }
}

export const ignore = <A>(l: Layer.Layer<A, unknown>) => l
