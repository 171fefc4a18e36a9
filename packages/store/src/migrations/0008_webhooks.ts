/**
 * Webhooks (docs/webhooks.md). No per-action queue: each subscription keeps a cursor over
 * `actions.seq` (recorded order), the delivery being attempted (`pending_to`, fixed before
 * the first attempt so a retry or a takeover sends the same actions under the same id) and a
 * lease (holder + expiry) so one process at a time delivers it. Column names avoid
 * `action_id` / `customer_id`: erasure treats such columns as references to customers.
 */
import type { Migration } from "./index"

export default {
  id: 8,
  name: "webhooks",
  statements: [
    `CREATE TABLE webhooks (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      url TEXT NOT NULL,
      filter TEXT NOT NULL,
      active INTEGER NOT NULL,
      paused_reason TEXT,
      paused_at INTEGER,
      generation INTEGER NOT NULL DEFAULT 0,
      cursor_seq INTEGER NOT NULL,
      cursor_recorded_at INTEGER,
      pending_to INTEGER,
      failures INTEGER NOT NULL DEFAULT 0,
      failing_since INTEGER,
      next_attempt_at INTEGER NOT NULL DEFAULT 0,
      lease_holder TEXT,
      lease_expires_at INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    )`,
    // AES-256-GCM ciphertext of each signing secret (HMAC needs the secret itself, so it
    // cannot be hashed). expires_at NULL: the current secret; set on rotation.
    `CREATE TABLE webhook_secrets (
      id INTEGER PRIMARY KEY,
      webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
      ciphertext TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER
    )`,
    `CREATE INDEX webhook_secrets_webhook ON webhook_secrets (webhook_id)`,
    `CREATE TABLE webhook_attempts (
      id INTEGER PRIMARY KEY,
      webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
      delivery_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      actions INTEGER NOT NULL,
      test INTEGER NOT NULL,
      ok INTEGER NOT NULL,
      status INTEGER,
      latency_ms INTEGER NOT NULL,
      error TEXT
    )`,
    `CREATE INDEX webhook_attempts_webhook ON webhook_attempts (webhook_id, id)`,
    // Each delivering process's heartbeat: how many share the work, so a process holding
    // more than its share hands some leases over.
    `CREATE TABLE webhook_workers (holder TEXT PRIMARY KEY, seen_at INTEGER NOT NULL) WITHOUT ROWID`,
    // Databases created before this permission existed: the admin role has every permission.
    `UPDATE roles SET permissions = json_insert(permissions, '$[#]', 'webhooks.manage')
      WHERE name = 'admin' AND NOT EXISTS (SELECT 1 FROM json_each(roles.permissions) WHERE value = 'webhooks.manage')`,
  ],
} satisfies Migration
