import { Layer } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Database, type DatabaseConfig } from "../src/Database"
import * as Store from "../src/index"

/** A fresh database file in its own temp dir (never `:memory:`). */
export const tempDbUrl = (): { url: string; dir: string; path: string; cleanup: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), "actionlog-store-"))
  const path = join(dir, "test.db")
  return {
    url: `file:${path}`,
    dir,
    path,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
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
