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

/** The database URL a test hands to the product for the file at `path`. */
export const testDatabase = (path: string): TestDatabase => {
  if (!remoteLane) return { url: `file:${path}`, server: undefined, close: async () => {} }
  const server = startHranaServerSync({ dbPath: path })
  return { url: server.url, server, close: server.close }
}
