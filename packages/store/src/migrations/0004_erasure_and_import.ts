/**
 * Erasure and bulk import.
 *
 * - `suppressed_customers`: ids and identifiers of erased customers, as SHA-256 hashes only
 *   (the list holds no personal data); a late event for one of them is rejected with
 *   `CustomerSuppressed` instead of re-creating the profile.
 * - `import_checkpoints`: the last committed line of each import (by file hash), written in
 *   the same transaction as that line's batch, so a resumed import continues exactly there.
 * - `actions_segments` (customer, template, event time): a segment condition is one index probe
 *   per customer that never touches the table rows (covering), which keeps a segment over
 *   millions of actions well under 200 ms (bench/segments.ts).
 * - The audit log stays append-only, except that erasure may redact the personal data of an
 *   existing entry (its `changes` become the redaction marker, its target id the hash); every
 *   other column must stay as it was.
 */
import type { Migration } from "./index"

export const REDACTED_CHANGES = '{"redacted":"erasure"}'

export default {
  id: 4,
  name: "erasure_and_import",
  statements: [
    `CREATE TABLE suppressed_customers (
      hash TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      erased_at INTEGER NOT NULL
    ) WITHOUT ROWID`,
    `CREATE TABLE import_checkpoints (
      file_hash TEXT PRIMARY KEY,
      file_name TEXT NOT NULL,
      line INTEGER NOT NULL,
      recorded INTEGER NOT NULL,
      already_processed INTEGER NOT NULL,
      rejected INTEGER NOT NULL,
      started_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      finished_at INTEGER
    ) WITHOUT ROWID`,
    `CREATE INDEX actions_segments ON actions (customer_id, template, occurred_at)`,
    `DROP TRIGGER audit_log_no_update`,
    `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      WHEN NOT (
        NEW.changes = '${REDACTED_CHANGES}'
        AND NEW.seq = OLD.seq AND NEW.at = OLD.at AND NEW.actor_kind = OLD.actor_kind
        AND NEW.actor_id IS OLD.actor_id AND NEW.actor_label = OLD.actor_label
        AND NEW.action = OLD.action AND NEW.target_type = OLD.target_type AND NEW.ip IS OLD.ip
      )
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (erasure may only redact)'); END`,
  ],
} satisfies Migration
