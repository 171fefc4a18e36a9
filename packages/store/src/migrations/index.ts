/**
 * The ordered list of schema migrations, applied on start by `Database.layer`.
 *
 * Shape (every `NNNN_name.ts` file default-exports one):
 *
 *   import type { Migration } from "./index"
 *   export default { id: 2, name: "auth", statements: ["CREATE TABLE …", …] } satisfies Migration
 *
 * - `id` is the NNNN of the file name, unique and increasing; never renumber or edit a
 *   migration that has shipped — add a new one.
 * - `statements` run in order inside ONE write transaction together with the
 *   `schema_migrations` row, so use plain DDL/DML (no BEGIN/COMMIT, no PRAGMA that cannot run
 *   in a transaction). A migration is applied at most once per database.
 */
import core from "./0001_core"
import auth from "./0002_auth"
import producers from "./0003_producers"
import erasureAndImport from "./0004_erasure_and_import"
import signInThrottle from "./0005_sign_in_throttle"
import customerNameTerms from "./0006_customer_name_terms"
import tracking from "./0007_tracking"
import webhooks from "./0008_webhooks"
import savedSegments from "./0009_saved_segments"

export interface Migration {
  readonly id: number
  readonly name: string
  readonly statements: ReadonlyArray<string>
}

const migrations: ReadonlyArray<Migration> = [
  core,
  auth,
  producers,
  erasureAndImport,
  signInThrottle,
  customerNameTerms,
  tracking,
  webhooks,
  savedSegments,
]
export default migrations
