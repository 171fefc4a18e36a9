import { copyFileSync } from "node:fs"
import { startHranaServerSync, type HranaServer } from "./HranaServer"

/**
 * `ACTIONLOG_TEST_DB=remote`: the store, API and server suites run over the network, every
 * test database served by a Hrana server on loopback (the remote lane). Otherwise (default)
 * they open the file directly.
 */
export const remoteLane: boolean = process.env["ACTIONLOG_TEST_DB"] === "remote"

export interface TestDatabase {
  /** `file:PATH`, or `http://127.0.0.1:PORT` in the remote lane. */
  readonly url: string
  /** The Hrana server over the file (remote lane only). */
  readonly server: HranaServer | undefined
  /** Stops the server (closing its connections to the file at once); nothing in the embedded lane. */
  readonly close: () => Promise<void>
}

export interface TestDatabaseOptions {
  /**
   * Remote lane only: start from a copy of this (migrated, checkpointed) file. Migrating a
   * fresh database over the network costs about a hundred round trips, paid by nearly every
   * test; the tests of migrations themselves start from an empty file.
   */
  readonly copyOf?: string | undefined
}

/** The database URL a test hands to the product for the file at `path`. */
export const testDatabase = (path: string, options: TestDatabaseOptions = {}): TestDatabase => {
  if (!remoteLane) return { url: `file:${path}`, server: undefined, close: async () => {} }
  if (options.copyOf !== undefined) copyFileSync(options.copyOf, path)
  const server = startHranaServerSync({ dbPath: path })
  return { url: server.url, server, close: server.close }
}
